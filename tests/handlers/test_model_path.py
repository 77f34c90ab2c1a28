"""With an API key: Claude answers; when it keeps failing, a labelled offline answer or a
clear message with "Try again" — never silence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic, Scripted
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import QUICK_LLM, running_bot, running_model_bot
from tests.handlers.memos import STRONG


def _thread(harness, event) -> str:
    return json.dumps(harness.thread_replies("DU1", event["ts"]))


async def test_claude_answers_and_the_memo_is_delimited_data(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    async with running_model_bot(
        monkeypatch, tmp_path, database_url, slack, fake_anthropic
    ) as harness:
        event = signing.dm_message(STRONG, user="U1")
        await harness.event(event)
        await harness.settled()
    [request] = fake_anthropic.requests
    assert request.problems == []
    assert request.memo is not None
    assert "anthropic:claude-sonnet-5" in _thread(harness, event)
    assert "Offline feedback" not in _thread(harness, event)


async def test_model_down_falls_back_to_labelled_offline_feedback(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(*[Scripted.overloaded(retry_after=0.01)] * 4)
    async with running_model_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic
    ) as harness:
        event = signing.dm_message(STRONG, user="U1")
        await harness.event(event)
        await harness.settled()
        said = _thread(harness, event)
    assert "Offline feedback" in said
    assert "AI coach was unavailable" in said


async def test_without_fallback_the_user_gets_try_again_and_it_works(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(*[Scripted.overloaded(retry_after=0.01)] * 2)
    llm = {**QUICK_LLM, "fallback": "none"}
    async with running_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, anthropic=fake_anthropic, llm=llm
    ) as harness:
        event = signing.dm_message(STRONG, user="U1")
        await harness.event(event)
        await harness.settled()
        said = _thread(harness, event)
        assert "retry_submission" in said
        assert "Memo feedback" not in said
        retry = next(
            element["value"]
            for reply in harness.thread_replies("DU1", event["ts"])
            for block in reply.get("blocks") or []
            for element in block.get("elements") or []
            if element.get("action_id") == "retry_submission"
        )
        url = slack.new_response_url()
        await harness.post(
            signing.block_actions("retry_submission", retry, user="U1", response_url=url)
        )
        await slack.wait_for(
            "chat.postMessage", predicate=lambda c: "Memo feedback" in str(c.args.get("text"))
        )
        await harness.settled()
    assert "anthropic:claude-sonnet-5" in _thread(harness, event)
