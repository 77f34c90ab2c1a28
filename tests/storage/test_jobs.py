"""The job queue: exactly-once claims, leases, retries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import Job
from storage.repositories.jobs import (
    advance_job,
    claim_next_job,
    complete_job,
    enqueue_jobs,
    extend_lease,
    fail_expired_jobs,
    fail_job,
    get_job,
    pass_job_on,
    release_job,
    retry_delay,
)
from storage.types import utcnow
from tests.conftest import DatabaseFactory
from tests.storage import factories

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


async def _enqueue(database: Database, count: int, *, run_after: datetime = NOW) -> list[Job]:
    async with database.transaction() as session:
        owner = await factories.user(session)
        memos = [await factories.submission(session, owner) for _ in range(count)]
        await enqueue_jobs(session, [memo.id for memo in memos], run_after)
        jobs = await session.scalars(select(Job).order_by(Job.id))
        return list(jobs)


async def _claim(database: Database, worker: str, *, now: datetime = NOW, **kw: int) -> Job | None:
    async with database.transaction() as session:
        return await claim_next_job(session, worker, 60, now=now, **kw)


async def test_enqueue_is_once_per_submission(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    assert (job.status, job.stage, job.attempts, job.lease_owner) == ("queued", "announce", 0, None)
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await enqueue_jobs(session, [job.submission_id], NOW)


async def test_a_batch_of_jobs_is_queued_whole(database: Database) -> None:
    """Intake queues a burst's jobs in one statement (an array of ids on PostgreSQL)."""
    jobs = await _enqueue(database, 50)
    assert len({job.submission_id for job in jobs}) == 50
    for job in jobs:
        assert (job.status, job.stage, job.attempts, job.run_after) == (
            "queued",
            "announce",
            0,
            NOW,
        )
        assert job.created_at is not None
        assert job.updated_at is not None
        assert (job.lease_owner, job.lease_expires_at, job.last_error) == (None, None, None)


async def test_claim_takes_due_jobs_oldest_first(database: Database) -> None:
    later, earlier = await _enqueue(database, 2)
    async with database.transaction() as session:
        stored = await get_job(session, earlier.id)
        assert stored is not None
        stored.run_after = NOW - timedelta(minutes=5)
    first = await _claim(database, "w1")
    second = await _claim(database, "w1")
    assert first is not None
    assert second is not None
    assert (first.id, second.id) == (earlier.id, later.id)
    assert (first.status, first.attempts, first.lease_owner) == ("running", 1, "w1")
    assert first.lease_expires_at == NOW + timedelta(seconds=60)
    assert await _claim(database, "w1") is None


async def test_future_jobs_wait(database: Database) -> None:
    await _enqueue(database, 1, run_after=NOW + timedelta(minutes=1))
    assert await _claim(database, "w1") is None
    assert await _claim(database, "w1", now=NOW + timedelta(minutes=1)) is not None


