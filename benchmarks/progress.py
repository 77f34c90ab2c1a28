"""Benchmark progress summaries and manager digests on SQLite and PostgreSQL.

Loads a synthetic workspace into a fresh database per backend: one user with 10,000
evaluations, and 200 managers with 10 members each (about two memos a week over 13
weeks, a tenth of them silent lately). Then times:

- ``user_progress`` for the 10,000-evaluation user (median of ``--runs``; target < 50 ms);
- building every digest, queries and Block Kit, one session per manager as the sender
  does (target < 5 s for all 200, no Slack calls);
- drawing the 200 digest charts (matplotlib; reported, drawn off the event loop).

PostgreSQL uses a throwaway schema on MEMO_COACH_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test) and is skipped with a message when no server
answers.

Usage: .venv/bin/python benchmarks/progress.py [--runs 20] [--managers 200] [--members 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.charts.digest_chart import render_digest_chart  # noqa: E402
from bot.digests import build_digest  # noqa: E402
from bot.periods import closed_period  # noqa: E402
from config.bundle import load_config  # noqa: E402
from config.coach import Schedule  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_database  # noqa: E402
from storage.models import (  # noqa: E402
    CriterionScoreRow,
    Evaluation,
    Submission,
    TeamMembership,
    User,
)
from storage.repositories.progress import user_progress  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HEAVY_EVALUATIONS = 10_000
MEMBER_WEEKS = 13
MEMOS_PER_WEEK = 2
OPPORTUNITIES = [f"Opportunity number {i}: make the ask explicit." for i in range(8)]
PROGRESS_TARGET_MS = 50.0
DIGESTS_TARGET_S = 5.0


@dataclass
class Workspace:
    heavy_user_id: int
    manager_ids: list[int]


class Loader:
    """Bulk rows with explicit ids, so criterion rows can point at their evaluation."""

    def __init__(self, criteria: list[tuple[str, str, int]]) -> None:
        self.criteria = criteria
        self.users: list[dict[str, Any]] = []
        self.submissions: list[dict[str, Any]] = []
        self.evaluations: list[dict[str, Any]] = []
        self.scores: list[dict[str, Any]] = []
        self.teams: list[dict[str, Any]] = []
        self.random = random.Random(7)

    def user(self, slack_id: str, name: str | None) -> int:
        user_id = len(self.users) + 1
        self.users.append(
            {"id": user_id, "slack_user_id": slack_id, "display_name": name, "created_at": NOW}
        )
        return user_id

    def evaluation(self, user_id: int, when: datetime) -> None:
        evaluation_id = len(self.evaluations) + 1
        self.submissions.append(
            {
                "id": evaluation_id,
                "user_id": user_id,
                "source": "dm",
                "memo_text": "A memo of a few hundred words. " * 20,
                "memo_chars": 620,
                "status": "done",
                "parts_posted": 1,
                "created_at": when,
                "updated_at": when,
            }
        )
        scores = [self.random.choice((1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5)) for _ in self.criteria]
        overall = sum(s * w for s, (_, _, w) in zip(scores, self.criteria, strict=True)) / 100
        self.evaluations.append(
            {
                "id": evaluation_id,
                "submission_id": evaluation_id,
                "user_id": user_id,
                "rubric_version": 1,
                "evaluator": "offline",
                "language": "en",
                "overall_score": round(overall, 1),
                "strengths": ["Leads with the point."],
                "opportunities": self.random.sample(OPPORTUNITIES, 2),
                "segments": [],
                "result_json": {},
                "created_at": when,
            }
        )
        for score, (key, name, weight) in zip(scores, self.criteria, strict=True):
            self.scores.append(
                {
                    "evaluation_id": evaluation_id,
                    "user_id": user_id,
                    "criterion_key": key,
                    "criterion_name": name,
                    "weight": weight,
                    "score": score,
                    "created_at": when,
                }
            )


def build_workspace(loader: Loader, managers: int, members: int) -> Workspace:
    heavy = loader.user("UHEAVY", "Heavy Writer")
    step = timedelta(days=730) / HEAVY_EVALUATIONS
    for i in range(HEAVY_EVALUATIONS):
        loader.evaluation(heavy, NOW - step * (HEAVY_EVALUATIONS - i))
    manager_ids = []
    for m in range(managers):
        manager = loader.user(f"UM{m:05d}", f"Manager {m}")
        manager_ids.append(manager)
        for n in range(members):
            member = loader.user(f"UE{m:05d}{n:02d}", None if n % 4 == 0 else f"Member {m}-{n}")
            loader.teams.append(
                {"manager_user_id": manager, "member_user_id": member, "created_at": NOW}
            )
            silent_lately = loader.random.random() < 0.1
            for week in range(MEMBER_WEEKS):
                if silent_lately and week < 2:
                    continue
                for _ in range(MEMOS_PER_WEEK):
                    offset = timedelta(days=7 * week + loader.random.uniform(0, 7))
                    loader.evaluation(member, NOW - offset)
    return Workspace(heavy, manager_ids)


def _chunks(rows: list[dict[str, Any]], size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def load(database: Database, loader: Loader) -> None:
    for model, rows in (
        (User, loader.users),
        (Submission, loader.submissions),
        (Evaluation, loader.evaluations),
        (CriterionScoreRow, loader.scores),
        (TeamMembership, loader.teams),
    ):
        for chunk in _chunks(rows):
            async with database.transaction() as session:
                await session.execute(insert(model), chunk)
    async with database.transaction() as session:
        await session.execute(text("ANALYZE"))  # fresh statistics, as a live database has


async def time_progress(database: Database, user_id: int, runs: int) -> float:
    """Median milliseconds per summary, each in its own session like a request."""
    timings = []
    for _ in range(runs + 1):  # the first run warms caches and the pool
        started = time.perf_counter()
        async with database.session() as session:
            summary = await user_progress(session, user_id)
        timings.append((time.perf_counter() - started) * 1000)
        assert summary.memo_count == HEAVY_EVALUATIONS
    return statistics.median(timings[1:])


async def time_digests(database: Database, manager_ids: list[int]) -> tuple[float, list[Any]]:
    """Seconds to build every digest (queries + Block Kit), one session per manager."""
    rubric = load_config().rubric
    period = closed_period(Schedule(), NOW)
    charts = []
    started = time.perf_counter()
    for manager_id in manager_ids:
        async with database.session() as session:
            content = await build_digest(session, manager_id, period, rubric)
        charts.append(content.chart)
    return time.perf_counter() - started, charts


def time_charts(charts: list[Any]) -> float:
    started = time.perf_counter()
    for chart in charts:
        if chart is not None:
            render_digest_chart(chart)
    return time.perf_counter() - started


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{Path(directory) / 'bench.db'}"


@asynccontextmanager
async def postgres_database(server: str) -> AsyncIterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = Database(server)
    try:
        async with admin.engine.connect() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            await connection.commit()
        yield (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        async with admin.engine.connect() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await connection.commit()
        await admin.dispose()


async def postgres_problem(server: str) -> str | None:
    database = Database(server)
    try:
        await asyncio.wait_for(database.ping(), 5)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        await database.dispose()
    return None


def header() -> None:
    """The column names above :func:`row`'s lines."""
    print(f"{'backend':<11} {'case':<58} {'result':>10}  {'target':<9}")


