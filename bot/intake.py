"""Intake: record a memo and its job durably, then let the caller ack. Nothing slow
happens here — no downloads, no model calls — so Slack gets its answer in milliseconds.

Group commit: memos that arrive while a transaction is being written wait for the next
one and share it (a handful of statements for the whole batch), so a burst of slash
commands costs one transaction per batch instead of five statements per memo.

One writer at a time, on both databases. Four at once on PostgreSQL (so the database
would work on one batch while the next requests were parsed) split a burst of 100 into
as many as 20 small transactions, each paid for with the bot's CPU, and the burst's
slowest ack grew with their number (benchmarks/RESULTS.md, eighth round)."""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.logging_setup import bind_log_context
from bot.metrics import RATE_LIMIT_REFUSALS
from config.coach import CoachConfig
from evaluation.errors import MemoRejected
from evaluation.limits import check_memo
from storage.db import Database
from storage.models import SubmissionSource
from storage.repositories.jobs import enqueue_jobs
from storage.repositories.submissions import (
    DeliveryKeys,
    authors,
    insert_submissions,
    submissions_matching,
)
from storage.repositories.users import upsert_users
from storage.stale_connections import connection_lost
from storage.types import utcnow

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)
MAX_BATCH = 200
"""Memos per intake transaction; a bigger backlog is written in several."""


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

    @property
    def keys(self) -> DeliveryKeys:
        return DeliveryKeys(self.event_id, self.file_id, self.channel_id, self.message_ts)


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


@dataclass
class _Waiting:
    request: MemoRequest
    text: str
    result: asyncio.Future[IntakeResult]