async def test_complete(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    claimed = await _claim(database, "w1")
    assert claimed is not None
    async with database.transaction() as session:
        assert not await complete_job(session, job.id, "someone-else")
        assert await complete_job(session, job.id, "w1")
        assert not await complete_job(session, job.id, "w1")  # already done
        stored = await get_job(session, job.id)
    assert stored is not None
    assert (stored.status, stored.lease_owner, stored.lease_expires_at) == ("done", None, None)
    assert await _claim(database, "w2", now=NOW + timedelta(hours=1)) is None


async def test_fail_retries_with_backoff_then_gives_up(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    now = NOW
    for attempt in (1, 2):
        assert await _claim(database, "w1", now=now) is not None
        async with database.transaction() as session:
            failed = await fail_job(
                session, job.id, "w1", "timeout", max_attempts=3, backoff_seconds=10, now=now
            )
        assert failed is not None
        assert (failed.status, failed.attempts, failed.last_error) == ("queued", attempt, "timeout")
        assert failed.run_after == now + retry_delay(attempt, 10)
        assert await _claim(database, "w1", now=failed.run_after - timedelta(seconds=1)) is None
        now = failed.run_after
    assert await _claim(database, "w1", now=now) is not None
    async with database.transaction() as session:
        final = await fail_job(session, job.id, "w1", "x" * 10_000, max_attempts=3, now=now)
    assert final is not None
    assert (final.status, final.attempts) == ("failed", 3)
    assert final.last_error is not None
    assert len(final.last_error) == 4000
    assert await _claim(database, "w1", now=now + timedelta(days=1)) is None


async def test_advance_queues_the_next_stage_and_passing_on_keeps_it(
    database: Database,
) -> None:
    """advance_job lets any worker claim the evaluate stage; pass_job_on gives it to the
    same worker under a fresh lease, so nobody else can claim it."""
    await _enqueue(database, 2, run_after=utcnow())
    async with database.transaction() as session:
        queued = await claim_next_job(session, "w1", 60)
        passed = await claim_next_job(session, "w1", 60)
    assert queued is not None
    assert passed is not None
    async with database.transaction() as session:
        assert await advance_job(session, queued.id, "w1", "evaluate")
        handed = await pass_job_on(session, passed.id, "w1", "evaluate", 60)
        assert await pass_job_on(session, queued.id, "w1", "evaluate", 60) is None  # let go
    assert handed is not None
    assert (handed.id, handed.status, handed.stage) == (passed.id, "running", "evaluate")
    assert (handed.attempts, handed.lease_owner) == (1, "w1")
    assert handed.lease_expires_at is not None
    assert handed.lease_expires_at > utcnow()
    async with database.transaction() as session:
        other = await claim_next_job(session, "w2", 60, stage="evaluate")
        assert await claim_next_job(session, "w2", 60, stage="evaluate") is None
    assert other is not None
    assert other.id == queued.id
    async with database.transaction() as session:
        assert await complete_job(session, handed.id, "w1")


async def test_claims_and_expiry_checks_read_only_unfinished_jobs(database: Database) -> None:
    """Finished jobs stay in the table; the claim and the expired-lease check must use the
    partial index on unfinished jobs (SQLite uses it only when the query repeats its
    condition word for word), so they do not slow down as the history grows."""
    await _enqueue(database, 3, run_after=utcnow())
    executed: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        executed.append((statement, parameters))

    sync_engine = database.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", capture)
    try:
        async with database.transaction() as session:
            assert await claim_next_job(session, "w1", 60, max_attempts=3, stage="announce")
            await fail_expired_jobs(session, max_attempts=3)
    finally:
        event.remove(sync_engine, "before_cursor_execute", capture)
    sqlite = database.dialect == "sqlite"
    async with database.engine.connect() as connection:
        if not sqlite:  # a tiny table: make the planner show whether the index is usable
            await connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in executed:
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            plan = str((await connection.exec_driver_sql(explain + statement, parameters)).all())
            assert "ix_jobs_unfinished" in plan, (statement, plan)
            assert "TEMP B-TREE" not in plan  # claim order is the index's order


def test_retry_delay_doubles_and_is_capped() -> None:
    assert [retry_delay(n, 30).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30, 30) == timedelta(hours=1)


async def test_fail_without_the_lease_does_nothing(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    async with database.transaction() as session:
        assert await fail_job(session, job.id, "w1", "boom", max_attempts=3) is None


async def test_release_returns_the_job_without_spending_an_attempt(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    assert await _claim(database, "w1") is not None
    async with database.transaction() as session:
        assert not await release_job(session, job.id, "w2")
        assert await release_job(session, job.id, "w1")
    again = await _claim(database, "w2")
    assert again is not None
    assert (again.id, again.attempts, again.lease_owner) == (job.id, 1, "w2")


async def test_expired_lease_is_reclaimed(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    assert await _claim(database, "dead-worker") is not None
    assert await _claim(database, "w2", now=NOW + timedelta(seconds=59)) is None
    reclaimed = await _claim(database, "w2", now=NOW + timedelta(seconds=60))
    assert reclaimed is not None
    assert (reclaimed.id, reclaimed.lease_owner, reclaimed.attempts) == (job.id, "w2", 2)
    async with database.transaction() as session:
        # The first worker lost its lease: its late completion is refused.
        assert not await complete_job(session, job.id, "dead-worker")
        assert await complete_job(session, job.id, "w2")


async def test_extend_lease(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    assert await _claim(database, "w1") is not None
    async with database.transaction() as session:
        later = NOW + timedelta(seconds=50)
        assert await extend_lease(session, job.id, "w1", 60, now=later)
        assert not await extend_lease(session, job.id, "w2", 60, now=later)
    assert await _claim(database, "w2", now=NOW + timedelta(seconds=100)) is None
    assert await _claim(database, "w2", now=NOW + timedelta(seconds=110)) is not None


async def test_exhausted_expired_jobs_fail_instead_of_looping(database: Database) -> None:
    [job] = await _enqueue(database, 1)
    assert await _claim(database, "w1", max_attempts=1) is not None
    expired = NOW + timedelta(minutes=5)
    assert await _claim(database, "w2", now=expired, max_attempts=1) is None
    async with database.transaction() as session:
        assert await fail_expired_jobs(session, max_attempts=1, now=expired) == [job.submission_id]
        stored = await get_job(session, job.id)
    assert stored is not None
    assert stored.status == "failed"


@pytest.mark.parametrize("claimers", [8])
async def test_concurrent_claimers_on_two_engines_claim_each_job_once(
    database: Database, database_factory: DatabaseFactory, claimers: int
) -> None:
    jobs = await _enqueue(database, 30)
    replicas = [database, await database_factory(database.url)]
    claimed: list[tuple[str, int]] = []

    async def worker(index: int) -> None:
        name = f"worker-{index}"
        while True:
            async with replicas[index % 2].transaction() as session:
                job = await claim_next_job(session, name, 60, now=NOW)
            if job is None:
                return
            claimed.append((name, job.id))
            await asyncio.sleep(0)

    await asyncio.gather(*(worker(i) for i in range(claimers)))
    ids = [job_id for _, job_id in claimed]
    assert sorted(ids) == sorted(job.id for job in jobs)  # every job, exactly once
    assert len({name for name, _ in claimed}) > 1
