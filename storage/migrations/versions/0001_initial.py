"""Initial schema: users, submissions, jobs, evaluations, scores, config history, admin.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model types: a migration must not change when models do.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
SLACK_ID = sa.String(length=64)
TS = sa.String(length=32)
SHORT = sa.String(length=16)


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, sa.Identity(always=False), nullable=False)


def _created_at() -> sa.Column[datetime]:
    return sa.Column("created_at", TIMESTAMP, nullable=False)


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete="CASCADE",
    )


def _one_of(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}"))


def _versioned_document(table: str) -> None:
    op.create_table(
        table,
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("author", SLACK_ID, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        _created_at(),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f(f"pk_{table}")),
    )
    # At most one active version; the partial unique index works on both databases.
    op.create_index(
        f"uq_{table}_active",
        table,
        ["is_active"],
        unique=True,
        sqlite_where=sa.text("is_active"),
        postgresql_where=sa.text("is_active"),
    )


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("slack_user_id", SLACK_ID, nullable=False),
        sa.Column("team_id", SLACK_ID, nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_users_slack_user_id")),
    )

    op.create_table(
        "submissions",
        _id(),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("source", SHORT, nullable=False),
        sa.Column("channel_id", SLACK_ID, nullable=True),
        sa.Column("thread_ts", TS, nullable=True),
        sa.Column("message_ts", TS, nullable=True),
        sa.Column("file_id", SLACK_ID, nullable=True),
        sa.Column("slack_event_id", SLACK_ID, nullable=True),
        sa.Column("audience", sa.Text(), nullable=True),
        sa.Column("memo_text", sa.Text(), nullable=True),
        sa.Column("memo_chars", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=True),
        sa.Column("response_url", sa.Text(), nullable=True),
        sa.Column("reply_channel_id", SLACK_ID, nullable=True),
        sa.Column("status_ts", TS, nullable=True),
        sa.Column("parts_posted", sa.Integer(), nullable=False),
        sa.Column("status", SHORT, nullable=False),
        _created_at(),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _one_of(
            "submissions", "source", ("slash_command", "modal", "dm", "file", "shortcut", "cli")
        ),
        _one_of(
            "submissions",
            "status",
            ("received", "queued", "running", "done", "failed", "rejected"),
        ),
        _fk("user_id", "submissions", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        # Delivery keys: a Slack retry or a second file event finds the existing row.
        sa.UniqueConstraint(
            "channel_id", "message_ts", name=op.f("uq_submissions_channel_id_message_ts")
        ),
        sa.UniqueConstraint("file_id", name=op.f("uq_submissions_file_id")),
        sa.UniqueConstraint("slack_event_id", name=op.f("uq_submissions_slack_event_id")),
    )
    op.create_index("ix_submissions_user_id_created_at", "submissions", ["user_id", "created_at"])
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])

    op.create_table(
        "jobs",
        _id(),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("status", SHORT, nullable=False),
        sa.Column("stage", SHORT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("run_after", TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _created_at(),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _one_of("jobs", "status", ("queued", "running", "done", "failed")),
        _one_of("jobs", "stage", ("announce", "evaluate")),
        _fk("submission_id", "jobs", "submissions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_jobs_submission_id")),
    )
    op.create_index("ix_jobs_stage_status_run_after", "jobs", ["stage", "status", "run_after"])

    op.create_table(
        "evaluations",
        _id(),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("rubric_version", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(length=128), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=True),
        sa.Column("language", SHORT, nullable=False),
        sa.Column("overall_score", sa.Float(), nullable=True),
        sa.Column("strengths", sa.JSON(), nullable=False),
        sa.Column("opportunities", sa.JSON(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("result_json", sa.JSON(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_write_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("fallback_reason", sa.Text(), nullable=True),
        sa.Column("raw_prompt", sa.Text(), nullable=True),
        sa.Column("raw_response", sa.Text(), nullable=True),
        sa.Column("feedback", SHORT, nullable=True),
        _created_at(),
        _one_of("evaluations", "feedback", ("helpful", "not_helpful")),
        _fk("submission_id", "evaluations", "submissions"),
        _fk("user_id", "evaluations", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
    )
    op.create_index("ix_evaluations_user_id_created_at", "evaluations", ["user_id", "created_at"])
    op.create_index("ix_evaluations_submission_id", "evaluations", ["submission_id"])

    op.create_table(
        "criterion_scores",
        _id(),
        sa.Column("evaluation_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("criterion_key", sa.String(length=40), nullable=False),
        sa.Column("criterion_name", sa.String(length=120), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        _created_at(),
        _fk("evaluation_id", "criterion_scores", "evaluations"),
        _fk("user_id", "criterion_scores", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion_scores")),
        sa.UniqueConstraint(
            "evaluation_id",
            "criterion_key",
            name=op.f("uq_criterion_scores_evaluation_id_criterion_key"),
        ),
    )
    op.create_index(
        "ix_criterion_scores_user_id_criterion_key_created_at_score",
        "criterion_scores",
        ["user_id", "criterion_key", "created_at", "score"],
    )

    _versioned_document("rubric_versions")
    _versioned_document("prompt_versions")

    op.create_table(
        "admins",
        _id(),
        sa.Column("slack_user_id", SLACK_ID, nullable=False),
        sa.Column("added_by", SLACK_ID, nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admins")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_admins_slack_user_id")),
    )

    op.create_table(
        "team_memberships",
        _id(),
        sa.Column("manager_user_id", ID, nullable=False),
        sa.Column("member_user_id", ID, nullable=False),
        _created_at(),
        _fk("manager_user_id", "team_memberships", "users"),
        _fk("member_user_id", "team_memberships", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_memberships")),
        # Also the index for "this manager's team".
        sa.UniqueConstraint(
            "manager_user_id",
            "member_user_id",
            name=op.f("uq_team_memberships_manager_user_id_member_user_id"),
        ),
    )
    op.create_index("ix_team_memberships_member_user_id", "team_memberships", ["member_user_id"])

    op.create_table(
        "coaching_channels",
        _id(),
        sa.Column("channel_id", SLACK_ID, nullable=False),
        sa.Column("added_by", SLACK_ID, nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_channels")),
        sa.UniqueConstraint("channel_id", name=op.f("uq_coaching_channels_channel_id")),
    )

    op.create_table(
        "audit_log",
        _id(),
        sa.Column("actor", SLACK_ID, nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])

    # Exactly-once scheduled work across replicas: one row per (job name, period).
    op.create_table(
        "scheduled_runs",
        _id(),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("status", SHORT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("done_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _created_at(),
        _one_of("scheduled_runs", "status", ("claimed", "done", "failed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_runs")),
        sa.UniqueConstraint("name", "period", name=op.f("uq_scheduled_runs_name_period")),
    )


def downgrade() -> None:
    for table in (
        "scheduled_runs",
        "audit_log",
        "coaching_channels",
        "team_memberships",
        "admins",
        "prompt_versions",
        "rubric_versions",
        "criterion_scores",
        "evaluations",
        "jobs",
        "submissions",
        "users",
    ):
        op.drop_table(table)
