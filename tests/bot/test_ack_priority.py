"""Acks first: workers wait (briefly) while Slack requests are being answered."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from slack_bolt.response import BoltResponse

from bot.ack_priority import AckPriority
from bot.worker import announce_loops

ACKED = BoltResponse(status=200, body="acked")


async def answer(acks: AckPriority, listener: Callable[[], Awaitable[BoltResponse]]) -> object:
    """A request through the middleware, ``listener`` standing for the rest of the chain."""
    return await acks.around({"command": "/memo-coach"}, listener)


async def test_no_request_in_flight_means_no_wait() -> None:
    acks = AckPriority()
    started = time.monotonic()
    await acks.wait_for_acks(limit=5)
    assert time.monotonic() - started < 0.5


async def test_a_claim_waits_until_the_requests_are_answered() -> None:
    acks = AckPriority()
    answered = asyncio.Event()

    async def listener() -> BoltResponse:
        await answered.wait()
        return ACKED

    requests = [asyncio.create_task(answer(acks, listener)) for _ in range(3)]
    await asyncio.sleep(0)
    assert acks.in_flight == 3
    waiting = asyncio.create_task(acks.wait_for_acks(limit=5))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    answered.set()
    assert await asyncio.gather(*requests) == [ACKED] * 3
    await asyncio.wait_for(waiting, 1)
    assert acks.in_flight == 0


async def test_a_failed_request_still_counts_as_answered() -> None:
    acks = AckPriority()

    async def broken() -> BoltResponse:
        raise RuntimeError("listener failed")

    with pytest.raises(RuntimeError):
        await answer(acks, broken)
    assert acks.in_flight == 0
    await asyncio.wait_for(acks.wait_for_acks(limit=5), 0.5)


async def test_a_steady_stream_of_requests_cannot_starve_the_workers() -> None:
    acks = AckPriority()
    never = asyncio.Event()

    async def stuck_listener() -> BoltResponse:
        await never.wait()
        return ACKED

    stuck = asyncio.create_task(answer(acks, stuck_listener))
    await asyncio.sleep(0)
    started = time.monotonic()
    await acks.wait_for_acks(limit=0.1)
    assert 0.08 < time.monotonic() - started < 1
    stuck.cancel()


def test_announce_loops_scale_with_the_evaluation_slots() -> None:
    assert [announce_loops(n) for n in (1, 4, 8, 9, 50, 64)] == [1, 1, 1, 2, 7, 8]
