"""The schema, as SQLAlchemy 2 typed models; migrations must produce exactly this.

Indexes follow the two hot reads: one user's history (``user_id`` first, then time) and
one manager's team this week (members from ``team_memberships`` by manager, then each
member's evaluations by ``(user_id, created_at)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from storage.types import BigId, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Stable constraint names: SQLite batch migrations can only alter named constraints."""

SubmissionSource = Literal["slash_command", "modal", "dm", "file", "shortcut", "cli"]
SubmissionStatus = Literal["received", "queued", "running", "done", "failed", "rejected"]
JobStatus = Literal["queued", "running", "done", "failed"]
JobStage = Literal["announce", "evaluate"]
Feedback = Literal["helpful", "not_helpful"]

SUBMISSION_SOURCES: tuple[str, ...] = get_args(SubmissionSource)
SUBMISSION_STATUSES: tuple[str, ...] = get_args(SubmissionStatus)
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
JOB_STAGES: tuple[str, ...] = get_args(JobStage)
FEEDBACK_VALUES: tuple[str, ...] = get_args(Feedback)

SLACK_ID = String(64)
TS = String(32)
STATUS = String(16)


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _pk() -> Mapped[int]:
    return mapped_column(BigId, Identity(), primary_key=True)


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


def _user_fk() -> Mapped[int]:
    return mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = _pk()
    slack_user_id: Mapped[str] = mapped_column(SLACK_ID, unique=True)
    team_id: Mapped[str | None] = mapped_column(SLACK_ID)
    display_name: Mapped[str | None] = mapped_column(String(255))
    tz: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()


class Submission(Base):
    """A memo as received. Each non-null delivery key (Slack event id, file id, channel +
    message ts) identifies one delivery, so Slack retries find the existing row.

    ``channel_id``/``message_ts`` say where the memo came from; ``reply_channel_id``,
    ``thread_ts``, ``status_ts`` and ``parts_posted`` say where and how far the answer has
    been posted, so a worker that takes over after a crash neither repeats nor skips a
    reply."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_ts"),
        Index("ix_submissions_user_id_created_at", "user_id", "created_at"),
        Index("ix_submissions_created_at", "created_at"),
        _one_of("source", SUBMISSION_SOURCES, "source"),
        _one_of("status", SUBMISSION_STATUSES, "status"),
    )

    id: Mapped[int] = _pk()
    user_id: Mapped[int] = _user_fk()
    source: Mapped[str] = mapped_column(STATUS)
    channel_id: Mapped[str | None] = mapped_column(SLACK_ID)
    thread_ts: Mapped[str | None] = mapped_column(TS)
    message_ts: Mapped[str | None] = mapped_column(TS)
    file_id: Mapped[str | None] = mapped_column(SLACK_ID, unique=True)
    slack_event_id: Mapped[str | None] = mapped_column(SLACK_ID, unique=True)
    audience: Mapped[str | None] = mapped_column(Text)
    memo_text: Mapped[str | None] = mapped_column(Text, doc="None once retention purged it.")
    memo_chars: Mapped[int] = mapped_column(Integer)
    files: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, doc="Slack file objects to download (file shares, shortcuts)."
    )
    response_url: Mapped[str | None] = mapped_column(Text)
    reply_channel_id: Mapped[str | None] = mapped_column(SLACK_ID)
    status_ts: Mapped[str | None] = mapped_column(TS)
    parts_posted: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(STATUS, default="received")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


JOB_UNFINISHED = "status IN ('queued', 'running')"
"""The jobs a claim looks at. Finished jobs stay (Try again restarts them), so claims
filter on this exact term: SQLite uses a partial index only when the query repeats its
condition word for word."""


class Job(Base):
    """Work for the evaluation workers: one per submission, claimed under a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index(
            "ix_jobs_unfinished",
            "stage",
            "run_after",
            "id",
            sqlite_where=text(JOB_UNFINISHED),
            postgresql_where=text(JOB_UNFINISHED),
        ),
        _one_of("status", JOB_STATUSES, "status"),
        _one_of("stage", JOB_STAGES, "stage"),
    )

    id: Mapped[int] = _pk()
    submission_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(STATUS, default="queued")
    stage: Mapped[str] = mapped_column(
        STATUS, default="announce", doc="announce (post the status message) → evaluate."
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        Index("ix_evaluations_user_id_created_at", "user_id", "created_at"),
        Index("ix_evaluations_submission_id", "submission_id"),
        _one_of("feedback", FEEDBACK_VALUES, "feedback"),
    )

    id: Mapped[int] = _pk()
    submission_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("submissions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = _user_fk()
    rubric_version: Mapped[int] = mapped_column(Integer)
    evaluator: Mapped[str] = mapped_column(String(128))
    model: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(16))
    overall_score: Mapped[float | None] = mapped_column(Float)
    strengths: Mapped[list[str]] = mapped_column(JSON)
    opportunities: Mapped[list[str]] = mapped_column(JSON)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    result_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    fallback_reason: Mapped[str | None] = mapped_column(Text)
    raw_prompt: Mapped[str | None] = mapped_column(Text)
    raw_response: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(STATUS)
    created_at: Mapped[datetime] = _created()


