"""The worker pool: claims jobs from the database under a lease and runs them.

One announce loop (cheap: posts the status message, so users see their memo is in even
when every evaluation slot is busy) and ``concurrency`` evaluate loops. Leases are
renewed while a job runs; a job whose worker died is claimed again when its lease ends,
by this process after a restart or by another replica.
"""

from __future__ import annotations

import asyncio
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
    release_job,
)

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
"""How often idle workers look for jobs another replica queued (intake here wakes them)."""

Step = Callable[[Services, Job], Awaitable[None]]


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
        self.busy = 0

    def start(self) -> None:
        loops = [("announce", pipeline.announce)] + [
            ("evaluate", pipeline.evaluate) for _ in range(self.concurrency)
        ]
        self._loops = [
            asyncio.create_task(self._loop(stage, step), name=f"worker-{stage}-{i}")  # type: ignore[arg-type]
            for i, (stage, step) in enumerate(loops)
        ]

    async def stop(self, grace: float = 20.0) -> None:
        """Stop claiming; give running jobs ``grace`` seconds, then cancel them (their
        jobs are released, or their leases simply expire)."""
        self._stopping.set()
        self.services.work_available.set()
        if not self._loops:
            return
        _, pending = await asyncio.wait(self._loops, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)

    async def _loop(self, stage: JobStage, step: Step) -> None:
        while not self._stopping.is_set():
            job = await self._claim(stage)
            if job is None:
                await self._idle()
                continue
            self.busy += 1
            try:
                await self._run(job, stage, step)
            finally:
                self.busy -= 1

    async def _idle(self) -> None:
        event = self.services.work_available
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), IDLE_POLL_SECONDS)
        if not self._stopping.is_set():
            event.clear()

    async def _claim(self, stage: JobStage) -> Job | None:
        try:
            async with self.services.database.transaction() as session:
                await fail_expired_jobs(session, max_attempts=self.max_attempts)
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
            await step(self.services, job)
        except pipeline.SubmissionGone:
            await self._complete(job)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                async with self.services.database.transaction() as session:
                    await release_job(session, job.id, self.worker_id)
            raise
        except Exception as exc:
            await self._failed(job, exc)
        else:
            if stage == "announce":
                async with self.services.database.transaction() as session:
                    await advance_job(session, job.id, self.worker_id, "evaluate")
                self.services.work_available.set()
            else:
                await self._complete(job)
            log.info("job finished", extra={"job_id": job.id, "stage": stage})
        finally:
            heartbeat.cancel()
            reset_log_context(context)

    async def _complete(self, job: Job) -> None:
        async with self.services.database.transaction() as session:
            await complete_job(session, job.id, self.worker_id)

    async def _failed(self, job: Job, exc: Exception) -> None:
        JOB_FAILURES.labels(stage=job.stage).inc()
        reason = (
            f"Slack API error: {exc.response.get('error')}"
            if isinstance(exc, SlackApiError)
            else f"{type(exc).__name__}"
        )
        log.warning(
            "job failed",
            extra={"job_id": job.id, "reason": reason, "attempt": job.attempts},
            exc_info=exc,
        )
        async with self.services.database.transaction() as session:
            await fail_job(
                session,
                job.id,
                self.worker_id,
                reason,
                max_attempts=self.max_attempts,
                backoff_seconds=5,
            )

    async def _heartbeat(self, job: Job) -> None:
        """Renew the lease while the job runs, so slow model calls are not taken over."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            async with self.services.database.transaction() as session:
                await extend_lease(session, job.id, self.worker_id, self.lease_seconds)
