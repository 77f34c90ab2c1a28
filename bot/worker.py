"""The worker pool: claims jobs from the database under a lease and runs them.

A few announce loops (cheap: they post the status message, so users see their memo is
in even when every evaluation slot is busy) and ``concurrency`` evaluate loops. Leases are
renewed while a job runs; a job whose worker died is claimed again when its lease ends,
by this process after a restart or by another replica.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError

from bot import pipeline
from bot.logging_setup import bind_log_context, reset_log_context
from bot.metrics import JOB_FAILURES
from bot.services import Services
from storage.models import Job, JobStage
from storage.repositories.jobs import (
    advance_job,
    claim_next_job,
    complete_job,
    extend_lease,
    fail_expired_jobs,
    fail_job,
    pass_job_on,
    release_job,
)
from storage.repositories.submissions import set_submission_status

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
"""How often idle workers look for jobs another replica queued (intake here wakes them)."""
UNPOSTABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
"""Slack errors retrying cannot fix: the reply's channel is gone or closed to the bot."""


class IdleLoops:
    """The idle loops of one stage, woken one at a time: waking all of them for every
    new job made up to ``concurrency`` loops race for one row (on SQLite, busy-waiting
    on the write lock and delaying intake). A wake with nobody waiting is kept for the
    next loop that goes idle, so a job committed during a claim is not left waiting.

    A loop can also be handed a job directly (``reserve``): the announce stage passes a
    memo on to an idle evaluate loop without a claim, or the empty claim that waking a
    second loop for one job used to cost."""

    def __init__(self) -> None:
        self._waiters: collections.deque[asyncio.Future[Job | None]] = collections.deque()
        self._pending = False

    async def wait(self) -> Job | None:
        """Until woken (None: go and claim) or handed a job to run."""
        if self._pending:
            self._pending = False
            return None
        waiter: asyncio.Future[Job | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def reserve(self) -> asyncio.Future[Job | None] | None:
        """Take an idle loop out of the queue, to hand it a job (or None) later."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                return waiter
        return None

    def wake_one(self) -> None:
        waiter = self.reserve()
        if waiter is None:
            self._pending = True
        else:
            waiter.set_result(None)

    def wake_all(self) -> None:
        while (waiter := self.reserve()) is not None:
            waiter.set_result(None)


Step = Callable[[Services, Job], Awaitable[pipeline.FinalWrite | None]]


def announce_loops(concurrency: int) -> int:
    """One announce loop per eight evaluate loops, at least one. Announcing is a handful
    of Slack calls while it waits on the network; a single loop fell behind a burst of
    1,000 memos by up to 40 s (status messages late, evaluation slots starved)."""
    return max(1, -(-concurrency // 8))


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class WorkerPool:
    def __init__(self, services: Services, *, worker_id: str | None = None) -> None:
        self.services = services
        settings = services.runtime.config.coach.worker
        self.concurrency = settings.concurrency
        self.lease_seconds = settings.lease_seconds
        self.max_attempts = settings.max_attempts
        self.worker_id = worker_id or new_worker_id()
        self._stopping = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self._idle: dict[JobStage, IdleLoops] = {
            "announce": IdleLoops(),
            "evaluate": IdleLoops(),
        }
        self.busy = 0

    def start(self) -> None:
        loops = [("announce", pipeline.announce) for _ in range(announce_loops(self.concurrency))]
        loops += [("evaluate", pipeline.evaluate) for _ in range(self.concurrency)]
        self._loops = [
            asyncio.create_task(self._loop(stage, step), name=f"worker-{stage}-{i}")  # type: ignore[arg-type]
            for i, (stage, step) in enumerate(loops)
        ]
        self._loops.append(asyncio.create_task(self._dispatch(), name="worker-dispatch"))

    async def stop(self, grace: float = 20.0) -> None:
        """Stop claiming; give running jobs ``grace`` seconds, then cancel them (their
        jobs are released, or their leases simply expire)."""
        self._stopping.set()
        self.services.work_available.set()
        for idle in self._idle.values():
            idle.wake_all()
        if not self._loops:
            return
        _, pending = await asyncio.wait(self._loops, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)

    async def _loop(self, stage: JobStage, step: Step) -> None:
        idle = self._idle[stage]
        handed: Job | None = None
        while not self._stopping.is_set():
            # Every stage lets a burst of requests be answered first: announcing memos
            # mid-burst delayed the burst's last acks by up to 0.3 s (RESULTS.md).
            await self.services.acks.wait_for_acks()
            if self._stopping.is_set():  # stopped meanwhile: claim nothing more
                break
            if handed is None:
                job = await self._claim(stage)
                if job is None:
                    if not self._stopping.is_set():  # stop() has woken the waiting ones
                        handed = await idle.wait()
                    continue
                idle.wake_one()  # more may be due: let one idle sibling look
            else:
                job, handed = handed, None
            self.busy += 1
            try:
                await self._run(job, stage, step)
            except Exception:
                # Recording the outcome failed too (database down, locked, restarting):
                # keep this loop alive; the job is taken up again when its lease ends.
                log.exception("could not record a job's outcome; retried after its lease")
                await asyncio.sleep(IDLE_POLL_SECONDS)
            finally:
                self.busy -= 1
        if handed is not None:  # handed over just as the pool stopped: give it back
            await self._release(handed)

    async def _dispatch(self) -> None:
        """On new work here (intake sets ``work_available``), or every
        ``IDLE_POLL_SECONDS`` for work another replica queued, wake one idle loop per
        stage; a loop that claims a job wakes the next, so a burst fans out."""
        event = self.services.work_available
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), IDLE_POLL_SECONDS)
            if self._stopping.is_set():
                return
            event.clear()
            await self.services.acks.wait_for_acks()  # its write must not delay an intake
            await self._fail_exhausted_jobs()
            for idle in self._idle.values():
                idle.wake_one()

    async def _fail_exhausted_jobs(self) -> None:
        """Once per tick, not per claim: mark jobs whose last lease expired failed (claims
        already skip them; this only tells their memo's status)."""
        try:
            async with self.services.database.transaction() as session:
                for submission_id in await fail_expired_jobs(
                    session, max_attempts=self.max_attempts
                ):
                    await set_submission_status(session, submission_id, "failed")
        except Exception:
            log.exception("could not fail exhausted jobs; trying again next tick")

    async def _claim(self, stage: JobStage) -> Job | None:
        try:
            async with self.services.database.transaction() as session:
                return await claim_next_job(
                    session,
                    self.worker_id,
                    self.lease_seconds,
                    max_attempts=self.max_attempts,
                    stage=stage,
                )
        except Exception:
            log.exception("could not claim a job; retrying")
            await asyncio.sleep(IDLE_POLL_SECONDS)
            return None

    async def _run(self, job: Job, stage: JobStage, step: Step) -> None:
        context = bind_log_context(submission_id=job.submission_id, job_id=job.id, stage=stage)
        log.info(
            "job started",
            extra={
                "job_id": job.id,
                "submission_id": job.submission_id,
                "stage": stage,
                "attempt": job.attempts,
            },
        )
        heartbeat = asyncio.create_task(self._heartbeat(job))
        try:
            final_write = await step(self.services, job)
        except pipeline.SubmissionGone:
            await self._complete(job)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self._release(job)
            raise
        except Exception as exc:
            await self._failed(job, exc)
        else:
            if stage == "announce":
                await self._advance(job, final_write)
            else:
                await self._complete(job, final_write)
            log.info("job finished", extra={"job_id": job.id, "stage": stage})
        finally:
            heartbeat.cancel()
            reset_log_context(context)

    async def _advance(self, job: Job, final_write: pipeline.FinalWrite | None) -> None:
        """Queue the evaluate stage, or hand it straight to an idle evaluate loop under
        this worker's lease (no claim, and no sibling woken for nothing)."""
        evaluator = self._idle["evaluate"].reserve()
        handed: Job | None = None
        try:
            async with self.services.database.transaction() as session:
                if final_write is not None:
                    await final_write(session)
                if evaluator is None:
                    await advance_job(session, job.id, self.worker_id, "evaluate")
                else:
                    handed = await pass_job_on(
                        session, job.id, self.worker_id, "evaluate", self.lease_seconds
                    )
        finally:
            if evaluator is None:
                self._idle["evaluate"].wake_one()
            elif not evaluator.done():
                evaluator.set_result(handed)
            elif handed is not None:  # the loop was cancelled meanwhile (shutdown)
                await self._release(handed)

    async def _release(self, job: Job) -> None:
        async with self.services.database.transaction() as session:
            await release_job(session, job.id, self.worker_id)

    async def _complete(self, job: Job, final_write: pipeline.FinalWrite | None = None) -> None:
        async with self.services.database.transaction() as session:
            if final_write is not None:
                await final_write(session)
            await complete_job(session, job.id, self.worker_id)

    async def _failed(self, job: Job, exc: Exception) -> None:
        JOB_FAILURES.labels(stage=job.stage).inc()
        slack_error = str(exc.response.get("error")) if isinstance(exc, SlackApiError) else None
        reason = f"Slack API error: {slack_error}" if slack_error else type(exc).__name__
        log.warning(
            "job failed",
            extra={"job_id": job.id, "reason": reason, "attempt": job.attempts},
            exc_info=exc,
        )
        permanent = slack_error in UNPOSTABLE
        async with self.services.database.transaction() as session:
            failed = await fail_job(
                session,
                job.id,
                self.worker_id,
                reason,
                max_attempts=job.attempts if permanent else self.max_attempts,
                backoff_seconds=5,
            )
            if failed is not None and failed.status == "failed":
                await set_submission_status(session, job.submission_id, "failed")
        if permanent and slack_error and failed is not None and failed.status == "failed":
            try:
                await pipeline.report_unpostable(self.services, job, slack_error)
            except Exception:
                log.warning("could not tell the author their memo's channel refused the reply")

    async def _heartbeat(self, job: Job) -> None:
        """Renew the lease while the job runs, so slow model calls are not taken over."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                async with self.services.database.transaction() as session:
                    await extend_lease(session, job.id, self.worker_id, self.lease_seconds)
            except Exception:  # e.g. the database is restarting: try again next beat
                log.warning("could not renew a job's lease", exc_info=True)
