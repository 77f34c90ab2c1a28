"""scheduled_runs: one claimer per (name, period), even when replicas claim at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.repositories.scheduled_runs import (
    claim_run,
    finished_runs,
    get_run,
    mark_run_done,
    mark_run_failed,
)
from tests.conftest import DatabaseFactory

STALE = timedelta(minutes=15)
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _claim(
    database: Database,
    owner: str,
    *,
    name: str = "digest:U1",
    period: str = "2026-W47",
    now: datetime = T0,
    max_attempts: int | None = None,
) -> bool:
    async with database.transaction() as session:
        return await claim_run(
            session, name, period, owner, stale_after=STALE, now=now, max_attempts=max_attempts
        )


async def _fail(database: Database, owner: str, error: str = "boom") -> bool:
    async with database.transaction() as session:
        return await mark_run_failed(session, "digest:U1", "2026-W47", owner, error)


async def _done(database: Database, owner: str) -> bool:
    async with database.transaction() as session:
        return await mark_run_done(session, "digest:U1", "2026-W47", owner, now=T0)


async def test_first_claim_wins_and_done_runs_stay_done(database: Database) -> None:
    assert await _claim(database, "a")
    assert not await _claim(database, "b")
    assert not await _done(database, "b"), "only the claimer records the outcome"
    assert await _done(database, "a")
    assert not await _claim(database, "b", now=T0 + timedelta(days=30))
    async with database.session() as session:
        run = await get_run(session, "digest:U1", "2026-W47")
    assert run is not None
    assert (run.status, run.attempts, run.claimed_by, run.done_at) == ("done", 1, "a", T0)


async def test_other_periods_and_names_are_separate_runs(database: Database) -> None:
    assert await _claim(database, "a")
    assert await _claim(database, "a", period="2026-W48")
    assert await _claim(database, "a", name="digest:U2")
    assert await _claim(database, "a", name="backup", period="2026-11-23")


async def test_failed_run_is_claimed_again_until_attempts_run_out(database: Database) -> None:
    assert await _claim(database, "a", max_attempts=2)
    assert await _fail(database, "a", "Slack API error: fatal_error")
    assert await _claim(database, "b", max_attempts=2)
    async with database.session() as session:
        run = await get_run(session, "digest:U1", "2026-W47")
    assert run is not None
    assert (run.status, run.attempts, run.claimed_by) == ("claimed", 2, "b")
    assert run.last_error == "Slack API error: fatal_error"
    assert await _fail(database, "b")
    assert not await _claim(database, "c", max_attempts=2)
    assert await _claim(database, "c"), "without a limit a failed run is always retried"


async def test_abandoned_claim_becomes_claimable_after_stale_after(database: Database) -> None:
    assert await _claim(database, "crashed")
    assert not await _claim(database, "b", now=T0 + STALE - timedelta(seconds=1))
    assert await _claim(database, "b", now=T0 + STALE)
    assert not await _done(database, "crashed"), "the crashed claimer lost the run"
    assert await _done(database, "b")


async def test_finished_runs_lists_only_done_ones(database: Database) -> None:
    assert await _claim(database, "a")
    assert await _done(database, "a")
    assert await _claim(database, "a", name="digest:U2")
    async with database.session() as session:
        done = await finished_runs(session, "2026-W47", ["digest:U1", "digest:U2", "digest:U3"])
        assert await finished_runs(session, "2026-W47", []) == set()
    assert done == {"digest:U1"}


async def test_concurrent_claimers_on_two_replicas_claim_exactly_once(
    database: Database, database_url: str, database_factory: DatabaseFactory
) -> None:
    other = await database_factory(database_url)
    replicas = [database, other]
    for period in ("2026-W47", "2026-W48", "2026-W49"):
        results = await asyncio.gather(
            *(_claim(replicas[i % 2], f"replica-{i}", period=period) for i in range(8))
        )
        assert sum(results) == 1, (period, results)


async def test_concurrent_retries_of_a_failed_run_claim_exactly_once(
    database: Database, database_url: str, database_factory: DatabaseFactory
) -> None:
    other = await database_factory(database_url)
    assert await _claim(database, "a")
    assert await _fail(database, "a")
    results = await asyncio.gather(
        *(_claim([database, other][i % 2], f"replica-{i}") for i in range(8))
    )
    assert sum(results) == 1, results
    async with database.session() as session:
        run = await get_run(session, "digest:U1", "2026-W47")
    assert run is not None
    assert run.attempts == 2
