"""Benchmark what a short PostgreSQL transaction costs with each way of checking pooled
connections (``storage/stale_connections.py``).

Runs the same transaction (one ``SELECT 1``) one after another, as a worker's claims and
updates follow each other, first on an engine with SQLAlchemy's ``pool_pre_ping`` (three
round trips before each transaction on asyncpg) and then on the bot's engine, which pings
only connections idle for longer than ``TRUST_SECONDS``. Both in turn, twice.

PostgreSQL on MEMO_COACH_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), skipped with a line saying why when no server
answers.

Usage: .venv/bin/python benchmarks/pool_checkout.py [--transactions 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from progress import header, postgres_server, row  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine as sqlalchemy_engine  # noqa: E402

from storage.db import Database, async_database_url  # noqa: E402

WARM_UP = 50


async def transactions(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    for _ in range(count):
        async with sessions() as session, session.begin():
            await session.execute(text("SELECT 1"))


async def per_transaction(sessions: async_sessionmaker[AsyncSession], count: int) -> str:
    """Wall and client CPU microseconds per transaction, after a warm-up."""
    await transactions(sessions, WARM_UP)
    started, cpu_started = time.perf_counter(), time.process_time()
    await transactions(sessions, count)
    wall = (time.perf_counter() - started) * 1e6 / count
    cpu = (time.process_time() - cpu_started) * 1e6 / count
    return f"{wall:.0f} / {cpu:.0f} µs"


async def main(args: argparse.Namespace) -> None:
    header()
    server = await postgres_server()
    if server is None:
        return
    pre_ping = sqlalchemy_engine(async_database_url(server), pool_pre_ping=True)
    bot = Database(server)
    try:
        for _ in range(2):
            for how, sessions in (
                ("pool_pre_ping", async_sessionmaker(pre_ping)),
                ("the bot's, stale ones only", bot.sessionmaker),
            ):
                result = await per_transaction(sessions, args.transactions)
                row("postgresql", f"{how}: per transaction, wall / CPU", result, "", None)
    finally:
        await pre_ping.dispose()
        await bot.dispose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=2000)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
