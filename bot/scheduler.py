"""Timed work: an APScheduler 3 ``AsyncIOScheduler`` with an in-memory job store.

APScheduler 3 must not share a job store between processes, so every replica keeps its
own schedule and fires on its own. It only *triggers*: each job decides in the database
(``storage.repositories.scheduled_runs``) whether this replica does the work, so a
digest or a backup happens once however many replicas fire.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.digests import background_sends, send_due_digests
from bot.maintenance_jobs import daily_retention, nightly_backup
from bot.periods import crontab_trigger
from bot.services import Services

log = logging.getLogger(__name__)

DIGEST_RETRY_EVERY = timedelta(minutes=15)
"""How soon a failed digest (or one missed while every replica was down) is sent."""
RETENTION_TRIGGER = CronTrigger(hour=3, minute=15, timezone=UTC)
"""Memo texts past retention are purged daily at 03:15 UTC."""
MISFIRE_GRACE_SECONDS = 600
"""A fire delayed by a busy loop or a suspended host still runs within this window."""
SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class ScheduledJob:
    """Something done on a schedule. Every replica fires it, so ``run`` must itself be
    exactly-once: claim a ``(name, period)`` run before working (see bot/digests.py)."""

    id: str
    trigger: Any
    """An APScheduler trigger."""
    run: Callable[[Services], Awaitable[object]]


async def _digest_tick(services: Services) -> None:
    await send_due_digests(services)


def scheduled_jobs(services: Services) -> list[ScheduledJob]:
    """Every job of this process, from coach.yaml; each claims its run per period."""
    coach = services.runtime.config.coach
    jobs: list[ScheduledJob] = []
    if coach.digest.enabled:
        jobs.append(ScheduledJob("digest", crontab_trigger(coach.digest), _digest_tick))
        retry = IntervalTrigger(seconds=DIGEST_RETRY_EVERY.total_seconds(), timezone=UTC)
        jobs.append(ScheduledJob("digest-retry", retry, _digest_tick))
    if coach.backup.enabled:
        jobs.append(ScheduledJob("backup", crontab_trigger(coach.backup), _backup_tick))
    jobs.append(ScheduledJob("retention", RETENTION_TRIGGER, _retention_tick))
    return jobs


async def _backup_tick(services: Services) -> None:
    await nightly_backup(services)


async def _retention_tick(services: Services) -> None:
    await daily_retention(services)


class Scheduler:
    """Fires ``jobs`` on their triggers; ``shutdown`` lets running jobs finish (bounded)."""

    def __init__(self, services: Services, jobs: list[ScheduledJob]) -> None:
        self.services = services
        self.jobs = jobs
        self._running: set[asyncio.Task[Any]] = set()
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
            timezone=UTC,
        )

    def start(self) -> None:
        for job in self.jobs:
            self._scheduler.add_job(self._fire, job.trigger, args=[job], id=job.id, name=job.id)
        self._scheduler.start()
        log.info("scheduler started", extra={"jobs": [job.id for job in self.jobs]})

    def next_fire_times(self) -> dict[str, Any]:
        """Job id → next fire time (for logs and tests)."""
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    async def _fire(self, job: ScheduledJob) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job.run(self.services)
        except Exception:
            log.exception("scheduled job failed", extra={"job": job.id})
        finally:
            if task is not None:
                self._running.discard(task)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stop firing; give running jobs and on-demand sends ``grace`` seconds, then
        cancel them (an interrupted digest is marked failed and retried elsewhere)."""
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        pending = self._running | set(background_sends(self.services))
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._scheduler.shutdown(wait=False)


def start_scheduler(services: Services) -> Scheduler:
    """The process's scheduler, started (call from a running event loop)."""
    scheduler = Scheduler(services, scheduled_jobs(services))
    scheduler.start()
    return scheduler
