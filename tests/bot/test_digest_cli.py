"""`memo-coach digest --now [--manager U…]` in-process, against the fake Slack."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import Database
from storage.types import utcnow
from tests.bot.digest_fixtures import memo_at, team
from tests.fakes.fake_slack import FakeSlack

BOT_TOKEN = "xoxb-cli-test"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("MEMO_COACH_CONFIG_DIR", "ANTHROPIC_API_KEY", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_digest_without_now_explains_itself(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest"]) == 1
    assert "memo-coach digest --now" in capsys.readouterr().err


def test_digest_needs_a_bot_token(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "--now"]) == 1
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


async def test_digest_now_for_one_manager(
    env: pytest.MonkeyPatch, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    async with database.transaction() as session:
        _, ana = await team(session, "UMGRA", {"U1": "Ana Writer"})
        _, bo = await team(session, "UMGRB", {"U2": "Bo Reader"})
        recent = utcnow() - timedelta(days=2)
        await memo_at(session, ana["U1"], recent, {"answer_first": 4, "evidence": 3})
        await memo_at(session, bo["U2"], recent, {"answer_first": 3, "evidence": 3})
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        env.setenv("SLACK_API_URL", slack.api_url)
        # main() runs its own event loop; the fake keeps serving on this one.
        code = await asyncio.to_thread(main, ["digest", "--now", "--manager", "UMGRA"])
        assert code == 0
        posted = {c.args["channel"] for c in slack.calls_to("chat.postMessage")}
        assert posted == {"DUMGRA"}
        assert [u.channel_id for u in slack.uploads] == ["DUMGRA"]
        code = await asyncio.to_thread(main, ["digest", "--now", "--manager", "UNOBODY"])
        assert code == 0
    out = capsys.readouterr().out
    assert "sent 1, failed 0." in out
    assert "UNOBODY manages no team" in out
