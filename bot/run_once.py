"""Do a piece of scheduled work once across replicas: claim its ``(name, period)`` run in
the database, do the work, then mark it done — or failed, so a later tick retries it.
Digests, nightly backups and retention purges all go through here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from slack_sdk.errors import SlackApiError

from storage.db import Database
from storage.repositories.scheduled_runs import (
    claim_run,
    get_run,
    mark_run_done,
    mark_run_failed,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Outcome = Literal["sent", "skipped", "failed"]
"""``sent``: this replica did the work; ``skipped``: someone else has or is doing it."""


def failure_reason(exc: BaseException) -> str:
    """A short reason for the runs table and logs (never a payload or a secret)."""
    if isinstance(exc, SlackApiError):
        return f"Slack API error: {exc.response.get('error')}"
    return type(exc).__name__


async def run_once(
    database: Database,
    name: str,
    period: str,
    owner: str,
    work: Callable[[int], Awaitable[T]],
    *,
    stale_after: timedelta,
    max_attempts: int | None = None,
    now: datetime | None = None,
) -> tuple[Outcome, str | None, T | None]:
    """Run ``work(attempt)`` if this owner claims the run; ``attempt`` > 1 means an earlier
    try failed or crashed, so ``work`` should check what already happened."""
    async with database.transaction() as session:
        claimed = await claim_run(
            session,
            name,
            period,
            owner,
            stale_after=stale_after,
            max_attempts=max_attempts,
            now=now,
        )
        run = await get_run(session, name, period) if claimed else None
    if run is None:
        return "skipped", None, None
    try:
        result = await work(run.attempts)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            async with database.transaction() as session:
                await mark_run_failed(session, name, period, owner, "interrupted")
        raise
    except Exception as exc:
        reason = failure_reason(exc)
        log.warning(
            "scheduled run failed",
            extra={"run": name, "period": period, "reason": reason},
            exc_info=exc,
        )
        async with database.transaction() as session:
            await mark_run_failed(session, name, period, owner, reason)
        return "failed", reason, None
    async with database.transaction() as session:
        await mark_run_done(session, name, period, owner)
    return "sent", None, result
