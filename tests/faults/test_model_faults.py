"""The model misbehaves (429, 529, 500, timeouts, malformed JSON, invented quotes): every
memo still ends in Claude's answer, a labelled offline fallback, or a clear error with a
"Try again" button — never silence. Asserted on what reached the fake Slack thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Evaluation
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import DEFAULT_FABRICATED_QUOTE, FakeAnthropic, Scripted
from tests.fakes.fake_slack import FakeSlack
from tests.faults.support import (
    FAILED_NOTICE,
    FALLBACK_LABEL,
    OFFLINE_LABEL,
    feedback_posts,
    status_line,
    thread_text,
)
from tests.handlers.harness import Harness, running_bot
from tests.handlers.memos import STRONG

CLAUDE = "anthropic:claude-sonnet-5"
RETRIES = 1
LLM = {"max_retries": RETRIES, "timeout_seconds": 1}


async def _coach(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    slack: FakeSlack,
    anthropic: FakeAnthropic,
    llm: dict[str, Any] | None = None,
) -> tuple[Harness, dict[str, Any]]:
    """DM one memo to a bot using the fake model; return once it reached a final state."""
    async with running_bot(
        monkeypatch, tmp_path, url, slack, anthropic=anthropic, llm={**LLM, **(llm or {})}
    ) as harness:
        event = signing.dm_message(STRONG, user="U1")
        status, _ = await harness.event(event)
        assert status == 200
        await harness.settled(within=30)
    return harness, event


# Faults that pass: one bad answer, then the SDK's retry gets a good one.
TRANSIENT: dict[str, Callable[[], Scripted]] = {
    "429 with retry-after": lambda: Scripted.rate_limited(retry_after=0.5),
    "529 overloaded": lambda: Scripted.overloaded(retry_after=0.1),
    "500": lambda: Scripted.server_error(retry_after=0.1),
    "timeout": lambda: Scripted.slow(5),  # beyond the 1 s client timeout
}


@pytest.mark.parametrize("fault", list(TRANSIENT))
async def test_a_passing_fault_is_retried_and_claude_answers(
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(TRANSIENT[fault]())
    _, event = await _coach(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic)
    said = thread_text(slack, "DU1", event["ts"])
    assert len(feedback_posts(slack, "DU1", event["ts"])) == 1
    assert CLAUDE in said
    assert OFFLINE_LABEL not in said
    assert status_line(slack, "DU1", event["ts"]).startswith("Feedback ready")
    first, second = fake_anthropic.requests
    if fault == "429 with retry-after":
        assert second.received_at - first.received_at >= 0.5, "retry-after was honoured"


# Faults that last: every attempt the SDK makes fails the same way. A 200 whose body is
# not JSON is not retried by the SDK (it may have been answered and billed).
PERSISTENT: dict[str, tuple[Callable[[], Scripted], str, int]] = {
    "429 with retry-after": (
        lambda: Scripted.rate_limited(retry_after=0.1),
        "model API error HTTP 429 rate_limit_error",
        RETRIES + 1,
    ),
    "529 overloaded": (
        lambda: Scripted.overloaded(retry_after=0.1),
        "model API error HTTP 529 overloaded_error",
        RETRIES + 1,
    ),
    "500": (
        lambda: Scripted.server_error(retry_after=0.1),
        "model API error HTTP 500 api_error",
        RETRIES + 1,
    ),
    "timeout": (lambda: Scripted.slow(5), "model API timed out after 1s per attempt", RETRIES + 1),
    "body that is not JSON": (
        lambda: Scripted.custom(200, '{"type": "message", "content": ['),
        "model API answer could not be read",
        1,
    ),
}


@pytest.mark.parametrize("fault", list(PERSISTENT))
async def test_a_lasting_fault_gets_labelled_offline_feedback(
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    scripted, reason, attempts = PERSISTENT[fault]
    fake_anthropic.script(*[scripted() for _ in range(attempts)])
    _, event = await _coach(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic)
    said = thread_text(slack, "DU1", event["ts"])
    assert len(feedback_posts(slack, "DU1", event["ts"])) == 1
    assert OFFLINE_LABEL in said
    assert f"{FALLBACK_LABEL} ({reason})" in said
    assert status_line(slack, "DU1", event["ts"]).startswith("Feedback ready")
    assert len(fake_anthropic.requests) == attempts


@pytest.mark.parametrize("fault", list(PERSISTENT))
async def test_without_fallback_a_lasting_fault_says_so_with_try_again(
    fault: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    scripted, reason, attempts = PERSISTENT[fault]
    fake_anthropic.script(*[scripted() for _ in range(attempts)])
    _, event = await _coach(
        monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic, {"fallback": "none"}
    )
    said = thread_text(slack, "DU1", event["ts"])
    assert feedback_posts(slack, "DU1", event["ts"]) == []
    assert f"{FAILED_NOTICE}: {reason}" in said
    assert "retry_submission" in said
    assert len(fake_anthropic.requests) == attempts
    assert status_line(slack, "DU1", event["ts"]).startswith("Couldn't finish coaching")


async def test_malformed_json_is_repaired_once_then_claude_answers(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(Scripted.malformed_json())
    _, event = await _coach(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic)
    said = thread_text(slack, "DU1", event["ts"])
    assert len(feedback_posts(slack, "DU1", event["ts"])) == 1
    assert CLAUDE in said
    assert OFFLINE_LABEL not in said
    first, repair = fake_anthropic.requests
    assert len(repair.messages) == len(first.messages) + 2, "the bad answer went back once"


async def test_malformed_json_after_the_repair_falls_back_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    fake_anthropic.script(Scripted.malformed_json(), Scripted.malformed_json())
    _, event = await _coach(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic)
    said = thread_text(slack, "DU1", event["ts"])
    assert len(feedback_posts(slack, "DU1", event["ts"])) == 1
    assert f"{FALLBACK_LABEL} (invalid model answer (" in said
    assert "after 1 repair attempt(s))" in said
    assert len(fake_anthropic.requests) == 2


async def test_quotes_not_in_the_memo_never_reach_the_thread(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    """An invented quote is dropped, a re-typed one (curly quotes, collapsed spaces) is
    anchored back to the memo's own words; the rest of Claude's answer is posted."""
    fake_anthropic.fabricated_quote = True
    fake_anthropic.altered_quote = True
    harness, event = await _coach(monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic)
    said = thread_text(slack, "DU1", event["ts"])
    assert len(feedback_posts(slack, "DU1", event["ts"])) == 1
    assert CLAUDE in said
    assert DEFAULT_FABRICATED_QUOTE[:30] not in said
    async with harness.bot.services.database.session() as session:
        [evaluation] = await session.scalars(select(Evaluation))
    segments = evaluation.segments or []
    proposed = fake_anthropic.requests[0].reply["content"][0]["input"]["segments"]
    assert len(segments) == len(proposed) - 1, "only the invented quote is dropped"
    for segment in segments:
        assert STRONG[segment["start"] : segment["end"]] == segment["quote"]
