"""`memo-coach run` as a real process: SIGTERM while a memo is being scored lets that job
finish, then the process exits 0 within the grace period; everything it writes to stdout
is one JSON object per line."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

from bot.runners import SHUTDOWN_GRACE_SECONDS
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.bot_process import (
    bot_env,
    free_port,
    start,
    submission_statuses,
    wait_for_model_call,
)
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, write_config
from tests.handlers.memos import STRONG

MODEL_SECONDS = 2.0  # the job is mid-evaluation for this long when SIGTERM arrives


async def test_sigterm_mid_evaluation_finishes_the_job_and_exits_zero(
    tmp_path: Path, sqlite_database_url: str, fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.latency = MODEL_SECONDS
    port = free_port()
    stdout_path, stderr_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        config = write_config(tmp_path / "config")
        env = bot_env(
            tmp_path, slack, fake_anthropic, sqlite_database_url, config, LOG_LEVEL="INFO"
        )
        process = await start(env, port, stdout_path, stderr_path)
        try:
            body, content_type = signing.event_callback(signing.dm_message(STRONG))
            status, _ = await signing.post_signed(
                f"http://127.0.0.1:{port}/slack/events", body, content_type, SIGNING_SECRET
            )
            assert status == 200
            await wait_for_model_call(fake_anthropic)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), SHUTDOWN_GRACE_SECONDS + 10)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert code == 0, stderr_path.read_text()[-2000:]
    assert time.monotonic() - signalled < SHUTDOWN_GRACE_SECONDS
    assert await submission_statuses(sqlite_database_url) == ["done"]  # finished, not abandoned

    events = [json.loads(line) for line in stdout_path.read_text().splitlines() if line]
    messages = [(event["message"], event.get("stage")) for event in events]
    assert ("memo coach started", None) in messages
    stopping = messages.index(("shutting down", None))
    assert ("job finished", "evaluate") in messages[stopping:]  # finished after SIGTERM
    assert all({"ts", "level", "logger", "message"} <= set(event) for event in events)
