"""Intake: record a memo and its job durably, then let the caller ack. Nothing slow
happens here — no downloads, no model calls — so Slack gets its answer in milliseconds."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.logging_setup import bind_log_context
from bot.metrics import RATE_LIMIT_REFUSALS
from bot.services import Services
from evaluation.errors import MemoRejected
from evaluation.limits import check_memo
from storage.models import SubmissionSource
from storage.repositories.jobs import enqueue_job
from storage.repositories.submissions import (
    create_submission,
    find_submission,
    submissions_since,
)
from storage.repositories.users import upsert_user
from storage.types import utcnow

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class MemoRequest:
    """A memo as a listener understood it; ``text`` may be empty when ``files`` carry it."""

    slack_user_id: str
    source: SubmissionSource
    text: str = ""
    team_id: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    reply_channel_id: str | None = None
    """None: answer in the user's DM with the bot (slash command, modal, shortcut)."""
    files: list[dict[str, Any]] = field(default_factory=list)
    file_id: str | None = None
    event_id: str | None = None
    audience: str | None = None
    response_url: str | None = None


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    submission_id: int | None = None
    message: str | None = None
    retry_at: datetime | None = None
    limit: int = 0


async def _retry_at(
    session: AsyncSession, user_id: int, limit: int, now: datetime
) -> datetime | None:
    """When the user may submit again, or None while they are under the hourly limit."""
    count, oldest = await submissions_since(session, user_id, now - RATE_WINDOW)
    if count < limit or oldest is None:
        return None
    retry_at: datetime = oldest + RATE_WINDOW
    return retry_at


async def submit_memo(services: Services, request: MemoRequest) -> IntakeResult:
    """Validate cheap things, then in one transaction: dedupe (a Slack retry or a second
    file event is a no-op), rate-limit, store the submission and its job."""
    text = request.text.strip()
    if not request.files:
        try:
            text = check_memo(text, services.runtime.config.coach.memo)
        except MemoRejected as exc:
            return IntakeResult(Outcome.REJECTED, message=exc.user_message)
    limit = services.runtime.config.coach.rate_limit.memos_per_hour
    async with services.database.transaction() as session:
        existing = await find_submission(
            session,
            slack_event_id=request.event_id,
            file_id=request.file_id,
            channel_id=request.channel_id,
            message_ts=request.message_ts,
        )
        if existing is not None:
            return IntakeResult(Outcome.DUPLICATE, submission_id=existing.id)
        user = await upsert_user(session, request.slack_user_id, team_id=request.team_id)
        retry_at = await _retry_at(session, user.id, limit, utcnow())
        if retry_at is not None:
            RATE_LIMIT_REFUSALS.inc()
            log.info("memo refused: rate limit", extra={"source": request.source})
            return IntakeResult(Outcome.RATE_LIMITED, retry_at=retry_at, limit=limit)
        submission, created = await create_submission(
            session,
            user=user,
            source=request.source,
            memo_text=text,
            channel_id=request.channel_id,
            thread_ts=request.thread_ts,
            message_ts=request.message_ts,
            file_id=request.file_id,
            slack_event_id=request.event_id,
            audience=request.audience,
            status="queued",
            files=request.files or None,
            response_url=request.response_url,
            reply_channel_id=request.reply_channel_id,
        )
        if created:
            await enqueue_job(session, submission.id)
    bind_log_context(submission_id=submission.id)  # follows this memo's log lines
    if not created:
        return IntakeResult(Outcome.DUPLICATE, submission_id=submission.id)
    log.info("memo accepted", extra={"source": request.source, "files": len(request.files)})
    services.work_available.set()
    return IntakeResult(Outcome.ACCEPTED, submission_id=submission.id)