class MemoIntake:
    """Records memos for the workers, one transaction per batch of concurrent arrivals."""

    def __init__(self, database: Database, coach: CoachConfig, work_available: asyncio.Event):
        self.database = database
        self.coach = coach
        self.work_available = work_available
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, request: MemoRequest) -> IntakeResult:
        """Validate cheap things, then wait for the transaction that dedupes (a Slack retry
        or a second file event is a no-op), rate-limits and stores the memo and its job."""
        text = request.text.strip()
        if not request.files:
            try:
                text = check_memo(text, self.coach.memo)
            except MemoRejected as exc:
                return IntakeResult(Outcome.REJECTED, message=exc.user_message)
        waiting = _Waiting(request, text, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        result = await waiting.result
        if result.submission_id is not None:
            bind_log_context(submission_id=result.submission_id)  # follows this memo
        if result.outcome is Outcome.RATE_LIMITED:
            RATE_LIMIT_REFUSALS.inc()
            log.info("memo refused: rate limit", extra={"source": request.source})
        elif result.outcome is Outcome.ACCEPTED:
            log.info("memo accepted", extra={"source": request.source, "files": len(request.files)})
        return result

    async def _write_waiting(self) -> None:
        """Write batches until nobody waits. The writer steps down in the same step as its
        last look at the queue, so a memo queued after that look starts a new one."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                await self._write(batch)
        finally:
            self._writer = None

    async def _write(self, batch: list[_Waiting], *, first_try: bool = True) -> None:
        """A failed batch is retried one memo per transaction, so a memo that cannot be
        stored (or a race with another replica on the same delivery key) fails only
        itself; the retry sees what the other replica committed. A lone memo whose
        connection was lost (a database restart) is tried once more, on a new one."""
        try:
            self._settle(batch, await self._record(batch))
        except Exception as exc:
            if len(batch) > 1:
                for waiting in batch:
                    await self._write([waiting])
            elif first_try and connection_lost(exc):
                await self._write(batch, first_try=False)
            else:
                self._fail(batch, exc)
        except BaseException:  # cancelled at shutdown: nobody will write for them
            for waiting in batch + self._waiting:
                waiting.result.cancel()
            self._waiting = []
            raise

    def _settle(self, batch: list[_Waiting], results: list[IntakeResult]) -> None:
        for waiting, result in zip(batch, results, strict=True):
            if not waiting.result.done():  # its request may have been cancelled
                waiting.result.set_result(result)
        if any(r.outcome is Outcome.ACCEPTED for r in results):
            self.work_available.set()

    @staticmethod
    def _fail(batch: list[_Waiting], exc: Exception) -> None:
        for waiting in batch:
            if not waiting.result.done():
                waiting.result.set_exception(exc)

    async def _record(self, batch: list[_Waiting]) -> list[IntakeResult]:
        """One transaction for the batch, in arrival order: earlier memos win duplicates
        and count toward later ones' rate limit."""
        limit = self.coach.rate_limit.memos_per_hour
        now = utcnow()
        async with self.database.transaction() as session:
            stored = await submissions_matching(session, [w.request.keys for w in batch])
            teams = {w.request.slack_user_id: w.request.team_id for w in batch}
            known = await authors(session, teams, now - RATE_WINDOW)
            user_ids = await upsert_users(session, teams, known)
            windows = {
                a.user_id: (a.recent, a.oldest_recent)
                for a in known.values()
                if a.oldest_recent is not None
            }
            plan = _Plan(stored, windows, limit, now)
            for waiting in batch:
                plan.add(waiting, user_ids[waiting.request.slack_user_id])
            ids = await insert_submissions(session, plan.rows)
            await enqueue_jobs(session, ids, now)
        return plan.results(ids)


@dataclass
class _Plan:
    """Decides each memo of a batch against what is stored and what came before it."""

    stored: list[tuple[int, DeliveryKeys]]
    windows: dict[int, tuple[int, datetime]]
    limit: int
    now: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[IntakeResult | int] = field(default_factory=list)
    """Per memo: its result, or the index of the row it is (new) or repeats (duplicate)."""
    repeats: set[int] = field(default_factory=set)
    _stored_ids: dict[tuple[str, ...], int] = field(default_factory=dict)
    _batch_rows: dict[tuple[str, ...], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for submission_id, keys in self.stored:  # oldest first: the first delivery wins
            for identity in keys.identities():
                self._stored_ids.setdefault(identity, submission_id)

    def add(self, waiting: _Waiting, user_id: int) -> None:
        request, identities = waiting.request, waiting.request.keys.identities()
        earlier = next((self._stored_ids[i] for i in identities if i in self._stored_ids), None)
        if earlier is not None:
            self.decisions.append(IntakeResult(Outcome.DUPLICATE, submission_id=earlier))
            return
        in_batch = next((self._batch_rows[i] for i in identities if i in self._batch_rows), None)
        if in_batch is not None:
            self.repeats.add(len(self.decisions))
            self.decisions.append(in_batch)
            return
        count, oldest = self.windows.get(user_id, (0, self.now))
        if count >= self.limit:
            retry_at = oldest + RATE_WINDOW
            self.decisions.append(
                IntakeResult(Outcome.RATE_LIMITED, retry_at=retry_at, limit=self.limit)
            )
            return
        self.windows[user_id] = (count + 1, oldest)
        for identity in identities:
            self._batch_rows[identity] = len(self.rows)
        self.decisions.append(len(self.rows))
        self.rows.append(
            {
                "user_id": user_id,
                "source": request.source,
                "memo_text": waiting.text,
                "channel_id": request.channel_id,
                "thread_ts": request.thread_ts,
                "message_ts": request.message_ts,
                "file_id": request.file_id,
                "slack_event_id": request.event_id,
                "audience": request.audience,
                "status": "queued",
                "files": request.files or None,
                "response_url": request.response_url,
                "reply_channel_id": request.reply_channel_id,
            }
        )

    def results(self, ids: list[int]) -> list[IntakeResult]:
        return [
            decision
            if isinstance(decision, IntakeResult)
            else IntakeResult(
                Outcome.DUPLICATE if position in self.repeats else Outcome.ACCEPTED,
                submission_id=ids[decision],
            )
            for position, decision in enumerate(self.decisions)
        ]
