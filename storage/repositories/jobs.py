"""The evaluation job queue: at-least-once work under expiring leases.

A job has two stages: ``announce`` (post the visible status message, quick) and
``evaluate`` (the slow part). Separate stages let a process keep a slot for announcing
so users see their memo acknowledged even while every evaluation slot is busy.

A worker claims a job (one atomic UPDATE), holds it for ``lease_seconds`` and completes
or fails it. A worker that dies simply lets the lease expire; the job is then claimable
again. Every function takes ``now`` so tests and callers agree on one clock.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Table,
    TextClause,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningUpdate

from storage.models import JOB_UNFINISHED, Job, JobStage
from storage.repositories._sql import (
    POPULATE_EXISTING,
    affected,
    array_parameter,
    dialect_name,
)
from storage.types import BigId, UTCDateTime, utcnow

MAX_ERROR_CHARS = 4000
UNSYNCHRONIZED: dict[str, Any] = {"synchronize_session": False}
"""For lease updates: workers keep their own Job copies, no session holds them, and
skipping the ORM's in-session sync is measurably cheaper per job."""


_NOW = bindparam("now", type_=UTCDateTime())
_ENQUEUE_ARRAY = insert(cast(Table, Job.__table__)).from_select(  # Core: one set of values
    ["submission_id", "status", "stage", "attempts", "run_after", "created_at", "updated_at"],
    select(
        func.unnest(array_parameter("submission_ids", BigId)),
        literal("queued"),
        literal("announce"),
        literal(0),
        _NOW,
        _NOW,
        _NOW,
    ),
)
"""PostgreSQL: one statement whatever the batch size, its ids one array. An executemany
runs an INSERT per row: 7 ms for a burst's 100 jobs, against under 3 ms
(benchmarks/RESULTS.md, fifth round)."""


async def enqueue_jobs(session: AsyncSession, submission_ids: Sequence[int], now: datetime) -> None:
    """Queue the announce stage for new submissions, in one statement (intake batches)."""
    if not submission_ids:
        return
    if dialect_name(session) == "postgresql":
        await session.execute(_ENQUEUE_ARRAY, {"submission_ids": list(submission_ids), "now": now})
        return
    await session.execute(
        insert(Job),
        [
            {
                "submission_id": submission_id,
                "status": "queued",
                "stage": "announce",
                "run_after": now,
            }
            for submission_id in submission_ids
        ],
    )


# The statements a job runs through on every memo are built once, with the values bound
# at each call: building the claim statement and its cache key took ~0.7 ms of CPU, more
# than running it (benchmarks/RESULTS.md, fourth round).
_HELD = and_(
    Job.id == bindparam("job_id"),
    Job.status == "running",
    Job.lease_owner == bindparam("worker_id"),
)
"""The job is running under ``worker_id``'s lease."""


def unfinished() -> TextClause:
    """Queued or running, written as the partial index ``ix_jobs_unfinished`` says it."""
    return text(JOB_UNFINISHED)


def _claimable(stage: JobStage | None, limit_attempts: bool) -> ColumnElement[bool]:
    """Due at ``:now``: queued and due, or running under an expired lease (with attempts
    below ``:max_attempts`` when ``limit_attempts``)."""
    now: BindParameter[datetime] = bindparam("now")
    expired = and_(Job.status == "running", Job.lease_expires_at <= now)
    if limit_attempts:
        expired = and_(expired, Job.attempts < bindparam("max_attempts"))
    due = and_(unfinished(), or_(and_(Job.status == "queued", Job.run_after <= now), expired))
    return due if stage is None else and_(Job.stage == stage, due)


