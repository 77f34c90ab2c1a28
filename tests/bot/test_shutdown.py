"""`memo-coach run` as a real process: SIGTERM while a memo is being scored lets that job
finish, then the process exits 0 within the grace period; everything it writes to stdout
is one JSON object per line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bot.runners import SHUTDOWN_GRACE_SECONDS
from storage.db import Database
from storage.models import Submission
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, write_config
from tests.handlers.memos import STRONG

MODEL_SECONDS = 2.0  # the job is mid-evaluation for this long when SIGTERM arrives


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_healthy(process: asyncio.subprocess.Process, port: int) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError("the bot exited during start-up")
            try:
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not answer /health")


async def _statuses(url: str) -> list[str]:
    database = Database(url)
    try:
        async with database.session() as session:
            return list(await session.scalars(select(Submission.status)))
    finally:
        await database.dispose()


async def test_sigterm_mid_evaluation_finishes_the_job_and_exits_zero(
    tmp_path: Path, sqlite_database_url: str, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.latency = MODEL_SECONDS
    port = _free_port()
    stdout_path, stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "MEMO_COACH_MODE": "http",
            "PORT": str(port),
            "LOG_LEVEL": "INFO",
            "DATABASE_URL": sqlite_database_url,
            "MEMO_COACH_CONFIG_DIR": str(write_config(tmp_path / "config")),
            "ANTHROPIC_API_KEY": "sk-test",
            "ANTHROPIC_BASE_URL": fake_anthropic.base_url,
        }
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, stdout=stdout, stderr=stderr
            )
            try:
                await _wait_healthy(process, port)
                body, content_type = signing.event_callback(signing.dm_message(STRONG))
                status, _ = await signing.post_signed(
                    f"http://127.0.0.1:{port}/slack/events", body, content_type, SIGNING_SECRET
                )
                assert status == 200
                for _ in range(200):
                    if fake_anthropic.requests:
                        break
                    await asyncio.sleep(0.05)
                assert fake_anthropic.requests, "the model call started"
                signalled = time.monotonic()
                process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(process.wait(), SHUTDOWN_GRACE_SECONDS + 10)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    assert code == 0, stderr_path.read_text()[-2000:]
    assert time.monotonic() - signalled < SHUTDOWN_GRACE_SECONDS
    assert await _statuses(sqlite_database_url) == ["done"]  # finished, not abandoned

    events = [json.loads(line) for line in stdout_path.read_text().splitlines() if line]
    messages = [(event["message"], event.get("stage")) for event in events]
    assert ("memo coach started", None) in messages
    stopping = messages.index(("shutting down", None))
    assert ("job finished", "evaluate") in messages[stopping:]  # finished after SIGTERM
    assert all({"ts", "level", "logger", "message"} <= set(event) for event in events)
