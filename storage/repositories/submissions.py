"""Memos as received, deduplicated by their Slack delivery keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Submission, SubmissionSource, SubmissionStatus, User
from storage.repositories._sql import POPULATE_EXISTING, affected, upsert
from storage.types import utcnow


def _delivery_keys(
    slack_event_id: str | None,
    file_id: str | None,
    channel_id: str | None,
    message_ts: str | None,
) -> list[ColumnElement[bool]]:
    keys: list[ColumnElement[bool]] = []
    if slack_event_id is not None:
        keys.append(Submission.slack_event_id == slack_event_id)
    if file_id is not None:
        keys.append(Submission.file_id == file_id)
    if channel_id is not None and message_ts is not None:
        keys.append(and_(Submission.channel_id == channel_id, Submission.message_ts == message_ts))
    return keys


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
    existing = await find_submission(
        session,
        slack_event_id=slack_event_id,
        file_id=file_id,
        channel_id=channel_id,
        message_ts=message_ts,
    )
    if existing is None:  # pragma: no cover - a conflict means one of the keys exists
        raise LookupError("submission conflicted but no row matches its delivery keys")
    return existing, False


async def find_submission(
    session: AsyncSession,
    *,
    slack_event_id: str | None = None,
    file_id: str | None = None,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> Submission | None:
    """The earliest submission matching any of the given delivery keys."""
    keys = _delivery_keys(slack_event_id, file_id, channel_id, message_ts)
    if not keys:
        return None
    result = await session.scalars(
        select(Submission).where(or_(*keys)).order_by(Submission.id).limit(1),
        execution_options=POPULATE_EXISTING,
    )
    return result.one_or_none()


async def get_submission(session: AsyncSession, submission_id: int) -> Submission | None:
    return await session.get(Submission, submission_id)


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


async def submissions_since(
    session: AsyncSession, user_id: int, since: datetime
) -> tuple[int, datetime | None]:
    """How many memos a user sent since ``since`` and when the oldest of them came (the
    hourly rate limit says when the user may send again)."""
    window = await session.execute(
        select(func.count(), func.min(Submission.created_at)).where(
            Submission.user_id == user_id, Submission.created_at >= since
        )
    )
    count, oldest = window.one()
    return int(count or 0), oldest


async def record_delivery(
    session: AsyncSession,
    submission_id: int,
    *,
    reply_channel_id: str | None = None,
    thread_ts: str | None = None,
    status_ts: str | None = None,
    parts_posted: int | None = None,
) -> None:
    """Remember where the answer is being posted and how far it got (only the fields
    given change), so a worker taking over after a crash resumes instead of repeating."""
    values: dict[str, Any] = {
        name: value
        for name, value in (
            ("reply_channel_id", reply_channel_id),
            ("thread_ts", thread_ts),
            ("status_ts", status_ts),
            ("parts_posted", parts_posted),
        )
        if value is not None
    }
    if values:
        await session.execute(
            update(Submission)
            .where(Submission.id == submission_id)
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )


async def set_memo_text(session: AsyncSession, submission_id: int, memo_text: str) -> None:
    """Store text extracted from a file once it has been read."""
    await session.execute(
        update(Submission)
        .where(Submission.id == submission_id)
        .values(memo_text=memo_text, memo_chars=len(memo_text), updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
