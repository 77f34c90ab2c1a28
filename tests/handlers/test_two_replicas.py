"""Two `memo-coach run` processes on one PostgreSQL database share the work: 100 memos
sent to either process are each evaluated once and answered once."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Evaluation, Job
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.bot_process import bot_env, free_port, start, submission_statuses
from tests.handlers.harness import SIGNING_SECRET, write_config
from tests.handlers.memos import STRONG

MEMOS = 100


async def _send(http: aiohttp.ClientSession, port: int, user: str) -> str:
    event = signing.dm_message(STRONG, user=user)
    body, content_type = signing.event_callback(event)
    status, _ = await signing.post_signed(
        http, f"http://127.0.0.1:{port}/slack/events", body, content_type, SIGNING_SECRET
    )
    assert status == 200
    return str(event["ts"])


@pytest.mark.postgres
async def test_two_processes_answer_each_of_100_memos_once(
    tmp_path: Path, postgres_database_url: str, slack: FakeSlack, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.latency = 0.05
    config = write_config(
        tmp_path / "config",
        {"worker": {"concurrency": 4, "lease_seconds": 30}, "rate_limit": {"memos_per_hour": 1000}},
    )
    env = bot_env(tmp_path, slack, fake_anthropic, postgres_database_url, config)
    ports = [free_port(), free_port()]
    processes = [
        await start(env, port, tmp_path / f"bot{index}.log") for index, port in enumerate(ports)
    ]
    try:
        async with aiohttp.ClientSession() as http:
            threads = await asyncio.gather(
                *(_send(http, ports[i % 2], f"U{i % 7}") for i in range(MEMOS))
            )
        for _ in range(600):
            statuses = await submission_statuses(postgres_database_url)
            if len(statuses) == MEMOS and set(statuses) == {"done"}:
                break
            await asyncio.sleep(0.1)
        assert Counter(await submission_statuses(postgres_database_url)) == {"done": MEMOS}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = await asyncio.gather(*(asyncio.wait_for(p.wait(), 30) for p in processes))
    assert codes == [0, 0]

    database = Database(postgres_database_url)
    try:
        async with database.session() as session:
            evaluations = await session.scalar(select(func.count()).select_from(Evaluation))
            owners = set(await session.scalars(select(Job.lease_owner)))
            per_submission = await session.execute(
                select(Evaluation.submission_id, func.count()).group_by(Evaluation.submission_id)
            )
            assert all(count == 1 for _, count in per_submission)
    finally:
        await database.dispose()
    assert evaluations == MEMOS
    assert len(fake_anthropic.requests) == MEMOS
    feedback = Counter(
        call.args.get("thread_ts")
        for call in slack.calls_to("chat.postMessage")
        if "Memo feedback" in str(call.args.get("text"))
    )
    assert feedback == dict.fromkeys(threads, 1)
    assert owners == {None}  # every job finished and released its lease
    finished = [_jobs_finished(tmp_path / f"bot{index}.log") for index in (0, 1)]
    assert sum(finished) == 2 * MEMOS  # announce + evaluate for every memo
    assert min(finished) > 0, f"both processes took work: {finished}"


def _jobs_finished(log: Path) -> int:
    events = (json.loads(line) for line in log.read_text().splitlines() if line.startswith("{"))
    return sum(1 for event in events if event.get("message") == "job finished")
