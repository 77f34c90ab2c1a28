"""Nightly backups and the daily retention purge, fired by every replica's scheduler and
done once per period through ``run_once``."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from bot.maintenance import purge_old_memo_texts, run_backup
from bot.periods import closed_period
from bot.run_once import Outcome, run_once
from bot.services import Services
from bot.worker import new_worker_id
from storage.types import utcnow

log = logging.getLogger(__name__)

BACKUP_RUN = "backup"
RETENTION_RUN = "retention"
BACKUP_STALE_AFTER = timedelta(hours=2)
"""A backup claim older than this is from a crashed process and is taken over."""
RETENTION_STALE_AFTER = timedelta(minutes=30)


async def nightly_backup(services: Services, *, now: datetime | None = None) -> Outcome:
    """The backup for the schedule's current period (coach.yaml ``backup``)."""
    backup = services.runtime.config.coach.backup
    period = closed_period(backup, now or utcnow())

    async def work(_attempt: int) -> Path | str:
        made = await asyncio.to_thread(run_backup, services.runtime.settings, backup)
        log.info("scheduled backup", extra={"result": str(made), "period": period.key})
        return made

    outcome, _, _ = await run_once(
        services.database,
        BACKUP_RUN,
        period.key,
        new_worker_id(),
        work,
        stale_after=BACKUP_STALE_AFTER,
        now=now,
    )
    return outcome


async def daily_retention(services: Services, *, now: datetime | None = None) -> Outcome:
    """Purge memo texts past coach.yaml ``retention.memo_text_days`` (once per UTC day)."""
    day = (now or utcnow()).strftime("%Y-%m-%d")
    days = services.runtime.config.coach.retention.memo_text_days

    async def work(_attempt: int) -> int:
        return await purge_old_memo_texts(services.database, days)

    outcome, _, _ = await run_once(
        services.database,
        RETENTION_RUN,
        day,
        new_worker_id(),
        work,
        stale_after=RETENTION_STALE_AFTER,
        now=now,
    )
    return outcome
