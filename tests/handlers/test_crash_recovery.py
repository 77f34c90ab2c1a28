"""A bot process killed (SIGKILL) while the model is scoring loses nothing: a new
process takes the job over when its lease ends, and the memo is answered exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Evaluation, Submission
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, write_config
from tests.handlers.memos import STRONG

LEASE_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start(env: dict[str, str], port: int, log: Path) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env={**env, "PORT": str(port)},
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
    )
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            if process.returncode is not None:
                raise AssertionError("bot exited early; see " + str(log))
            await asyncio.sleep(0.1)
    raise AssertionError("bot did not start; see " + str(log))


async def _counts(url: str) -> tuple[int, int, list[str]]:
    database = Database(url)
    try:
        async with database.session() as session:
            submissions = list(await session.scalars(select(Submission.status)))
            evaluations = int(
                await session.scalar(select(func.count()).select_from(Evaluation)) or 0
            )
    finally:
        await database.dispose()
    return len(submissions), evaluations, submissions


async def test_killed_mid_evaluation_is_answered_once_after_restart(
    tmp_path: Path,
    database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    config = write_config(
        tmp_path / "config",
        {"worker": {"concurrency": 1, "lease_seconds": LEASE_SECONDS}},
        {"max_retries": 0, "timeout_seconds": 60},
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SLACK_FILE_HOSTS": "127.0.0.1",
        "MEMO_COACH_MODE": "http",
        "DATABASE_URL": database_url,
        "MEMO_COACH_CONFIG_DIR": str(config),
        "ANTHROPIC_API_KEY": "sk-test",
        "ANTHROPIC_BASE_URL": fake_anthropic.base_url,
    }
    log = tmp_path / "bot.log"
    fake_anthropic.latency = 30  # the first process will be killed while waiting
    port = _free_port()
    first = await _start(env, port, log)
    event = signing.dm_message(STRONG, user="U1")
    body, content_type = signing.event_callback(event)
    status, _ = await signing.post_signed(
        f"http://127.0.0.1:{port}/slack/events", body, content_type, SIGNING_SECRET
    )
    assert status == 200
    for _ in range(100):
        if fake_anthropic.requests:
            break
        await asyncio.sleep(0.05)
    assert fake_anthropic.requests, "the model call started"
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert await _counts(database_url) == (1, 0, ["queued"])

    fake_anthropic.latency = 0
    second = await _start(env, _free_port(), log)
    try:
        for _ in range(int((LEASE_SECONDS + 15) / 0.2)):
            _, _evaluations, statuses = await _counts(database_url)
            if statuses == ["done"]:
                break
            await asyncio.sleep(0.2)
        assert await _counts(database_url) == (1, 1, ["done"])
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 30) == 0, log.read_text()[-3000:]

    replies = [
        c.args for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == event["ts"]
    ]
    feedback = [r for r in replies if "Memo feedback" in str(r.get("text"))]
    statuses_posted = [r for r in replies if json.dumps(r.get("metadata", {})).find('"status"') > 0]
    assert len(feedback) == 1
    assert len(statuses_posted) == 1
    assert len(fake_anthropic.requests) == 2
