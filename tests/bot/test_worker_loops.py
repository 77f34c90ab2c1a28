"""Worker loops: idle ones are woken one at a time or handed a job directly (announce
passes a memo on to an idle evaluate loop), and the bot's event loop is uvloop."""

from __future__ import annotations

import asyncio

from bot.runners import run_event_loop
from bot.worker import IdleLoops
from storage.models import Job


async def _started(idle: IdleLoops) -> asyncio.Task[Job | None]:
    task = asyncio.create_task(idle.wait())
    await asyncio.sleep(0)  # let it register as waiting
    return task


async def test_a_handed_job_reaches_the_loop_that_was_reserved() -> None:
    idle = IdleLoops()
    first, second = await _started(idle), await _started(idle)
    reserved = idle.reserve()
    assert reserved is not None
    job = Job(id=7, submission_id=3, stage="evaluate")
    reserved.set_result(job)
    assert await first is job
    idle.wake_one()
    assert await second is None  # woken: go and claim
    assert idle.reserve() is None


async def test_a_wake_with_nobody_waiting_is_kept_for_the_next_idle_loop() -> None:
    idle = IdleLoops()
    idle.wake_one()
    assert await asyncio.wait_for(idle.wait(), 1) is None


async def test_a_cancelled_loop_is_never_reserved() -> None:
    idle = IdleLoops()
    gone, alive = await _started(idle), await _started(idle)
    gone.cancel()
    await asyncio.sleep(0)
    reserved = idle.reserve()
    assert reserved is not None
    reserved.set_result(None)
    assert await alive is None
    assert idle.reserve() is None


def test_the_bot_runs_on_uvloop() -> None:
    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_event_loop(loop_module()).startswith("uvloop")
