"""The database misbehaves: SQLite's write lock held by another connection (shorter and
longer than the busy timeout), PostgreSQL restarted under load, and every connection of
a bot cut. Intake and workers wait or fail clearly and retry; no memo is lost or
answered twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic, Scripted
from tests.fakes.fake_slack import FakeSlack
from tests.faults.locks import (
    cut_connections,
    own_postgres_schema,
    restart_command,
    restart_postgres,
    sqlite_file,
    sqlite_write_lock,
)
from tests.faults.support import (
    feedback_posts,
    job_rows,
    memo_rows,
    posted_parts,
    wait_until_settled,
)
from tests.handlers.bot_process import wait_for_model_call
from tests.handlers.harness import Harness, running_bot
from tests.handlers.memos import STRONG

LLM = {"max_retries": 0, "timeout_seconds": 30}
LEASE_SECONDS = 10  # FAST_WORKERS in tests/handlers/harness.py
ONE_EVALUATOR = {"worker": {"concurrency": 1, "lease_seconds": LEASE_SECONDS, "max_attempts": 3}}
MANY_MEMOS = {"rate_limit": {"memos_per_hour": 1000}}


def _bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
    coach: dict[str, Any] | None = None,
) -> AbstractAsyncContextManager[Harness]:
    """The bot on the fake model with no model retries: the faults here are the
    database's."""
    return running_bot(
        monkeypatch, tmp_path, url, slack, anthropic=fake_anthropic, llm=LLM, coach=coach
    )


async def _answered_once(harness: Harness, url: str, events: list[dict[str, Any]]) -> None:
    rows = await wait_until_settled(url, len(events), within=60)
    assert [(status, evaluations) for _, status, evaluations in rows] == [("done", 1)] * len(
        events
    ), rows
    for event in events:
        channel = event["channel"]
        assert len(feedback_posts(harness.slack, channel, event["ts"])) == 1, event["ts"]
    assert set(posted_parts(harness.slack).values()) == {1}


# --- SQLite: the write lock held by someone else ----------------------------------------


