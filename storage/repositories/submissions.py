"""Memos as received, deduplicated by their Slack delivery keys."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Table,
    Update,
    bindparam,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Submission, SubmissionSource, SubmissionStatus, User
from storage.repositories._sql import (
    POPULATE_EXISTING,
    affected,
    check_columns,
    column_arrays,
    dialect_name,
    in_values,
    unnested_rows,
    upsert,
)
from storage.types import UTCDateTime, utcnow


@dataclass(frozen=True)
class DeliveryKeys:
    """How Slack identified one delivery of a memo; any key seen before marks a repeat."""

    slack_event_id: str | None = None
    file_id: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None

    def channel_message(self) -> tuple[str, str] | None:
        if self.channel_id is None or self.message_ts is None:
            return None
        return self.channel_id, self.message_ts

    def identities(self) -> list[tuple[str, ...]]:
        """Each key as a hashable identity; two deliveries sharing one are the same memo."""
        found: list[tuple[str, ...]] = []
        if self.slack_event_id is not None:
            found.append(("event", self.slack_event_id))
        if self.file_id is not None:
            found.append(("file", self.file_id))
        if (message := self.channel_message()) is not None:
            found.append(("message", *message))
        return found


async def create_submission(
    session: AsyncSession,
    *,
    user: User,
    source: SubmissionSource,
    memo_text: str,
    channel_id: str | None = None,
    thread_ts: str | None = None,
    message_ts: str | None = None,
    file_id: str | None = None,
    slack_event_id: str | None = None,
    audience: str | None = None,
    status: SubmissionStatus = "received",
    files: list[dict[str, Any]] | None = None,
    response_url: str | None = None,
    reply_channel_id: str | None = None,
) -> tuple[Submission, bool]:
    """Record a memo; ``(existing, False)`` when a delivery key was already seen.

    Slack retries events and may send two events for one file; INSERT … ON CONFLICT DO
    NOTHING makes the first delivery win even when duplicates arrive concurrently.
    """
    statement = (
        upsert(session, Submission)
        .values(
            user_id=user.id,
            source=source,
            memo_text=memo_text,
            memo_chars=len(memo_text),
            channel_id=channel_id,
            thread_ts=thread_ts,
            message_ts=message_ts,
            file_id=file_id,
            slack_event_id=slack_event_id,
            audience=audience,
            status=status,
            files=files,
            response_url=response_url,
            reply_channel_id=reply_channel_id,
            parts_posted=0,
        )
        .on_conflict_do_nothing()
        .returning(Submission)
    )
    created = (await session.scalars(statement, execution_options=POPULATE_EXISTING)).one_or_none()
    if created is not None:
        return created, True
    keys = DeliveryKeys(slack_event_id, file_id, channel_id, message_ts)
    matches = await submissions_matching(session, [keys])
    existing = (
        await session.get(Submission, matches[0][0], populate_existing=True) if matches else None
    )
    if existing is None:  # pragma: no cover - a conflict means one of the keys exists
        raise LookupError("submission conflicted but no row matches its delivery keys")
    return existing, False


async def submissions_matching(
    session: AsyncSession, wanted: Sequence[DeliveryKeys]
) -> list[tuple[int, DeliveryKeys]]:
    """``(id, keys)`` of stored submissions sharing a delivery key with any of ``wanted``,
    oldest first: one query for a whole intake batch."""
    event_ids = {k.slack_event_id for k in wanted if k.slack_event_id is not None}
    file_ids = {k.file_id for k in wanted if k.file_id is not None}
    messages = {m for k in wanted if (m := k.channel_message()) is not None}
    conditions: list[ColumnElement[bool]] = []
    if event_ids:
        conditions.append(Submission.slack_event_id.in_(event_ids))
    if file_ids:
        conditions.append(Submission.file_id.in_(file_ids))
    if messages:
        conditions.append(tuple_(Submission.channel_id, Submission.message_ts).in_(messages))
    if not conditions:
        return []
    rows = await session.execute(
        select(
            Submission.id,
            Submission.slack_event_id,
            Submission.file_id,
            Submission.channel_id,
            Submission.message_ts,
        )
        .where(or_(*conditions))
        .order_by(Submission.id)
    )
    return [(row[0], DeliveryKeys(*row[1:])) for row in rows]


async def insert_submissions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert many submissions at once; their ids, in the order given. A delivery key that
    is already stored raises IntegrityError (the caller checked them first).

    PostgreSQL: one INSERT … SELECT from a array per column, ids drawn in row order. A
    single row elsewhere: one INSERT … RETURNING. SQLite cannot order RETURNING rows
    (SQLAlchemy would fall back to one INSERT per row), so there several rows go in with
    executemany (sequential inserts, each id above every id before it) and the ids are
    read back; the transaction holds SQLite's write lock, so no other writer can
    interleave."""
    if not rows:
        return []
    check_columns(_SUBMISSIONS, _INSERTED, rows)
    values = [
        {"parts_posted": 0, "memo_chars": len(row.get("memo_text") or ""), **row} for row in rows
    ]
    dialect = dialect_name(session)
    if dialect == "postgresql":
        arrays = column_arrays(_SUBMISSIONS, _INSERTED, values)
        return sorted((await session.execute(_INSERT_ARRAYS, arrays)).scalars())
    if len(values) == 1:
        result = await session.execute(insert(Submission).returning(Submission.id), values)
        return list(result.scalars())
    before = await session.scalar(select(func.max(Submission.id))) or 0
    await session.execute(insert(Submission), values)
    ids = await session.scalars(
        select(Submission.id).where(Submission.id > before).order_by(Submission.id)
    )
    return list(ids)


