"""A bot process killed (SIGKILL) while the model is scoring loses nothing: a new
process takes the job over when its lease ends, and the memo is answered exactly once."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.bot_process import (
    bot_env,
    free_port,
    start,
    submission_counts,
    wait_for_model_call,
)
from tests.handlers.harness import SIGNING_SECRET, write_config
from tests.handlers.memos import STRONG

LEASE_SECONDS = 10


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
    env = bot_env(
        tmp_path, slack, fake_anthropic, database_url, config, SLACK_FILE_HOSTS="127.0.0.1"
    )
    log = tmp_path / "bot.log"
    fake_anthropic.latency = 30  # the first process will be killed while waiting
    port = free_port()
    first = await start(env, port, log)
    event = signing.dm_message(STRONG, user="U1")
    body, content_type = signing.event_callback(event)
    status, _ = await signing.post_signed(
        f"http://127.0.0.1:{port}/slack/events", body, content_type, SIGNING_SECRET
    )
    assert status == 200
    await wait_for_model_call(fake_anthropic, within=5)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert await submission_counts(database_url) == (1, 0, ["queued"])

    fake_anthropic.latency = 0
    second = await start(env, free_port(), log)
    try:
        for _ in range(int((LEASE_SECONDS + 15) / 0.2)):
            _, _evaluations, statuses = await submission_counts(database_url)
            if statuses == ["done"]:
                break
            await asyncio.sleep(0.2)
        assert await submission_counts(database_url) == (1, 1, ["done"])
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
