"""Intake's group commit, on both databases: memos that arrive together share one
transaction, yet each gets its own answer — accepted, duplicate, rate-limited or a
failure that is only its own."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intake import MAX_BATCH, RATE_WINDOW, IntakeResult, MemoIntake, MemoRequest, Outcome
from config.coach import CoachConfig
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Job, Submission
from tests.conftest import DatabaseFactory
from tests.faults.locks import cut_connections, own_postgres_schema

MEMO = " ".join(["We should launch the pilot in May because revenue grows 12%."] * 8)


def _intake(database: Database, memos_per_hour: int = 50) -> MemoIntake:
    coach = CoachConfig.model_validate({"rate_limit": {"memos_per_hour": memos_per_hour}})
    return MemoIntake(database, coach, asyncio.Event())


def _request(user: str = "U1", text: str = MEMO, **fields: Any) -> MemoRequest:
    return MemoRequest(slack_user_id=user, source="dm", text=text, team_id="T1", **fields)


async def _count(session: AsyncSession, entity: type[Submission] | type[Job]) -> int:
    return int(await session.scalar(select(func.count()).select_from(entity)) or 0)


async def test_a_burst_shares_transactions_and_each_memo_keeps_its_own_row(
    database: Database,
) -> None:
    intake = _intake(database)
    requests = [
        _request(f"U{i}", f"{MEMO} Memo number {i}.", event_id=f"Ev{i}") for i in range(120)
    ]
    results = await asyncio.gather(*(intake.submit(r) for r in requests))
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    assert intake.work_available.is_set()
    async with database.session() as session:
        for request, result in zip(requests, results, strict=True):
            stored = await session.get(Submission, result.submission_id)
            assert stored is not None
            assert (stored.memo_text, stored.slack_event_id) == (request.text, request.event_id)
            assert stored.status == "queued"
        jobs = list(await session.scalars(select(Job)))
    assert sorted(j.submission_id for j in jobs) == sorted(r.submission_id or 0 for r in results)
    assert {(j.stage, j.status) for j in jobs} == {("announce", "queued")}


async def test_repeats_in_one_batch_and_across_batches_are_duplicates(database: Database) -> None:
    intake = _intake(database)
    first, again, file_event, other = await asyncio.gather(
        intake.submit(_request(event_id="Ev1")),
        intake.submit(_request(event_id="Ev1")),  # a Slack retry arriving at once
        intake.submit(_request(file_id="F1", files=[{"id": "F1"}])),
        intake.submit(_request(file_id="F1", event_id="Ev2", files=[{"id": "F1"}])),
    )
    assert (first.outcome, again.outcome) == (Outcome.ACCEPTED, Outcome.DUPLICATE)
    assert again.submission_id == first.submission_id
    assert (file_event.outcome, other.outcome) == (Outcome.ACCEPTED, Outcome.DUPLICATE)
    assert other.submission_id == file_event.submission_id
    later = await intake.submit(_request(event_id="Ev1"))
    assert (later.outcome, later.submission_id) == (Outcome.DUPLICATE, first.submission_id)
    async with database.session() as session:
        assert await _count(session, Submission) == await _count(session, Job) == 2


async def test_the_rate_limit_counts_memos_of_the_same_batch(database: Database) -> None:
    intake = _intake(database, memos_per_hour=3)
    earlier = await intake.submit(_request())
    assert earlier.outcome is Outcome.ACCEPTED
    results = await asyncio.gather(*(intake.submit(_request()) for _ in range(4)))
    outcomes = [r.outcome for r in results]
    assert outcomes == [Outcome.ACCEPTED] * 2 + [Outcome.RATE_LIMITED] * 2
    async with database.session() as session:
        first = await session.get(Submission, earlier.submission_id)
        assert first is not None
        assert results[-1].retry_at == first.created_at + RATE_WINDOW
        assert await _count(session, Submission) == 3
    assert results[-1].limit == 3


async def test_one_memo_that_cannot_be_stored_fails_alone(database: Database) -> None:
    intake = _intake(database)
    bad = MemoRequest(slack_user_id="U-bad", source="carrier-pigeon", text=MEMO)
    results = await asyncio.gather(
        *(intake.submit(_request(f"U{i}")) for i in range(5)),
        intake.submit(bad),
        return_exceptions=True,
    )
    *good, failed = results
    assert all(isinstance(r, IntakeResult) and r.outcome is Outcome.ACCEPTED for r in good)
    assert isinstance(failed, Exception)  # the listener answers 500 and Slack retries it
    async with database.session() as session:
        assert await _count(session, Submission) == await _count(session, Job) == 5
    assert (await intake.submit(_request("U-after"))).outcome is Outcome.ACCEPTED


async def test_a_memo_sent_right_after_another_is_written_too(database: Database) -> None:
    """The second arrives in the very step the first one's writer finishes."""
    intake = _intake(database)
    async with asyncio.timeout(10):  # in this task: no extra step between the two
        for i in range(3):
            assert (await intake.submit(_request(f"U{i}"))).outcome is Outcome.ACCEPTED


