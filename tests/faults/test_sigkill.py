"""Real bot processes killed with SIGKILL at random points of the pipeline — during
intake, after the status message, while the model is scoring, just after the model
answered, between two thread replies of one feedback — and replaced at once by a new
process, which takes the orphaned jobs over when their leases end. Every memo is
answered, none twice: one evaluation per memo, one "Memo feedback" per thread, every
(memo, part) message posted once.

The plan (which point, which delays, how many memos) comes from a seeded generator
(``MEMO_COACH_KILL_SEED``). ``MEMO_COACH_KILL_RUNS`` runs (default 8; 20 for the full
variant) are split between SQLite and PostgreSQL and spread over parallel chains of
processes: in a chain, the process started after a kill is the one the next run kills,
so each run costs about one lease (10 s) and the chains overlap.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import BACKENDS, postgres_schema_url, sqlite_url
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import AnswerContext, FakeAnthropic
from tests.fakes.fake_slack import Call, FakeSlack
from tests.faults.support import (
    feedback_posts,
    many_parts,
    memo_rows,
    posted_parts,
    wait_until_settled,
)
from tests.handlers.bot_process import bot_env, free_port, start
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, write_config
from tests.handlers.memos import STRONG

RUNS = int(os.environ.get("MEMO_COACH_KILL_RUNS", "8"))
SEED = int(os.environ.get("MEMO_COACH_KILL_SEED", "20260507"))
CHAINS = 4
"""Chains of processes per backend running at once (each mostly waits for a lease)."""
LEASE_SECONDS = 10
MODEL_SECONDS = 0.8
POST_SECONDS = 0.25
"""Slack's latency on chat.postMessage: the window between two thread replies."""
USERS = ("U1", "U2", "U3", "U4")
KILL_POINTS = ("intake", "announce", "model call", "after model call", "between replies")
RECOVERY_SECONDS = LEASE_SECONDS + 30.0
BACKEND_SHARE = {"sqlite": 0, "postgresql": 1}
"""Runs with an even index go to SQLite, odd ones to PostgreSQL."""


@dataclass(frozen=True)
class Run:
    index: int
    point: str
    memos: int
    delay: float
    """Seconds after the point is reached, as a fraction of that point's window."""


def kill_plan(runs: int, seed: int) -> list[Run]:
    """Every kill point at least once when ``runs`` allows, in a seeded random order."""
    rng = random.Random(seed)
    points = list(KILL_POINTS) * math.ceil(runs / len(KILL_POINTS))
    rng.shuffle(points)
    return [Run(i, points[i], rng.randint(2, 4), rng.random()) for i in range(runs)]


class LongFeedbackAnthropic(FakeAnthropic):
    """Every answer needs several thread replies, so there is a "between two replies"."""

    def derive_answer(self, context: AnswerContext) -> dict[str, Any]:
        return many_parts(super().derive_answer(context), context)


@dataclass
class Chain:
    """One database, one fake Slack and model, and the bot process currently serving."""

    name: str
    home: Path
    url: str
    slack: FakeSlack
    anthropic: FakeAnthropic
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    port: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    @property
    def log_file(self) -> Path:
        return self.home / "bot.log"

    async def start(self) -> None:
        self.port = free_port()
        self.process = await start(self.env, self.port, self.log_file)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(self.process.wait(), 30)
            assert code == 0, self.log_file.read_text()[-3000:]

    async def deliver(self, event: dict[str, Any], event_id: str, retry: int = 0) -> int:
        """POST one event as Slack does; 0 when the process died before answering."""
        body, content_type = signing.event_callback(event, event_id=event_id)
        extra = {"retry_num": retry, "retry_reason": "http_timeout"} if retry else {}
        try:
            status, _ = await signing.post_signed(
                f"http://127.0.0.1:{self.port}/slack/events",
                body,
                content_type,
                SIGNING_SECRET,
                **extra,
            )
        except (aiohttp.ClientError, TimeoutError):
            return 0
        return status


