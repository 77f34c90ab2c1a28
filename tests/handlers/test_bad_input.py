"""Bad input gets a clear reply in the thread, no model call, and nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import Harness, running_bot
from tests.handlers.memos import STRONG, zip_bomb_docx


@pytest.fixture
async def with_model(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
):
    async with running_bot(
        monkeypatch,
        tmp_path,
        sqlite_database_url,
        slack,
        anthropic=fake_anthropic,
        coach={"rate_limit": {"memos_per_hour": 2}, "memo": {"max_characters": 5000}},
    ) as running:
        yield running


def _said(harness: Harness, channel: str, ts: str) -> str:
    return json.dumps(harness.thread_replies(channel, ts))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("deck.pptx", b"PK\x03\x04 slides", "aren't supported"),
        ("memo.docx", zip_bomb_docx(), "zip bomb"),
        ("memo.pdf", b"%PDF-1.4\n1 0 obj <<", "damaged"),
        ("memo.txt", b"\x00\x01\x02binary\xff" * 50, "doesn't contain text"),
        ("memo.txt", "caf\xe9 ".encode("latin-1") * 100, "UTF-8"),
        ("empty.md", b"", "empty"),
    ],
)
async def test_unusable_files_get_a_friendly_reply_and_no_model_call(
    with_model: Harness, fake_anthropic: FakeAnthropic, name: str, content: bytes, expected: str
) -> None:
    harness = with_model
    file = harness.slack.add_file("F1", content, name=name)
    event = signing.file_share_message([file], user="U1")
    await harness.event(event)
    await harness.settled()
    assert expected in _said(harness, "DU1", event["ts"])
    assert fake_anthropic.requests == []
    ready = await harness.http.get(f"{harness.url}/ready")
    assert ready.status == 200


async def test_over_long_and_too_short_memos(with_model: Harness, fake_anthropic) -> None:
    harness = with_model
    long_event = signing.dm_message("word " * 1200, user="U1")
    await harness.event(long_event)
    short_event = signing.dm_message("Approve the budget please.", user="U1")
    await harness.event(short_event)
    await harness.slack.wait_for("chat.postMessage", count=2)
    assert "limit is 5000" in _said(harness, "DU1", long_event["ts"]).replace(",", "")
    assert "too short" in _said(harness, "DU1", short_event["ts"])
    assert fake_anthropic.requests == []


async def test_rate_limit_says_when_to_come_back(with_model: Harness) -> None:
    harness = with_model
    for _ in range(2):
        status, body = await harness.command(STRONG)
        assert "coaching your memo" in body.lower()
    status, body = await harness.command(STRONG)
    assert status == 200
    text = json.loads(body)["text"]
    assert "2" in text
    assert "hour" in text
    await harness.settled()


async def test_file_download_that_redirects_elsewhere_is_refused(with_model: Harness) -> None:
    harness = with_model
    slack = harness.slack
    file = slack.add_file(
        "F9", b"memo text " * 100, name="memo.txt", redirect_to=slack.cdn_url("F9")
    )
    event = signing.file_share_message([file], user="U1")
    await harness.event(event)
    await harness.settled()
    assert "not allowed" in _said(harness, "DU1", event["ts"])
    assert all(d.host.startswith("127.0.0.1") for d in slack.downloads if d.authorized)