class CriterionScoreRow(Base):
    """One criterion of one evaluation, denormalised (user, time) for progress queries."""

    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "criterion_key"),
        # score last, so the per-criterion average and count read the index alone.
        Index(
            "ix_criterion_scores_user_id_criterion_key_created_at_score",
            "user_id",
            "criterion_key",
            "created_at",
            "score",
        ),
    )

    id: Mapped[int] = _pk()
    evaluation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("evaluations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = _user_fk()
    criterion_key: Mapped[str] = mapped_column(String(40))
    criterion_name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = _created()


class VersionedDocument:
    """Shape shared by rubric and prompt history; at most one row is active, enforced by
    a partial unique index (supported by SQLite and PostgreSQL alike)."""

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    yaml_text: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(SLACK_ID)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        table: str = getattr(cls, "__tablename__")  # noqa: B009 - set by each subclass
        return (
            Index(
                f"uq_{table}_active",
                "is_active",
                unique=True,
                sqlite_where=text("is_active"),
                postgresql_where=text("is_active"),
            ),
        )


class RubricVersionRow(VersionedDocument, Base):
    __tablename__ = "rubric_versions"


class PromptVersionRow(VersionedDocument, Base):
    __tablename__ = "prompt_versions"


class Admin(Base):
    __tablename__ = "admins"

    id: Mapped[int] = _pk()
    slack_user_id: Mapped[str] = mapped_column(SLACK_ID, unique=True)
    added_by: Mapped[str | None] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = _created()


class TeamMembership(Base):
    """A manager sees the progress of their members. The unique (manager, member) pair
    also serves as the index for "this manager's team"."""

    __tablename__ = "team_memberships"
    __table_args__ = (
        UniqueConstraint("manager_user_id", "member_user_id"),
        Index("ix_team_memberships_member_user_id", "member_user_id"),
    )

    id: Mapped[int] = _pk()
    manager_user_id: Mapped[int] = _user_fk()
    member_user_id: Mapped[int] = _user_fk()
    created_at: Mapped[datetime] = _created()


class CoachingChannel(Base):
    __tablename__ = "coaching_channels"

    id: Mapped[int] = _pk()
    channel_id: Mapped[str] = mapped_column(SLACK_ID, unique=True)
    added_by: Mapped[str | None] = mapped_column(SLACK_ID)
    created_at: Mapped[datetime] = _created()


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created_at", "created_at"),)

    id: Mapped[int] = _pk()
    actor: Mapped[str] = mapped_column(SLACK_ID)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()


ScheduledRunStatus = Literal["claimed", "done", "failed"]
SCHEDULED_RUN_STATUSES: tuple[str, ...] = get_args(ScheduledRunStatus)


class ScheduledRun(Base):
    """One run of a scheduled job for one period (a manager's weekly digest, a nightly
    backup): the unique (name, period) pair lets every replica fire the same schedule
    while the database lets exactly one of them do the work."""

    __tablename__ = "scheduled_runs"
    __table_args__ = (
        UniqueConstraint("name", "period"),
        _one_of("status", SCHEDULED_RUN_STATUSES, "status"),
    )

    id: Mapped[int] = _pk()
    name: Mapped[str] = mapped_column(String(128), doc='e.g. "digest:U123", "backup".')
    period: Mapped[str] = mapped_column(String(64), doc='e.g. "2026-W47", "2026-11-23".')
    status: Mapped[str] = mapped_column(STATUS, default="claimed")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