async def test_sqlite_lock_within_the_busy_timeout_is_waited_out(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """Held 2 s (the busy timeout is 5 s) during intake and again while the evaluation is
    stored: both simply wait, and the job succeeds on its first attempt."""
    fake_anthropic.latency = 0.5
    async with _bot(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic) as harness:
        database_file = sqlite_file(sqlite_database_url)
        event = signing.dm_message(STRONG, user="U1")
        async with sqlite_write_lock(database_file):
            delivery = asyncio.create_task(harness.event(event))
            await asyncio.sleep(2)
            assert not delivery.done(), "intake waits for the lock"
        assert (await delivery)[0] == 200
        await wait_for_model_call(fake_anthropic)
        async with sqlite_write_lock(database_file):
            await asyncio.sleep(2)
        await _answered_once(harness, sqlite_database_url, [event])
        [(_, status, _, attempts, error)] = await job_rows(harness.bot.services.database)
    assert (status, attempts, error) == ("done", 1, None)
    assert len(fake_anthropic.requests) == 1


async def test_sqlite_lock_beyond_the_busy_timeout_fails_clearly_and_is_retried(
    short_busy_timeout: int,
    fast_job_retries: None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """Held longer than the (shortened, 1 s) busy timeout: intake answers Slack with an
    error, so Slack delivers the event again and the retry is accepted; storing the
    evaluation fails, the job failure is logged with its reason, and the retry answers.

    The bot's own transactions queue behind one another (an idle worker's claim may be
    ahead of the evaluation's write), so the lock is held for three busy timeouts."""
    fake_anthropic.latency = 0.5
    busy = short_busy_timeout / 1000
    async with _bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic, ONE_EVALUATOR
    ) as harness:
        database_file = sqlite_file(sqlite_database_url)
        event = signing.dm_message(STRONG, user="U1")
        event_id = signing.new_event_id()
        async with sqlite_write_lock(database_file):
            status, _ = await harness.event(event, event_id=event_id)
            assert status >= 500, "Slack is told the delivery failed"
        assert await memo_rows(sqlite_database_url) == []
        status, _ = await harness.event(
            event, event_id=event_id, retry_num=1, retry_reason="http_error"
        )
        assert status == 200
        await wait_for_model_call(fake_anthropic)
        async with sqlite_write_lock(database_file):
            await asyncio.sleep(3 * busy)
        await _answered_once(harness, sqlite_database_url, [event])
        [(_, job_status, _, attempts, _)] = await job_rows(harness.bot.services.database)
    assert (job_status, attempts) == ("done", 2)
    assert len(fake_anthropic.requests) == 2, "the evaluation was not stored the first time"
    failures = [r for r in caplog.records if r.getMessage() == "job failed"]
    assert [getattr(r, "reason", None) for r in failures] == ["OperationalError"]


async def test_sqlite_lock_outlasting_the_failure_report_loses_no_memo(
    short_busy_timeout: int,
    fast_job_retries: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """Held so long that recording the failure times out too (the evaluation's write and
    then the failure's each wait one busy timeout, possibly behind an idle worker's
    claim). The worker must survive that: the memo is answered once its lease ends, and
    a memo sent afterwards is answered too (one evaluate worker, so a worker loop that
    died would leave both unanswered)."""
    fake_anthropic.latency = 0.5
    async with _bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic, ONE_EVALUATOR
    ) as harness:
        database_file = sqlite_file(sqlite_database_url)
        event = signing.dm_message(STRONG, user="U1")
        assert (await harness.event(event))[0] == 200
        await wait_for_model_call(fake_anthropic)
        async with sqlite_write_lock(database_file):
            await asyncio.sleep(short_busy_timeout / 1000 * 5)
        second = signing.dm_message(STRONG, user="U2")
        assert (await harness.event(second))[0] == 200
        await _answered_once(harness, sqlite_database_url, [event, second])


@pytest.mark.slow
async def test_a_lease_renewal_lost_to_a_lock_does_not_hand_the_job_to_another_worker(
    short_busy_timeout: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """The model takes longer than the 10 s lease, so the lease lives on renewals (every
    lease/3). One renewal runs into the lock and fails: the next one must still happen,
    or the lease runs out, the other evaluate worker takes the job over and the memo is
    evaluated (and answered) twice."""
    fake_anthropic.script(Scripted.slow(LEASE_SECONDS + 1.5))
    async with _bot(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic) as harness:
        event = signing.dm_message(STRONG, user="U1")
        assert (await harness.event(event))[0] == 200
        await wait_for_model_call(fake_anthropic)
        # Locked from 1 s before the first renewal (lease/3 after the claim) until 0.67 s
        # after the second is due: the first fails (it also queues behind this process's
        # claims, which fail too), the second waits the lock out.
        busy = short_busy_timeout / 1000
        await asyncio.sleep(LEASE_SECONDS / 3 - busy)
        async with sqlite_write_lock(sqlite_file(sqlite_database_url)):
            await asyncio.sleep(LEASE_SECONDS / 3 + busy * 0.67)
        await _answered_once(harness, sqlite_database_url, [event])
    assert len(fake_anthropic.requests) == 1


# --- PostgreSQL: the server restarted, connections cut -----------------------------------


async def _deliver(harness: Harness, event: dict[str, Any]) -> int:
    """Deliver an event as Slack does: again (same event id) until it is acknowledged.
    Returns how many deliveries it took."""
    event_id = signing.new_event_id()
    for attempt in range(100):
        retry = {"retry_num": attempt, "retry_reason": "http_error"} if attempt else {}
        try:
            status, _ = await harness.event(event, event_id=event_id, **retry)
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        if status == 200:
            return attempt + 1
        await asyncio.sleep(0.3)
    raise AssertionError(f"event {event['ts']} never acknowledged")


async def _memos_through(
    harness: Harness,
    url: str,
    fault: Callable[[], Awaitable[None]],
    *,
    memos: int = 24,
    fault_after: int = 8,
) -> list[int]:
    """Send ``memos`` DMs, one every 50 ms; once ``fault_after`` were sent, inject the fault
    while the rest keep coming. Every memo must then be answered exactly once."""
    events = [signing.dm_message(STRONG, user=("U1", "U2")[n % 2]) for n in range(memos)]
    deliveries: list[asyncio.Task[int]] = []
    faulted: asyncio.Task[None] | None = None
    for n, event in enumerate(events):
        if n == fault_after:
            faulted = asyncio.create_task(fault())
        deliveries.append(asyncio.create_task(_deliver(harness, event)))
        await asyncio.sleep(0.05)
    assert faulted is not None
    await faulted
    attempts = list(await asyncio.gather(*deliveries))
    await _answered_once(harness, url, events)
    return attempts


@pytest.mark.slow
@pytest.mark.postgres
async def test_postgres_restarted_under_load_answers_every_memo_once(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """A real server restart (every connection dropped, new ones refused for a moment)
    while memos arrive and are being evaluated."""
    command = restart_command()
    fake_anthropic.latency = 0.3
    name = f"memo-coach-fault-{uuid.uuid4().hex[:8]}"
    async with (
        own_postgres_schema(name) as url,
        _bot(monkeypatch, tmp_path, url, slack, fake_anthropic, MANY_MEMOS) as harness,
    ):
        await _memos_through(harness, url, lambda: restart_postgres(command))
        assert (await harness.bot.readiness())["database"] == "ok"


@pytest.mark.postgres
async def test_postgres_connections_cut_under_load_answer_every_memo_once(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """Every connection of the bot terminated twice (a failover, a proxy restart), with
    no special rights needed: pooled connections are found dead and replaced."""
    fake_anthropic.latency = 0.3
    name = f"memo-coach-fault-{uuid.uuid4().hex[:8]}"

    async def cut_twice() -> None:
        assert await cut_connections(name) > 0
        await asyncio.sleep(0.4)
        assert await cut_connections(name) > 0

    async with (
        own_postgres_schema(name) as url,
        _bot(monkeypatch, tmp_path, url, slack, fake_anthropic, MANY_MEMOS) as harness,
    ):
        await _memos_through(harness, url, cut_twice)
