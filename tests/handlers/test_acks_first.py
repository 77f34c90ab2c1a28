"""What runs around a whole answer (``bot.bolt_middleware.ObservedApp``), listener
included: while a request from Slack is being answered, a memo already stored waits to
be announced (every worker stage holds back, for at most ``MAX_HOLD_SECONDS``), and the
ack-time metric covers the listener's own time. Workers stopped while they hold back claim
nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.ack_priority import MAX_HOLD_SECONDS
from bot.metrics import REGISTRY
from storage.models import Job
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG

FORM_LATENCY = 0.2
"""views.open this slow keeps the empty /memo-coach (which opens the form) in flight."""


async def _open_the_form_slowly(
    harness: Harness, latency: float = FORM_LATENCY
) -> asyncio.Task[tuple[int, str]]:
    """An empty /memo-coach, in flight until views.open answers."""
    harness.slack.set_latency("views.open", latency)
    opening = asyncio.create_task(harness.command("", trigger_id="T1"))
    await harness.slack.arrived("views.open")
    return opening


async def test_a_memo_is_announced_once_the_request_in_flight_is_answered(
    harness: Harness,
) -> None:
    assert FORM_LATENCY < MAX_HOLD_SECONDS / 2  # the hold's cap is not what ends the wait
    opening = await _open_the_form_slowly(harness)
    status, _ = await harness.command(STRONG)
    assert status == 200
    assert (await opening)[0] == 200
    [form] = harness.slack.calls_to("views.open")
    [announced, *_] = await harness.slack.wait_for("chat.postMessage")
    assert announced.at >= form.at + FORM_LATENCY
    await harness.settled()


async def test_the_ack_time_includes_the_listener(harness: Harness) -> None:
    def observed() -> tuple[float, float]:
        count = REGISTRY.get_sample_value("memo_coach_ack_seconds_count") or 0.0
        return count, REGISTRY.get_sample_value("memo_coach_ack_seconds_sum") or 0.0

    count, total = observed()
    assert (await (await _open_the_form_slowly(harness)))[0] == 200
    count_after, total_after = observed()
    assert count_after == count + 1
    assert total_after - total >= FORM_LATENCY


async def test_workers_stopped_while_holding_back_claim_nothing(harness: Harness) -> None:
    """A loop back from a job waits for the acks; stopped meanwhile, it claims nothing."""
    slack = harness.slack
    slack.set_latency("chat.postMessage", 0.3)  # the first memo's status message
    assert (await harness.command(STRONG))[0] == 200
    await slack.arrived("chat.postMessage")
    opening = await _open_the_form_slowly(harness, latency=0.6)
    assert (await harness.command(STRONG))[0] == 200  # stored; its job waits for the form
    await slack.wait_for("chat.postMessage")  # the announce loop is free again...
    await asyncio.sleep(0.1)  # ...and back at the top, held
    await harness.bot.workers.stop(grace=2)
    assert (await opening)[0] == 200
    assert len(slack.calls_to("chat.postMessage")) == 1  # the second memo never announced
    async with harness.bot.services.database.session() as session:
        statuses = list(await session.scalars(select(Job.status).order_by(Job.id)))
    assert statuses[-1] == "queued"