@functools.cache
def _claim_statement(stage: JobStage | None, limit_attempts: bool) -> ReturningUpdate[Job]:
    """UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING, per shape."""
    next_id = (
        select(Job.id)
        .where(_claimable(stage, limit_attempts))
        .order_by(Job.run_after, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(Job)
        .where(Job.id == next_id, _claimable(stage, limit_attempts))
        .values(
            status="running",
            attempts=Job.attempts + 1,
            lease_owner=bindparam("worker_id"),
            lease_expires_at=bindparam("lease_expires_at"),
            updated_at=bindparam("now"),
        )
        .returning(Job)
    )


async def claim_next_job(
    session: AsyncSession,
    worker_id: str,
    lease_seconds: float,
    *,
    max_attempts: int | None = None,
    stage: JobStage | None = None,
    now: datetime | None = None,
) -> Job | None:
    """Lease the next due job (of ``stage``, when given; oldest ``run_after`` first) to
    ``worker_id``, or None.

    Jobs whose lease expired are claimable again, unless ``max_attempts`` is given and
    they have used them all (``fail_expired_jobs`` marks those failed).

    One statement: UPDATE … WHERE id = (SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING. PostgreSQL claimers skip each other's locked rows; SQLite runs writers one
    at a time (the FOR UPDATE clause is omitted there). Commit promptly after claiming:
    the lease is only visible to other workers once committed.
    """
    now = now or utcnow()
    params: dict[str, Any] = {
        "now": now,
        "worker_id": worker_id,
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
    }
    if max_attempts is not None:
        params["max_attempts"] = max_attempts
    result = await session.scalars(
        _claim_statement(stage, max_attempts is not None),
        params,
        execution_options=POPULATE_EXISTING,
    )
    return result.one_or_none()


_EXTEND_LEASE = (
    update(Job)
    .where(_HELD)
    .values(lease_expires_at=bindparam("lease_expires_at"), updated_at=bindparam("now"))
)


async def extend_lease(
    session: AsyncSession,
    job_id: int,
    worker_id: str,
    lease_seconds: float,
    *,
    now: datetime | None = None,
) -> bool:
    """Keep a long evaluation's lease alive; False if the lease was lost."""
    now = now or utcnow()
    result = await session.execute(
        _EXTEND_LEASE,
        {
            "job_id": job_id,
            "worker_id": worker_id,
            "lease_expires_at": now + timedelta(seconds=lease_seconds),
            "now": now,
        },
        execution_options=UNSYNCHRONIZED,
    )
    return affected(result) > 0


_COMPLETE = (
    update(Job)
    .where(_HELD)
    .values(status="done", lease_owner=None, lease_expires_at=None, updated_at=bindparam("now"))
)


async def complete_job(session: AsyncSession, job_id: int, worker_id: str) -> bool:
    """Mark the job done; False if ``worker_id`` no longer holds its lease."""
    result = await session.execute(
        _COMPLETE,
        {"job_id": job_id, "worker_id": worker_id, "now": utcnow()},
        execution_options=UNSYNCHRONIZED,
    )
    return affected(result) > 0


_ADVANCE = (
    update(Job)
    .where(_HELD)
    .values(
        status="queued",
        stage=bindparam("stage"),
        attempts=0,
        run_after=bindparam("now"),
        lease_owner=None,
        lease_expires_at=None,
        updated_at=bindparam("now"),
    )
)


async def advance_job(session: AsyncSession, job_id: int, worker_id: str, stage: JobStage) -> bool:
    """Finish the current stage: queue the job at ``stage`` with fresh attempts, due now.
    False if ``worker_id`` no longer holds the lease."""
    result = await session.execute(
        _ADVANCE,
        {"job_id": job_id, "worker_id": worker_id, "stage": stage, "now": utcnow()},
        execution_options=UNSYNCHRONIZED,
    )
    return affected(result) > 0


_PASS_ON = (
    update(Job)
    .where(_HELD)
    .values(
        stage=bindparam("stage"),
        attempts=1,
        run_after=bindparam("now"),
        lease_expires_at=bindparam("lease_expires_at"),
        updated_at=bindparam("now"),
    )
    .returning(Job)
)


async def pass_job_on(
    session: AsyncSession,
    job_id: int,
    worker_id: str,
    stage: JobStage,
    lease_seconds: float,
) -> Job | None:
    """Finish the current stage and lease the job at ``stage`` to the same worker, in one
    statement (a worker with a free slot for ``stage`` runs it without a claim). None if
    ``worker_id`` no longer holds the lease."""
    now = utcnow()
    result = await session.scalars(
        _PASS_ON,
        {
            "job_id": job_id,
            "worker_id": worker_id,
            "stage": stage,
            "now": now,
            "lease_expires_at": now + timedelta(seconds=lease_seconds),
        },
        execution_options=POPULATE_EXISTING,
    )
    return result.one_or_none()


async def restart_job(session: AsyncSession, submission_id: int) -> bool:
    """Queue a finished or failed submission's job again from the evaluate stage (the
    user pressed "Try again"); False when it is still queued or running."""
    now = utcnow()
    result = await session.execute(
        update(Job)
        .where(Job.submission_id == submission_id, Job.status.in_(("done", "failed")))
        .values(
            status="queued",
            stage="evaluate",
            attempts=0,
            run_after=now,
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
            updated_at=now,
        )
    )
    return affected(result) > 0


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base, … capped at one hour."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 3600.0))


async def fail_job(
    session: AsyncSession,
    job_id: int,
    worker_id: str,
    error: str,
    *,
    max_attempts: int,
    backoff_seconds: float = 30.0,
    now: datetime | None = None,
) -> Job | None:
    """Record a failure: requeue with backoff, or mark failed once ``max_attempts`` are
    used. Returns the job (its status says which), or None if the lease was lost."""
    now = now or utcnow()
    held = {"job_id": job_id, "worker_id": worker_id}
    attempts = await session.scalar(select(Job.attempts).where(_HELD), held)
    if attempts is None:
        return None
    exhausted = attempts >= max_attempts
    # Conditional on the lease and attempt count we read: another worker may have
    # reclaimed an expired lease in between, and then this failure is not ours to record.
    result = await session.scalars(
        update(Job)
        .where(_HELD, Job.attempts == attempts)
        .values(
            status="failed" if exhausted else "queued",
            run_after=Job.run_after if exhausted else now + retry_delay(attempts, backoff_seconds),
            last_error=error[:MAX_ERROR_CHARS],
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
        .returning(Job),
        held,
        execution_options=POPULATE_EXISTING,
    )
    return result.one_or_none()


async def release_job(session: AsyncSession, job_id: int, worker_id: str) -> bool:
    """Hand a claimed job back untouched (e.g. at shutdown); the attempt is not counted."""
    result = await session.execute(
        update(Job)
        .where(_HELD)
        .values(
            status="queued",
            attempts=Job.attempts - 1,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=utcnow(),
        ),
        {"job_id": job_id, "worker_id": worker_id},
        execution_options=UNSYNCHRONIZED,
    )
    return affected(result) > 0


async def fail_expired_jobs(
    session: AsyncSession, *, max_attempts: int, now: datetime | None = None
) -> list[int]:
    """Fail jobs whose lease expired after their last allowed attempt (a job that kills
    its worker every time must not be retried forever). Returns their submission ids."""
    now = now or utcnow()
    result = await session.scalars(
        update(Job)
        .where(
            unfinished(),
            Job.status == "running",
            Job.lease_expires_at <= now,
            Job.attempts >= max_attempts,
        )
        .values(
            status="failed",
            lease_owner=None,
            lease_expires_at=None,
            last_error="lease expired on the last attempt",
            updated_at=now,
        )
        .returning(Job.submission_id)
    )
    return list(result)


async def get_job(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id, populate_existing=True)
