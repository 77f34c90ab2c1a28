"""Benchmark the ack path on its own: bursts of signed slash commands dispatched straight
into the real Bolt app (middlewares, listener, intake's group commit on SQLite), with no
HTTP and no workers, so what it measures is the bot's own work before each ack.

Run on fresh databases: SQLite with its automatic WAL checkpoints (a commit that fills
the WAL to 1,000 pages copies it into the database file before it returns), SQLite as the
bot runs it, checkpointing in the background (``storage.db``, ``bot.runners``), and
PostgreSQL in a throwaway schema (skipped with a line saying why when no server answers;
MEMO_COACH_TEST_POSTGRES_URL, as for ``progress.py``).

Usage: .venv/bin/python benchmarks/ack_path.py [--bursts 30] [--burst 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from progress import (  # noqa: E402 - benchmarks/ is this script's directory
    header,
    postgres_database,
    postgres_server,
    row,
    sqlite_database,
)
from slack_bolt.request.async_request import AsyncBoltRequest  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.runners import build_services, run_event_loop, tune_garbage_collector  # noqa: E402
from bot.runtime import load_runtime  # noqa: E402
from tests.fakes import slack_signing as signing  # noqa: E402
from tests.fakes.fake_slack import FakeSlack  # noqa: E402
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, write_config  # noqa: E402

MEMO = (ROOT / "tests" / "data" / "memos" / "pricing_strong.md").read_text()
WARM_UP_BURSTS = 3
CHECKPOINTS_IN_COMMITS = "checkpoints in commits"
CHECKPOINTS_BY_THE_BOT = "checkpoints by the bot"


async def run(args: argparse.Namespace, slack: FakeSlack, backend: str, url: str, how: str) -> None:
    """Bursts on a database set up as ``how`` says (SQLite: checkpoints by the bot, or
    in commits)."""
    workdir = Path(tempfile.mkdtemp(prefix="ack_path_"))
    os.environ.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        MEMO_COACH_MODE="http",
        DATABASE_URL=url,
        MEMO_COACH_CONFIG_DIR=str(
            write_config(workdir / "config", {"rate_limit": {"memos_per_hour": 10_000}})
        ),
    )
    services = await build_services(
        load_runtime(), background_checkpoints=how != CHECKPOINTS_IN_COMMITS
    )
    app = build_app(services)
    sent = 0

    def signed_command() -> AsyncBoltRequest:
        nonlocal sent
        sent += 1
        body, content_type = signing.slash_command(
            MEMO, user_id=f"U{sent:06d}", response_url=slack.new_response_url()
        )
        headers: dict[str, str | Sequence[str]] = {
            **signing.sign(body, SIGNING_SECRET),
            "Content-Type": content_type,
        }
        return AsyncBoltRequest(body=body.decode(), headers=headers)

    async def burst() -> tuple[float, float]:
        """Milliseconds and CPU seconds (all threads) to answer a burst dispatched at
        once; the requests are made first (Slack's work, not the bot's)."""
        requests = [signed_command() for _ in range(args.burst)]
        started, cpu_started = time.perf_counter(), time.process_time()
        for response in await asyncio.gather(*map(app.async_dispatch, requests)):
            assert response.status == 200, response.body
        return (time.perf_counter() - started) * 1000, time.process_time() - cpu_started

    try:
        for _ in range(WARM_UP_BURSTS):
            await burst()
        tune_garbage_collector()  # as the bot does once started
        times, checkpoints, cpu = [], [], 0.0
        for _ in range(args.bursts):
            milliseconds, seconds = await burst()
            times.append(milliseconds)
            cpu += seconds
            if how == CHECKPOINTS_BY_THE_BOT:  # the bot's loop, here between bursts
                started = time.perf_counter()
                await services.database.checkpoint_wal()
                checkpoints.append((time.perf_counter() - started) * 1000)
    finally:
        await services.aclose()
    deciles = statistics.quantiles(times, n=10)
    for name, value in (("median", deciles[4]), ("p90", deciles[8]), ("slowest", max(times))):
        row(backend, f"{how}: burst of {args.burst}, {name}", f"{value:.1f} ms", "", None)
    cpu_ms = cpu * 1000 / (args.bursts * args.burst)
    row(backend, f"{how}: CPU per command, all threads", f"{cpu_ms:.3f} ms", "", None)
    if checkpoints:
        median = statistics.median(checkpoints)
        row(backend, f"{how}: one checkpoint, median", f"{median:.1f} ms", "", None)


async def main(args: argparse.Namespace) -> None:
    header()
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        for how in (CHECKPOINTS_IN_COMMITS, CHECKPOINTS_BY_THE_BOT):
            async with sqlite_database() as url:
                await run(args, slack, "sqlite", url, how)
        server = await postgres_server()
        if server is not None:
            async with postgres_database(server) as url:
                await run(args, slack, "postgresql", url, "as the bot runs")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=30)
    parser.add_argument("--burst", type=int, default=100)
    return parser.parse_args()


if __name__ == "__main__":
    run_event_loop(main(parse_args()))