def row(backend: str, case: str, result: str, target: str, ok: bool | None) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{backend:<11} {case:<58} {result:>10}  {target:<9} {verdict}")


async def run_backend(backend: str, url: str, args: argparse.Namespace, charts_too: bool) -> None:
    await upgrade_database(url)
    database = Database(url)
    try:
        criteria = [(c.key, c.name, c.weight) for c in load_config().rubric.criteria]
        loader = Loader(criteria)
        workspace = build_workspace(loader, args.managers, args.members)
        started = time.perf_counter()
        await load(database, loader)
        loaded = time.perf_counter() - started
        print(
            f"{backend:<11} (loaded {len(loader.evaluations):,} evaluations, "
            f"{len(loader.scores):,} criterion scores in {loaded:.1f} s)"
        )
        progress_ms = await time_progress(database, workspace.heavy_user_id, args.runs)
        row(
            backend,
            f"user_progress, {HEAVY_EVALUATIONS:,} evaluations (median of {args.runs})",
            f"{progress_ms:.1f} ms",
            f"< {PROGRESS_TARGET_MS:.0f} ms",
            progress_ms < PROGRESS_TARGET_MS,
        )
        seconds, charts = await time_digests(database, workspace.manager_ids)
        row(
            backend,
            f"digests, {args.managers} managers × {args.members} members (queries + blocks)",
            f"{seconds:.2f} s",
            f"< {DIGESTS_TARGET_S:.0f} s",
            seconds < DIGESTS_TARGET_S,
        )
        if charts_too:
            drawn = time_charts(charts)
            row(
                backend,
                f"  + drawing their {len(charts)} charts (matplotlib)",
                f"{drawn:.2f} s",
                "",
                None,
            )
    finally:
        await database.dispose()


async def on_each_backend(run: Callable[[str, str], Awaitable[None]]) -> None:
    """Print the table header, then ``run(backend, url)`` on a fresh SQLite file and a
    fresh PostgreSQL schema (a line says why when no server answers)."""
    header()
    async with sqlite_database() as url:
        await run("sqlite", url)
    server = await postgres_server()
    if server is not None:
        async with postgres_database(server) as url:
            await run("postgresql", url)


async def postgres_server() -> str | None:
    """MEMO_COACH_TEST_POSTGRES_URL (or the local default) if a server answers there;
    otherwise None, after printing a table line that says why."""
    server = os.environ.get("MEMO_COACH_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    problem = await postgres_problem(server)
    if problem is None:
        return server
    shown = make_url(server).render_as_string(hide_password=True)
    print(f"postgresql  skipped: not reachable at {shown} ({problem})")
    return None


async def main(args: argparse.Namespace) -> None:
    await on_each_backend(
        lambda backend, url: run_backend(backend, url, args, charts_too=backend == "sqlite")
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--members", type=int, default=10)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
