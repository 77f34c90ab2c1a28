"""Two replicas on one PostgreSQL database, each with its own engine, worker pool and
scheduler, behind a "load balancer" that alternates between them: 200 memos and a digest
tick fired by both replicas at the same moment while the memos flow. Each memo is
answered once, each digest is sent once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.digests import METADATA_EVENT_TYPE as DIGEST_EVENT
from bot.digests import send_due_digests
from bot.periods import closed_period
from evaluation.memo import Memo, RubricVersion
from evaluation.result import EvaluationOutcome
from storage.models import Submission
from storage.types import utcnow
from tests.bot.digest_fixtures import memo_at, team
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.faults.support import (
    accepted_posts,
    feedback_posts,
    posted_parts,
    wait_until_settled,
)
from tests.handlers.harness import Harness, running_bot
from tests.handlers.memos import STRONG

MEMOS = 200
WRITERS = [f"UW{n:02d}" for n in range(20)]
MANAGERS = [f"UM{n}" for n in range(5)]
IN_FLIGHT = 16
"""Deliveries in flight at once (Slack sends events concurrently)."""
TICK_AFTER = MEMOS // 2


def _count_evaluations(harness: Harness) -> Counter[str]:
    """Wrap this replica's evaluator to count the memos it scored."""
    counts: Counter[str] = Counter()
    evaluator: Any = harness.bot.services.evaluator
    evaluate: Callable[[Memo, RubricVersion], Awaitable[EvaluationOutcome]] = evaluator.evaluate

    async def counted(memo: Memo, rubric: RubricVersion) -> EvaluationOutcome:
        counts["memos"] += 1
        return await evaluate(memo, rubric)

    evaluator.evaluate = counted
    return counts


async def _seed_teams(harness: Harness) -> None:
    """Five managers with four writers each; one writer per team has a scored memo in
    the period the tick reports on, so each digest also carries a chart."""
    period = closed_period(harness.bot.services.runtime.config.coach.digest, utcnow())
    async with harness.bot.services.database.transaction() as session:
        for n, manager in enumerate(MANAGERS):
            members = {writer: None for writer in WRITERS[n * 4 : n * 4 + 4]}
            _, people = await team(session, manager, members)
            first = people[WRITERS[n * 4]]
            await memo_at(session, first, period.start + timedelta(hours=1), {"answer_first": 4})
        await session.execute(update(Submission).values(status="done"))  # coached back then


def _digests(slack: FakeSlack) -> Counter[str]:
    return Counter(
        str(call.response["channel"])
        for call in accepted_posts(slack)
        if call.response is not None
        and (call.args.get("metadata") or {}).get("event_type") == DIGEST_EVENT
    )


@pytest.mark.slow
@pytest.mark.postgres
async def test_two_replicas_answer_200_memos_once_and_send_each_digest_once(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    for user in [*WRITERS, *MANAGERS]:
        slack.add_user(user)
    fake_anthropic.latency = 0.05

    def replica():  # type: ignore[no-untyped-def]
        return running_bot(
            monkeypatch,
            tmp_path,
            postgres_database_url,
            slack,
            anthropic=fake_anthropic,
            llm={"max_retries": 0, "timeout_seconds": 30},
            coach={
                "worker": {"concurrency": 4, "lease_seconds": 10, "max_attempts": 3},
                "rate_limit": {"memos_per_hour": 1000},
            },
        )

    async with replica() as first, replica() as second:
        replicas = (first, second)
        scored = [_count_evaluations(r) for r in replicas]
        await _seed_teams(first)
        events = [signing.dm_message(STRONG, user=WRITERS[n % len(WRITERS)]) for n in range(MEMOS)]
        slots = asyncio.Semaphore(IN_FLIGHT)
        accepted = 0
        tick_due = asyncio.Event()

        async def deliver(n: int, event: dict[str, Any]) -> None:
            nonlocal accepted
            async with slots:
                status, _ = await replicas[n % 2].event(event)
            assert status == 200
            accepted += 1
            if accepted == TICK_AFTER:
                tick_due.set()

        async def tick() -> list[Any]:
            await tick_due.wait()
            return list(await asyncio.gather(*(send_due_digests(r.bot.services) for r in replicas)))

        *_, reports = await asyncio.gather(
            *(deliver(n, event) for n, event in enumerate(events)), tick()
        )
        rows = await wait_until_settled(postgres_database_url, MEMOS + len(MANAGERS), 120)
        again = await asyncio.gather(*(send_due_digests(r.bot.services) for r in replicas))

    by_memo = [(status, evaluations) for _, status, evaluations in rows]
    assert by_memo == [("done", 1)] * (MEMOS + len(MANAGERS))  # + the seeded memos
    for event in events:
        assert len(feedback_posts(slack, event["channel"], event["ts"])) == 1
    parts = posted_parts(slack)
    assert set(parts.values()) == {1}
    assert len({submission for submission, _ in parts}) == MEMOS
    assert all(count["memos"] > 0 for count in scored), f"both replicas worked: {scored}"
    assert sum(count["memos"] for count in scored) == MEMOS
    assert len(fake_anthropic.requests) == MEMOS

    sent = sorted(m for report in reports for m in report.sent)
    assert sent == MANAGERS, reports
    assert not any(report.failed for report in reports)
    assert _digests(slack) == {f"D{m}": 1 for m in MANAGERS}
    assert sorted(str(u.channel_id) for u in slack.uploads) == [f"D{m}" for m in MANAGERS]
    assert all(sorted(report.skipped) == MANAGERS for report in again)