async def test_memos_arriving_while_a_batch_is_written_wait_for_the_next_one(
    database: Database,
) -> None:
    """One writer at a time: a burst read over many loop steps (as HTTP requests are)
    goes in a few transactions, one after another, never one per memo that came while
    the database was busy."""
    intake = _intake(database, memos_per_hour=1000)
    open_transactions, most_at_once, transactions = 0, 0, 0

    def began(_: Connection) -> None:
        nonlocal open_transactions, most_at_once, transactions
        open_transactions += 1
        transactions += 1
        most_at_once = max(most_at_once, open_transactions)

    def ended(_: Connection) -> None:
        nonlocal open_transactions
        open_transactions -= 1

    engine = database.engine.sync_engine
    listeners = (("begin", began), ("commit", ended), ("rollback", ended))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        arrivals = []
        for i in range(60):
            arrivals.append(asyncio.create_task(intake.submit(_request(f"U{i}"))))
            await asyncio.sleep(0)  # the next request is read a loop step later
        results = await asyncio.gather(*arrivals)
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    assert most_at_once == 1
    assert transactions < len(arrivals)


async def test_text_is_checked_before_anything_is_written(database: Database) -> None:
    result = await _intake(database).submit(_request(text="too short"))
    assert result.outcome is Outcome.REJECTED
    assert result.message is not None
    async with database.session() as session:
        assert await _count(session, Submission) == 0


async def test_two_replicas_racing_on_the_same_deliveries_store_each_once(
    database: Database, database_factory: DatabaseFactory
) -> None:
    """Two processes' intakes (own engines) get the same Slack retries at the same time;
    on PostgreSQL the loser's batch hits the unique key and is retried memo by memo."""
    replica = _intake(await database_factory(database.url))
    primary = _intake(database)
    events = [f"Ev{i}" for i in range(30)]
    pairs = await asyncio.gather(
        *(
            asyncio.gather(
                primary.submit(_request(f"U{i % 7}", event_id=event)),
                replica.submit(_request(f"U{i % 7}", event_id=event)),
            )
            for i, event in enumerate(events)
        )
    )
    for pair in pairs:
        assert sorted(r.outcome.value for r in pair) == ["accepted", "duplicate"]
        assert pair[0].submission_id == pair[1].submission_id
    async with database.session() as session:
        assert await _count(session, Submission) == await _count(session, Job) == len(events)


@pytest.mark.parametrize("memos", [1, MAX_BATCH + 50])
async def test_every_waiting_memo_is_answered_whatever_the_backlog(
    database: Database, memos: int
) -> None:
    intake = _intake(database, memos_per_hour=1000)
    results = await asyncio.gather(*(intake.submit(_request(f"U{i % 9}")) for i in range(memos)))
    assert {r.outcome for r in results} == {Outcome.ACCEPTED}
    assert len({r.submission_id for r in results}) == memos
    async with database.session() as session:
        assert await _count(session, Job) == memos


@pytest.mark.postgres
async def test_a_lone_memo_whose_connection_was_cut_a_moment_ago_is_stored() -> None:
    """A restart or failover between two memos: the pooled connection goes out unchecked
    (it was used a moment ago), fails, and the memo is written on a new one."""
    name = f"memo-coach-intake-{uuid.uuid4().hex[:8]}"
    async with own_postgres_schema(name) as url:
        await upgrade_database(url)
        database = Database(url)
        try:
            intake = _intake(database)
            assert (await intake.submit(_request("U1"))).outcome is Outcome.ACCEPTED
            assert await cut_connections(name) == 1
            assert (await intake.submit(_request("U2"))).outcome is Outcome.ACCEPTED
            async with database.session() as session:
                assert await _count(session, Submission) == await _count(session, Job) == 2
        finally:
            await database.dispose()