@asynccontextmanager
async def chain(name: str, home: Path, backend: str) -> AsyncIterator[Chain]:
    async with AsyncExitStack() as stack:
        if backend == "sqlite":
            url = sqlite_url(home)
        else:
            url = await stack.enter_async_context(postgres_schema_url())
        slack = await stack.enter_async_context(FakeSlack(bot_token=BOT_TOKEN))
        for user in USERS:
            slack.add_user(user, real_name=f"Writer {user}")
        slack.set_latency("chat.postMessage", POST_SECONDS)
        anthropic = await stack.enter_async_context(LongFeedbackAnthropic(latency=MODEL_SECONDS))
        config = write_config(
            home / "config",
            {
                "worker": {"concurrency": 2, "lease_seconds": LEASE_SECONDS, "max_attempts": 3},
                "rate_limit": {"memos_per_hour": 1000},
            },
            {"max_retries": 0, "timeout_seconds": 30},
        )
        running = Chain(
            name, home, url, slack, anthropic, bot_env(home, slack, anthropic, url, config)
        )
        try:
            yield running
        finally:
            await running.stop()


def _answered(calls: list[Call], part: str, since: int) -> bool:
    return any(
        ((c.args.get("metadata") or {}).get("event_payload") or {}).get("part") == part
        for c in calls[since:]
        if c.method == "chat.postMessage" and c.response is not None and c.response.get("ok")
    )


async def _until(ready: Any, within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not ready():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the kill point was never reached")
        await asyncio.sleep(0.01)


async def one_run(running: Chain, run: Run) -> None:
    """Send the run's memos, kill the process at its point, start the next one, redeliver
    what was never acknowledged, and wait until every memo so far is answered."""
    calls_before = len(running.slack.calls)
    requests_before = len(running.anthropic.requests)
    users = USERS[: run.memos]
    events = [(signing.dm_message(STRONG, user=user), signing.new_event_id()) for user in users]
    running.events.extend(event for event, _ in events)
    deliveries = [asyncio.create_task(running.deliver(e, i)) for e, i in events]

    slack, anthropic = running.slack, running.anthropic
    if run.point == "intake":
        await asyncio.sleep(0.03 * run.delay)
    elif run.point == "announce":
        await _until(lambda: _answered(slack.calls, "status", calls_before))
        await asyncio.sleep(POST_SECONDS * run.delay)
    elif run.point == "model call":
        await _until(lambda: len(anthropic.requests) > requests_before)
        await asyncio.sleep(MODEL_SECONDS * run.delay)
    elif run.point == "after model call":
        await _until(lambda: any(r.reply for r in anthropic.requests[requests_before:]))
        await asyncio.sleep(0.1 * run.delay)
    else:
        await _until(lambda: _answered(slack.calls, "0", calls_before))
        await asyncio.sleep(POST_SECONDS * run.delay)
    await running.kill()
    statuses = await asyncio.gather(*deliveries)
    running.log.append(f"run {run.index}: killed at {run.point} (+{run.delay:.2f}); {statuses}")

    await running.start()
    for (event, event_id), status in zip(events, statuses, strict=True):
        if status != 200:  # Slack retries a delivery that was not acknowledged
            assert await running.deliver(event, event_id, retry=1) == 200
    await wait_until_settled(running.url, len(running.events), RECOVERY_SECONDS)


def check_each_memo_answered_once(running: Chain) -> None:
    slack = running.slack
    for event in running.events:
        feedback = feedback_posts(slack, event["channel"], event["ts"])
        assert len(feedback) == 1, (running.log, event["channel"], event["ts"])
    parts = posted_parts(slack)
    assert set(parts.values()) == {1}, (running.log, parts)
    assert len({submission for submission, _ in parts}) == len(running.events)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
async def test_sigkill_at_random_points_loses_no_memo_and_answers_none_twice(
    backend: str, tmp_path: Path
) -> None:
    plan = [run for run in kill_plan(RUNS, SEED) if run.index % 2 == BACKEND_SHARE[backend]]
    if not plan:
        pytest.skip(f"MEMO_COACH_KILL_RUNS={RUNS} leaves no run for {backend}")
    chains = min(CHAINS, len(plan))

    async def run_chain(n: int) -> Chain:
        async with chain(f"{backend}-{n}", tmp_path / f"chain{n}", backend) as running:
            await running.start()
            for run in plan[n::chains]:
                await one_run(running, run)
            rows = await memo_rows(running.url)
            assert [(s, e) for _, s, e in rows] == [("done", 1)] * len(running.events), rows
            check_each_memo_answered_once(running)
            return running

    done = await asyncio.gather(*(run_chain(n) for n in range(chains)))
    assert sum(len(c.log) for c in done) == len(plan)
