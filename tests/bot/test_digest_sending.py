"""Sending digests through the real Services and Slack client against the fake Slack:
exactly once per manager and period with two replicas firing together, retries after a
failure, take-over of a crashed claim, and the scheduler's jobs."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.digests import STALE_AFTER, run_name, send_due_digests
from bot.periods import closed_period
from bot.runners import build_services
from bot.runtime import load_runtime
from bot.scheduler import start_scheduler
from bot.services import Services
from config.coach import Schedule
from storage.repositories.scheduled_runs import claim_run, get_run
from tests.bot.digest_fixtures import NOW, THIS_PERIOD, memo_at, team
from tests.fakes.fake_slack import FakeSlack

BOT_TOKEN = "xoxb-digest-test"
PERIOD = closed_period(Schedule(), NOW)
MANAGERS = ("UMGRA", "UMGRB", "UMGRC")


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=BOT_TOKEN) as fake:
        yield fake


@pytest_asyncio.fixture
async def replicas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> AsyncIterator[tuple[Services, Services]]:
    """Two processes' worth of Services (each with its own Database) on one database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MEMO_COACH_MODE", "http")
    for name in ("MEMO_COACH_CONFIG_DIR", "ANTHROPIC_API_KEY", "ADMIN_USER_IDS"):
        monkeypatch.delenv(name, raising=False)
    first = await build_services(load_runtime())
    second = await build_services(load_runtime())
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def _seed(services: Services, managers: tuple[str, ...] = MANAGERS) -> None:
    async with services.database.transaction() as session:
        for n, manager in enumerate(managers):
            _, people = await team(session, manager, {f"U{n}A": f"Member {n}A", f"U{n}B": None})
            await memo_at(session, people[f"U{n}A"], THIS_PERIOD, {"answer_first": 4})


def _digests_posted(slack: FakeSlack) -> Counter[str]:
    """Accepted top-level chat.postMessage calls per channel."""
    return Counter(
        str(call.args["channel"])
        for call in slack.calls_to("chat.postMessage")
        if call.response and call.response.get("ok") and not call.args.get("thread_ts")
    )


async def test_two_schedulers_firing_together_send_each_digest_once(
    replicas: tuple[Services, Services], slack: FakeSlack
) -> None:
    first, second = replicas
    await _seed(first)
    reports = await asyncio.gather(
        send_due_digests(first, now=NOW), send_due_digests(second, now=NOW)
    )
    sent = [m for report in reports for m in report.sent]
    assert sorted(sent) == sorted(MANAGERS), reports
    assert _digests_posted(slack) == {f"D{m}": 1 for m in MANAGERS}
    assert sorted(u.channel_id or "" for u in slack.uploads) == [f"D{m}" for m in MANAGERS]
    roots = {
        (str(c.args["channel"]), str(c.response["ts"]))
        for c in slack.calls_to("chat.postMessage")
        if c.response and c.response.get("ok")
    }
    for upload in slack.uploads:
        assert (upload.channel_id, upload.thread_ts) in roots, "the chart goes in the thread"
        assert upload.filename == "team-digest-2026-W47.png"
        assert upload.content is not None
        assert upload.content.startswith(b"\x89PNG")
    again = await send_due_digests(second, now=NOW + timedelta(hours=1))
    assert (again.sent, sorted(again.skipped)) == ([], sorted(MANAGERS))
    assert sum(_digests_posted(slack).values()) == len(MANAGERS)


async def test_a_failed_send_is_retried_by_the_next_tick(
    replicas: tuple[Services, Services], slack: FakeSlack
) -> None:
    first, second = replicas
    await _seed(first)
    slack.fail_next("chat.postMessage", error="fatal_error")
    report = await send_due_digests(first, now=NOW)
    assert len(report.sent) == 2
    [(failed, reason)] = report.failed.items()
    assert reason == "Slack API error: fatal_error"
    retry = await send_due_digests(second, now=NOW + timedelta(minutes=15))
    assert retry.sent == [failed]
    assert _digests_posted(slack) == {f"D{m}": 1 for m in MANAGERS}
    assert len(slack.uploads) == len(MANAGERS)
    async with first.database.session() as session:
        run = await get_run(session, run_name(failed), PERIOD.key)
    assert run is not None
    assert (run.status, run.attempts) == ("done", 2)


async def test_a_retry_after_the_post_went_out_only_adds_the_chart(
    replicas: tuple[Services, Services], slack: FakeSlack
) -> None:
    first, _ = replicas
    await _seed(first, ("UMGRA",))
    slack.fail_next("files.getUploadURLExternal", error="fatal_error")
    report = await send_due_digests(first, now=NOW)
    assert list(report.failed) == ["UMGRA"]
    assert _digests_posted(slack) == {"DUMGRA": 1}
    assert slack.uploads == []
    retry = await send_due_digests(first, now=NOW + timedelta(minutes=15))
    assert retry.sent == ["UMGRA"]
    assert _digests_posted(slack) == {"DUMGRA": 1}, "found in the DM, not posted again"
    [root] = [c for c in slack.calls_to("chat.postMessage") if c.response and c.response["ok"]]
    assert [u.thread_ts for u in slack.uploads] == [root.response["ts"]]  # type: ignore[index]


async def test_a_crashed_claim_is_taken_over_only_once_stale(
    replicas: tuple[Services, Services], slack: FakeSlack
) -> None:
    first, second = replicas
    await _seed(first, ("UMGRA", "UMGRB"))
    async with first.database.transaction() as session:
        for manager, claimed_at in (
            ("UMGRA", NOW - STALE_AFTER - timedelta(minutes=1)),  # its replica died
            ("UMGRB", NOW - timedelta(minutes=1)),  # still being sent elsewhere
        ):
            assert await claim_run(
                session,
                run_name(manager),
                PERIOD.key,
                "dead-replica",
                stale_after=STALE_AFTER,
                now=claimed_at,
            )
    report = await send_due_digests(second, now=NOW)
    assert (report.sent, report.skipped) == (["UMGRA"], ["UMGRB"])
    assert _digests_posted(slack) == {"DUMGRA": 1}


async def test_scheduler_fires_digests_on_the_configured_cron(
    replicas: tuple[Services, Services],
) -> None:
    services, _ = replicas
    scheduler = start_scheduler(services)
    try:
        fires = scheduler.next_fire_times()
    finally:
        await scheduler.shutdown()
    assert set(fires) == {"digest", "digest-retry", "retention"}  # backup: off by default
    digest = fires["digest"]
    assert (digest.weekday(), digest.hour, digest.minute) == (0, 9, 0), "Mondays 09:00"
    assert digest > datetime.now(UTC)
