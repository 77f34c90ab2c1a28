"""Slash-command ack latency of the real bot (HTTP mode, loopback fake Slack, SQLite or
PostgreSQL), sequential and with N concurrent commands. Prints a table.

    .venv/bin/python benchmarks/ack_latency.py [--requests 200] [--concurrency 100]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.runners import start_bot
from bot.runtime import load_runtime
from tests.fakes import slack_signing as signing
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, write_config

MEMO = (Path(__file__).resolve().parents[1] / "tests/data/memos/pricing_strong.md").read_text()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _one(http: aiohttp.ClientSession, url: str, user: str) -> float:
    body, content_type = signing.slash_command(MEMO, user_id=user)
    started = time.perf_counter()
    status, _ = await signing.post_signed(http, url, body, content_type, SIGNING_SECRET)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"status {status}")
    return elapsed * 1000


async def main(requests: int, concurrency: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeSlack(bot_token=BOT_TOKEN) as slack:
            os.environ.update(
                {
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                    "SLACK_API_URL": slack.api_url,
                    "MEMO_COACH_MODE": "http",
                    "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.db",
                    "MEMO_COACH_CONFIG_DIR": str(
                        write_config(
                            Path(tmp) / "config", {"rate_limit": {"memos_per_hour": 10_000}}
                        )
                    ),
                }
            )
            os.environ.pop("ANTHROPIC_API_KEY", None)
            bot = await start_bot(load_runtime(), host="127.0.0.1", port=0)
            url = f"http://127.0.0.1:{bot.port}/slack/events"
            try:
                async with aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=concurrency)
                ) as http:
                    await _one(http, url, "UWARM")
                    sequential = [await _one(http, url, f"US{i}") for i in range(requests)]
                    burst = await asyncio.gather(
                        *(_one(http, url, f"UC{i}") for i in range(concurrency))
                    )
            finally:
                await bot.stop(grace=2)
    backend = "postgresql" if database_url else "sqlite"
    print(f"slash-command ack latency, real bot in HTTP mode, {backend}, loopback")
    print(f"{'run':<24}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in (("sequential", sequential), (f"{concurrency} concurrent", burst)):
        print(
            f"{name:<24}{len(values):>6}{statistics.median(values):>10.1f}"
            f"{percentile(values, 0.99):>10.1f}{max(values):>10.1f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.database_url))
