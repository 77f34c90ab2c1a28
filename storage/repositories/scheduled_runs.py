"""Exactly-once scheduled work across replicas.

Every replica runs the same in-memory schedule (APScheduler must not share a job store
between processes), so every replica fires. The database decides who does the work: a
run is one row per free-form ``(name, period)``, e.g. ``("digest:U123", "2026-W47")`` or
``("backup", "2026-11-23")``, and only the claimer that created the row, or that takes
over a failed or abandoned one, gets ``True`` from :func:`claim_run`.

Commit the claim before doing the work, and record the outcome in a new transaction:
a claim is only visible to other replicas once committed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ScheduledRun
from storage.repositories._sql import POPULATE_EXISTING, affected, upsert
from storage.types import utcnow

MAX_ERROR_CHARS = 2000


async def claim_run(
    session: AsyncSession,
    name: str,
    period: str,
    owner: str,
    *,
    stale_after: timedelta,
    max_attempts: int | None = None,
    now: datetime | None = None,
) -> bool:
    """True if ``owner`` may do this run now.

    A new run is claimed with one INSERT … ON CONFLICT DO NOTHING, so of several
    concurrent claimers exactly one inserts. An existing run is taken over only if it
    failed (and has attempts left, when ``max_attempts`` is given) or its claim is older
    than ``stale_after`` (its claimer crashed); the conditional UPDATE lets one of several
    claimers win. A done run is never claimed again.
    """
    now = now or utcnow()
    inserted = await session.scalar(
        upsert(session, ScheduledRun)
        .values(
            name=name,
            period=period,
            status="claimed",
            attempts=1,
            claimed_by=owner,
            claimed_at=now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[ScheduledRun.name, ScheduledRun.period])
        .returning(ScheduledRun.id)
    )
    if inserted is not None:
        return True
    result = await session.execute(
        update(ScheduledRun)
        .where(_run(name, period), _reclaimable(now, stale_after, max_attempts))
        .values(
            status="claimed",
            attempts=ScheduledRun.attempts + 1,
            claimed_by=owner,
            claimed_at=now,
            done_at=None,
        )
    )
    return affected(result) > 0


def _run(name: str, period: str) -> ColumnElement[bool]:
    return and_(ScheduledRun.name == name, ScheduledRun.period == period)


def _reclaimable(
    now: datetime, stale_after: timedelta, max_attempts: int | None
) -> ColumnElement[bool]:
    failed: ColumnElement[bool] = ScheduledRun.status == "failed"
    if max_attempts is not None:
        failed = and_(failed, ScheduledRun.attempts < max_attempts)
    abandoned = and_(ScheduledRun.status == "claimed", ScheduledRun.claimed_at <= now - stale_after)
    return or_(failed, abandoned)


def _held(name: str, period: str, owner: str) -> ColumnElement[bool]:
    return and_(
        _run(name, period), ScheduledRun.status == "claimed", ScheduledRun.claimed_by == owner
    )


async def mark_run_done(
    session: AsyncSession, name: str, period: str, owner: str, *, now: datetime | None = None
) -> bool:
    """Record success; False if ``owner`` no longer holds the claim (it went stale and
    another replica took over)."""
    result = await session.execute(
        update(ScheduledRun)
        .where(_held(name, period, owner))
        .values(status="done", done_at=now or utcnow(), last_error=None)
    )
    return affected(result) > 0


async def mark_run_failed(
    session: AsyncSession, name: str, period: str, owner: str, error: str
) -> bool:
    """Record a failure so the next tick may claim the run again; False if the claim was
    lost."""
    result = await session.execute(
        update(ScheduledRun)
        .where(_held(name, period, owner))
        .values(status="failed", last_error=error[:MAX_ERROR_CHARS])
    )
    return affected(result) > 0


async def get_run(session: AsyncSession, name: str, period: str) -> ScheduledRun | None:
    result = await session.scalars(
        select(ScheduledRun).where(_run(name, period)), execution_options=POPULATE_EXISTING
    )
    return result.one_or_none()


async def finished_runs(session: AsyncSession, period: str, names: Collection[str]) -> set[str]:
    """Which of ``names`` are done for ``period``: a tick skips them without claiming."""
    if not names:
        return set()
    result = await session.scalars(
        select(ScheduledRun.name).where(
            ScheduledRun.period == period,
            ScheduledRun.name.in_(list(names)),
            ScheduledRun.status == "done",
        )
    )
    return set(result)