_SUBMISSIONS = cast(Table, Submission.__table__)
_INSERTED = tuple(
    c.name for c in _SUBMISSIONS.c if c.name not in {"id", "created_at", "updated_at"}
)
"""Every column a new submission may set; the timestamps take their defaults."""
_INSERT_ARRAYS = (
    insert(_SUBMISSIONS)
    .from_select(_INSERTED, unnested_rows(_SUBMISSIONS, _INSERTED))
    .returning(_SUBMISSIONS.c.id)
)


async def get_submission(session: AsyncSession, submission_id: int) -> Submission | None:
    return await session.get(Submission, submission_id)


# Built once: every job stage of every memo runs these (see storage/repositories/jobs.py).
_SUBMISSION_AND_AUTHOR = (
    select(Submission, User.slack_user_id)
    .join(User, User.id == Submission.user_id)
    .where(Submission.id == bindparam("submission_id"))
)


async def submission_and_author(
    session: AsyncSession, submission_id: int
) -> tuple[Submission, str] | None:
    """A submission and its author's Slack user id in one query (every job stage needs
    both); None if it no longer exists (the user asked to be forgotten)."""
    row = (
        await session.execute(_SUBMISSION_AND_AUTHOR, {"submission_id": submission_id})
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def set_submission_status(
    session: AsyncSession, submission_id: int, status: SubmissionStatus
) -> bool:
    """Move a submission to ``status``; False if it no longer exists (user forgotten)."""
    result = await session.execute(
        update(Submission)
        .where(Submission.id == submission_id)
        .values(status=status, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return affected(result) > 0


@dataclass(frozen=True)
class Author:
    """A known user as intake sees them: who, which team, and their memos in the rate
    window (how many, and when the oldest came: the hourly limit says when a user may
    send again)."""

    user_id: int
    team_id: str | None
    recent: int
    oldest_recent: datetime | None


async def authors(
    session: AsyncSession, slack_user_ids: Collection[str], since: datetime
) -> dict[str, Author]:
    """The known users among these Slack ids, with their memos since ``since``: one
    query for a whole intake batch, where users and counts took one each."""
    if not slack_user_ids:
        return {}
    rows = await session.execute(
        _authors(dialect_name(session)),
        {"slack_user_ids": list(slack_user_ids), "since": since},
    )
    return {
        slack_id: Author(user_id, team_id, int(recent), oldest)
        for slack_id, user_id, team_id, recent, oldest in rows
    }


@functools.cache
def _authors(dialect: str) -> Select[str, int, str | None, int, datetime | None]:
    """Per-user subqueries rather than a join: each reads the user's few recent memos
    through the (user_id, created_at) index. A join let PostgreSQL hash every memo of
    the window, which in a busy hour is all the recent ones (9 ms at 10,000)."""
    users = cast(Table, User.__table__)

    def recent(column: ColumnElement[Any]) -> ScalarSelect[Any]:
        return (
            select(column)
            .where(
                Submission.user_id == User.id,
                Submission.created_at >= bindparam("since", type_=UTCDateTime()),
            )
            .scalar_subquery()
        )

    return select(
        User.slack_user_id,
        User.id,
        User.team_id,
        recent(func.count(Submission.id)),
        recent(func.min(Submission.created_at)),
    ).where(in_values(users.c.slack_user_id, "slack_user_ids", dialect))


async def record_delivery(
    session: AsyncSession,
    submission_id: int,
    *,
    reply_channel_id: str | None = None,
    thread_ts: str | None = None,
    status_ts: str | None = None,
    parts_posted: int | None = None,
    status: SubmissionStatus | None = None,
) -> None:
    """Remember where the answer is being posted, how far it got and, at the end, the
    memo's status (only the fields given change), so a worker taking over after a crash
    resumes instead of repeating. The worker keeps its own copy of the submission: the
    session's is not refreshed."""
    values: dict[str, Any] = {
        name: value
        for name, value in (
            ("reply_channel_id", reply_channel_id),
            ("thread_ts", thread_ts),
            ("status_ts", status_ts),
            ("parts_posted", parts_posted),
            ("status", status),
        )
        if value is not None
    }
    if values:
        await session.execute(
            _delivery_update(tuple(values)),
            {**values, "submission_id": submission_id, "updated_at": utcnow()},
            execution_options={"synchronize_session": False},
        )


@functools.cache
def _delivery_update(fields: tuple[str, ...]) -> Update:
    """``record_delivery``'s UPDATE for one set of fields (a handful of sets occur)."""
    return (
        update(Submission)
        .where(Submission.id == bindparam("submission_id"))
        .values({name: bindparam(name) for name in (*fields, "updated_at")})
    )


async def set_memo_text(session: AsyncSession, submission_id: int, memo_text: str) -> None:
    """Store text extracted from a file once it has been read."""
    await session.execute(
        update(Submission)
        .where(Submission.id == submission_id)
        .values(memo_text=memo_text, memo_chars=len(memo_text), updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
