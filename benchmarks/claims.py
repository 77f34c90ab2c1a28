"""Benchmark job claims against a growing job history, on SQLite and PostgreSQL.

Finished jobs stay in the ``jobs`` table (the "Try again" button restarts them), so a
claim must not get slower as the history grows. Times ``claim_next_job`` (each claim its
own transaction, as a worker does) with 0, 10,000 and 100,000 finished jobs beside 50
queued ones.

Usage: .venv/bin/python benchmarks/claims.py [--history 0 10000 100000] [--claims 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from progress import on_each_backend, row  # noqa: E402 - benchmarks/ is this script's directory

from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_database  # noqa: E402
from storage.models import Job, Submission  # noqa: E402
from storage.repositories.jobs import claim_next_job  # noqa: E402
from storage.repositories.users import upsert_user  # noqa: E402
from storage.types import utcnow  # noqa: E402

CHUNK = 5_000


async def _add_submissions(database: Database, user_id: int, count: int) -> list[int]:
    """``count`` new submissions of one user; their ids."""
    now = utcnow()
    async with database.transaction() as session:
        first = int(await session.scalar(select(Submission.id).order_by(Submission.id.desc())) or 0)
        rows = [
            {
                "user_id": user_id,
                "source": "dm",
                "memo_chars": 0,
                "status": "done",
                "created_at": now,
                "updated_at": now,
            }
            for _ in range(count)
        ]
        for start in range(0, count, CHUNK):
            await session.execute(insert(Submission), rows[start : start + CHUNK])
        ids = await session.scalars(select(Submission.id).where(Submission.id > first))
        return list(ids)


async def _add_jobs(database: Database, user_id: int, count: int, status: str) -> None:
    """``count`` evaluate-stage jobs: finished ones are what a long-running bot leaves."""
    now = utcnow()
    for start in range(0, count, CHUNK):
        ids = await _add_submissions(database, user_id, min(CHUNK, count - start))
        async with database.transaction() as session:
            await session.execute(
                insert(Job),
                [
                    {"submission_id": i, "status": status, "stage": "evaluate", "run_after": now}
                    for i in ids
                ],
            )


async def _claims_ms(database: Database, user_id: int, claims: int) -> float:
    """Median milliseconds per evaluate-stage claim, each in its own transaction."""
    await _add_jobs(database, user_id, claims, "queued")
    times = []
    for _ in range(claims):
        started = time.perf_counter()
        async with database.transaction() as session:
            job = await claim_next_job(session, "bench", 60, max_attempts=3, stage="evaluate")
        times.append((time.perf_counter() - started) * 1000)
        assert job is not None
    return statistics.median(times)


async def run_backend(backend: str, url: str, args: argparse.Namespace) -> None:
    await upgrade_database(url)
    database = Database(url)
    try:
        async with database.transaction() as session:
            user_id = (await upsert_user(session, "UBENCH")).id
        history = 0
        for target in sorted(args.history):
            await _add_jobs(database, user_id, target - history, "done")
            history = target
            median = await _claims_ms(database, user_id, args.claims)
            row(
                backend,
                f"claim beside {history:,} finished jobs (median)",
                f"{median:.2f} ms",
                "",
                None,
            )
    finally:
        await database.dispose()


async def main(args: argparse.Namespace) -> None:
    await on_each_backend(lambda backend, url: run_backend(backend, url, args))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, nargs="+", default=[0, 10_000, 100_000])
    parser.add_argument("--claims", type=int, default=50)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
