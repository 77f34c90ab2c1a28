"""Slack misbehaves: 429 with Retry-After, 5xx, ``not_in_channel``, ``channel_not_found``
and an expired ``response_url``. Every memo is answered exactly once when Slack lets it
be, and a memo that cannot be answered stops being retried and is marked failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.faults.support import (
    accepted_posts,
    feedback_posts,
    job_rows,
    memo_rows,
    posted_parts,
    status_line,
)
from tests.handlers.harness import Harness, running_bot
from tests.handlers.memos import STRONG

LLM = {"max_retries": 0, "timeout_seconds": 5}
MODEL_SECONDS = 0.5
"""The fake model's latency: a window in which a fault can be armed for the feedback post."""
JOB_RETRY_WITHIN = 15.0
"""Failed jobs are retried after 0.2 s, 0.4 s (``fast_job_retries``; 5 s, 10 s in production)."""


async def _dm_memo(harness: Harness) -> dict[str, str]:
    event = signing.dm_message(STRONG, user="U1")
    status, _ = await harness.event(event)
    assert status == 200
    return event


def _answered_once(slack: FakeSlack, event: dict[str, str]) -> None:
    assert len(feedback_posts(slack, "DU1", event["ts"])) == 1
    assert set(posted_parts(slack).values()) == {1}, posted_parts(slack)
    assert status_line(slack, "DU1", event["ts"]).startswith("Feedback ready")


async def _arm_after_status(slack: FakeSlack, method: str, **fault: int | str) -> None:
    """Fail the feedback post rather than the status message: wait for the status message
    (the model then takes MODEL_SECONDS) and arm the fault."""
    await slack.wait_for("chat.postMessage")
    slack.fail_next(method, **fault)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", ["status message", "feedback"])
async def test_429_with_retry_after_is_waited_out_and_answered_once(
    target: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.latency = MODEL_SECONDS
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=LLM
    ) as harness:
        if target == "status message":
            slack.fail_next("chat.postMessage", retry_after=1)
        event = await _dm_memo(harness)
        if target == "feedback":
            await _arm_after_status(slack, "chat.postMessage", retry_after=1)
        await harness.settled(within=15)
    _answered_once(slack, event)
    posts = slack.calls_to("chat.postMessage")
    [limited] = [i for i, call in enumerate(posts) if call.status == 429]
    retried = posts[limited + 1]
    assert retried.args["text"] == posts[limited].args["text"], "the same message, again"
    assert retried.at - posts[limited].at >= 1.0, "Retry-After was honoured"
    assert [row[1:] for row in await memo_rows(sqlite_database_url)] == [("done", 1)]
    assert len(fake_anthropic.requests) == 1


async def test_429_beyond_the_retry_handler_fails_the_job_and_its_retry_answers_once(
    fast_job_retries: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.latency = MODEL_SECONDS
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=LLM
    ) as harness:
        event = await _dm_memo(harness)
        await _arm_after_status(slack, "chat.postMessage", retry_after=0, times=4)
        await harness.settled(within=JOB_RETRY_WITHIN)
    _answered_once(slack, event)
    assert len(fake_anthropic.requests) == 1, "the stored evaluation was reused"


@pytest.mark.parametrize(
    ("status", "times"),
    [(500, 1), (503, 3), (502, 1)],
    ids=["500 retried by the client", "503 beyond the client's retries", "502 not retried"],
)
async def test_5xx_on_the_feedback_post_is_retried_and_answered_once(
    fast_job_retries: None,
    status: int,
    times: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """The client retries 500/503 twice; anything beyond fails the job, which the worker
    retries later (the resumed job checks the thread before posting)."""
    fake_anthropic.latency = MODEL_SECONDS
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=LLM
    ) as harness:
        event = await _dm_memo(harness)
        await _arm_after_status(slack, "chat.postMessage", status=status, times=times)
        await harness.settled(within=JOB_RETRY_WITHIN)
    _answered_once(slack, event)
    assert len([c for c in slack.calls_to("chat.postMessage") if c.status == status]) == times
    assert len(fake_anthropic.requests) == 1


async def test_5xx_on_a_status_update_does_not_lose_the_memo(
    fast_job_retries: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=LLM
    ) as harness:
        slack.fail_next("chat.update", status=502, times=2)  # two failed attempts
        event = await _dm_memo(harness)
        await harness.settled(within=JOB_RETRY_WITHIN)
    _answered_once(slack, event)


@pytest.mark.parametrize("fault", ["not_in_channel", "channel_not_found"])
async def test_a_channel_the_bot_cannot_post_in_fails_the_memo_without_looping(
    fast_job_retries: None,
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """A file shared with an @mention in a channel the bot was then removed from (or
    that was deleted): the reply can never be posted. The job stops after one attempt, the
    memo is marked failed, the model is not called, and the author is told in a DM where
    to share the memo instead (never silence)."""
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=LLM
    ) as harness:
        file = slack.add_file("F1", STRONG.encode(), name="memo.md")
        event = signing.file_share_message([file], user="U1", channel="C9", text="<@UBOT> hi")
        status, _ = await harness.event(event)
        assert status == 200
        if fault == "not_in_channel":
            slack.set_bot_not_in_channel("C9")
        else:
            slack.set_channel_missing("C9")
        await harness.settled(within=5)
        [(_, job_status, stage, attempts, error)] = await job_rows(harness.bot.services.database)
    assert (job_status, stage, attempts) == ("failed", "announce", 1)
    assert error == f"Slack API error: {fault}"
    assert [row[1:] for row in await memo_rows(sqlite_database_url)] == [("failed", 0)]
    assert fake_anthropic.requests == []
    refused, notice = slack.calls_to("chat.postMessage")
    assert refused.response == {"ok": False, "error": fault}
    assert notice.args["channel"] == "DU1"
    assert "<#C9>" in notice.args["blocks"][0]["text"]["text"]
    assert "share the file with me here" in notice.args["blocks"][0]["text"]["text"].lower()
    assert STRONG[:40] not in str(notice.args)  # a notice, not the memo
    assert [post.args["channel"] for post in accepted_posts(slack)] == ["DU1"]


async def test_an_expired_response_url_loses_only_the_pointer(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """/memo-coach in a channel: the feedback goes to the DM, and an ephemeral pointer
    through the command's response_url. With that URL expired, the pointer fails
    (logged) and the DM answer still arrives, once."""
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=LLM
    ) as harness:
        url = slack.new_response_url()
        slack.expire_response_url(url)
        status, _ = await harness.command(STRONG, channel_id="C1", response_url=url)
        assert status == 200
        await harness.settled()
    [pointer] = slack.responses
    assert (pointer.url, pointer.status) == (url, 404)
    assert "in your DMs" in str(pointer.body.get("text"))
    [root] = [c for c in accepted_posts(slack) if not c.args.get("thread_ts")]
    assert root.response is not None
    assert root.response["channel"] == "DU1"
    _answered_once(slack, {"ts": root.response["ts"]})
