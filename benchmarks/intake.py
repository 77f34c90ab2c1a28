"""Benchmark intake's group commit on SQLite and PostgreSQL (``bot/intake.py``).

Times recording slash-command memos the way a burst of acks does, without HTTP or Bolt
(wall time, and the CPU time of this process, which is the bot's share of the work):
memos one at a time (each its own transaction: what a burst cost before group commit,
memo after memo) and 100 at once (they share transactions). Same memo texts as the load
benchmark; every memo from a new user, as in a burst.

Usage: .venv/bin/python benchmarks/intake.py [--rounds 5] [--burst 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from progress import on_each_backend, row  # noqa: E402 - benchmarks/ is this script's directory

from bot.intake import MemoIntake, MemoRequest  # noqa: E402
from config.coach import CoachConfig  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_database  # noqa: E402

TEXTS = [p.read_text() for p in sorted((ROOT / "tests" / "data" / "memos").glob("*.md"))]


class Sender:
    def __init__(self, intake: MemoIntake) -> None:
        self.intake = intake
        self.count = 0

    async def one(self) -> None:
        self.count += 1
        await self.intake.submit(
            MemoRequest(
                slack_user_id=f"U{self.count:07d}",
                team_id="T1",
                source="slash_command",
                text=TEXTS[self.count % len(TEXTS)],
                channel_id="C1",
                response_url="https://hooks.slack.com/commands/T1/1/x",
            )
        )


async def timed(
    send: Callable[[], Awaitable[None]], count: int, *, sequential: bool
) -> tuple[float, float]:
    """Milliseconds of wall time and of this process's CPU time (the database server's
    work is in the first only) to record ``count`` memos."""
    started, cpu_started = time.perf_counter(), time.process_time()
    if sequential:
        for _ in range(count):
            await send()
    else:
        await asyncio.gather(*(send() for _ in range(count)))
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000


async def run_backend(backend: str, url: str, args: argparse.Namespace) -> None:
    await upgrade_database(url)
    database = Database(url)
    try:
        coach = CoachConfig.model_validate({"rate_limit": {"memos_per_hour": 10_000}})
        sender = Sender(MemoIntake(database, coach, asyncio.Event()))
        for _ in range(20):  # warm-up: connections, statement caches
            await sender.one()
        one_by_one = await timed(sender.one, args.burst, sequential=True)
        bursts = [await timed(sender.one, args.burst, sequential=False) for _ in range(args.rounds)]
        burst_wall = statistics.median(wall for wall, _ in bursts)
        burst_cpu = statistics.median(cpu for _, cpu in bursts)
        for label, (wall, cpu) in (
            (f"{args.burst} memos one after another (a transaction each)", one_by_one),
            (
                f"{args.burst} memos at once, group commit (median of {args.rounds})",
                (burst_wall, burst_cpu),
            ),
        ):
            row(backend, label, f"{wall:.1f} ms", "", None)
            row(backend, "  of which this process's CPU", f"{cpu:.1f} ms", "", None)
    finally:
        await database.dispose()


async def main(args: argparse.Namespace) -> None:
    await on_each_backend(lambda backend, url: run_backend(backend, url, args))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=100)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
