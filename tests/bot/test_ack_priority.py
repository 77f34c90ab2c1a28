"""Acks first: workers wait while a burst of Slack requests is being answered, for at
most ``max_hold`` per busy period."""

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


async def acked() -> BoltResponse:
    return ACKED


def held(answered: asyncio.Event) -> Callable[[], Awaitable[BoltResponse]]:
    """A listener that answers once ``answered`` is set."""

    async def listener() -> BoltResponse:
        await answered.wait()
        return ACKED

    return listener


async def test_no_request_in_flight_means_no_wait() -> None:
    acks = AckPriority(max_hold=5)
    started = time.monotonic()
    await acks.wait_for_acks()
    assert time.monotonic() - started < 0.5


async def test_a_claim_waits_until_the_requests_are_answered() -> None:
    acks = AckPriority(pause=0.01, max_hold=5)
    answered = asyncio.Event()
    requests = [asyncio.create_task(answer(acks, held(answered))) for _ in range(3)]
    await asyncio.sleep(0)
    assert acks.in_flight == 3
    waiting = asyncio.create_task(acks.wait_for_acks())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    answered.set()
    assert await asyncio.gather(*requests) == [ACKED] * 3
    await asyncio.wait_for(waiting, 1)
    assert acks.in_flight == 0


async def test_a_gap_between_two_requests_of_a_burst_does_not_release_the_workers() -> None:
    """The bot may have answered every request it has read while the burst's next ones
    still wait in their sockets: the workers wait for a pause, not only for zero."""
    acks = AckPriority(pause=0.2, max_hold=5)
    await answer(acks, acked)
    waiting = asyncio.create_task(acks.wait_for_acks())
    await asyncio.sleep(0.05)  # nothing in flight, but within the pause
    assert not waiting.done()
    next_one = time.monotonic()
    await answer(acks, acked)
    await asyncio.wait_for(waiting, 1)
    assert time.monotonic() - next_one >= 0.19  # the pause counts from the last arrival


async def test_a_lone_request_holds_the_workers_no_longer_than_the_pause() -> None:
    acks = AckPriority(pause=0.05, max_hold=5)
    arrived = time.monotonic()
    await answer(acks, acked)
    await asyncio.wait_for(acks.wait_for_acks(), 1)
    assert time.monotonic() - arrived < 0.5


async def test_a_failed_request_still_counts_as_answered() -> None:
    acks = AckPriority(pause=0.01, max_hold=5)

    async def broken() -> BoltResponse:
        raise RuntimeError("listener failed")

    with pytest.raises(RuntimeError):
        await answer(acks, broken)
    assert acks.in_flight == 0
    await asyncio.wait_for(acks.wait_for_acks(), 0.5)


async def test_a_steady_stream_of_requests_holds_the_workers_once() -> None:
    acks = AckPriority(pause=0.01, max_hold=0.1)
    never = asyncio.Event()
    stuck = asyncio.create_task(answer(acks, held(never)))
    await asyncio.sleep(0)
    started = time.monotonic()
    await acks.wait_for_acks()
    assert 0.08 < time.monotonic() - started < 1
    again = time.monotonic()
    await acks.wait_for_acks()  # the same busy period: no second hold
    assert time.monotonic() - again < 0.05
    stuck.cancel()


async def test_a_burst_after_a_quiet_moment_holds_the_workers_again() -> None:
    acks = AckPriority(pause=0.01, max_hold=0.1)
    first, second = asyncio.Event(), asyncio.Event()
    stuck = asyncio.create_task(answer(acks, held(first)))
    await asyncio.sleep(0)
    await acks.wait_for_acks()  # held until max_hold
    first.set()
    await stuck
    await asyncio.sleep(0.05)  # quiet: the busy period is over
    burst = asyncio.create_task(answer(acks, held(second)))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(acks.wait_for_acks())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    second.set()
    await burst
    await asyncio.wait_for(waiting, 1)


def test_announce_loops_scale_with_the_evaluation_slots() -> None:
    assert [announce_loops(n) for n in (1, 4, 8, 9, 50, 64)] == [1, 1, 1, 2, 7, 8]
