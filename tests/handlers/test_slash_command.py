"""/memo-coach with a memo: acked at once, answered in the user's DM as a thread."""

from __future__ import annotations

import json
from pathlib import Path

from tests.handlers.harness import Harness

MEMO = (Path(__file__).resolve().parents[1] / "data" / "memos" / "pricing_strong.md").read_text()


async def test_memo_is_acked_and_answered_in_a_dm_thread(harness: Harness) -> None:
    slack = harness.slack
    status, body = await harness.command(MEMO, channel_id="C1")
    assert status == 200
    assert "coaching your memo" in json.loads(body)["text"].lower()
    await harness.settled()
    posts = slack.calls_to("chat.postMessage")
    root = posts[0].args
    assert root["channel"] == "U1" or root["channel"].startswith("D")
    assert "thread_ts" not in root or root["thread_ts"] is None
    root_ts = posts[0].response["ts"]
    replies = [c for c in posts[1:] if c.args.get("thread_ts") == root_ts]
    assert replies, "the evaluation is posted as thread replies"
    first = replies[0].args
    assert "Memo feedback" in first["text"]
    blocks = json.dumps([r.args.get("blocks") for r in replies])
    assert "Offline feedback" in blocks
    updates = slack.calls_to("chat.update")
    assert updates
    assert "done" in json.dumps(updates[-1].args).lower()
    notices = await slack.wait_for_responses(1)
    assert "DMs" in json.dumps(notices[0].body)
