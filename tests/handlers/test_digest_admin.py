"""`/memo-coach admin digest now` through the real app: one DM per manager with the
chart in its thread, a report DM for the admin, and nothing for non-admins."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storage.types import utcnow
from tests.bot.digest_fixtures import SECRET, memo_at, team
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import Harness, running_bot

ADMIN = "UADMIN"


async def _seed_two_teams(harness: Harness) -> None:
    recent = utcnow() - timedelta(days=1)
    async with harness.bot.services.database.transaction() as session:
        _, ana_team = await team(session, "UMGRA", {"U1": "Ana Writer", "U2": None})
        _, bo_team = await team(session, "UMGRB", {"U3": "Cy Member"})
        await memo_at(session, ana_team["U1"], recent, {"answer_first": 4, "evidence": 3})
        await memo_at(session, bo_team["U3"], recent, {"answer_first": 2, "evidence": 5})


def _top_level_posts(slack: FakeSlack, channel: str) -> list[str]:
    return [
        str(c.args.get("text"))
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and not c.args.get("thread_ts")
    ]


async def test_admin_digest_now_dms_each_manager_with_a_chart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    async with running_bot(monkeypatch, tmp_path, database_url, slack, admins=ADMIN) as harness:
        await _seed_two_teams(harness)
        status, body = await harness.command("admin digest now", user_id=ADMIN)
        assert status == 200
        assert "Sending digests to 2 managers" in body
        [report] = await slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.args.get("channel") == f"D{ADMIN}"
        )
        assert "Digests sent: 2" in str(report.args["text"])
        assert len(_top_level_posts(slack, "DUMGRA")) == 1
        assert len(_top_level_posts(slack, "DUMGRB")) == 1
        assert sorted(u.channel_id or "" for u in slack.uploads) == ["DUMGRA", "DUMGRB"]
        digest_blocks = str(
            [c.args["blocks"] for c in slack.calls_to("chat.postMessage") if c.args.get("blocks")]
        )
        assert "Ana Writer" in digest_blocks
        assert "<@U2>" in digest_blocks
        assert "Cy Member" in digest_blocks
        assert SECRET not in digest_blocks

        status, body = await harness.command("admin digest now <@UMGRA|ana>", user_id=ADMIN)
        assert "Sending digests to 1 manager" in body
        await slack.wait_for(
            "chat.postMessage", count=2, predicate=lambda c: c.args.get("channel") == f"D{ADMIN}"
        )
        assert len(_top_level_posts(slack, "DUMGRB")) == 1, "only the named manager"
        # Within the same minute the repeat is the same run and sends nothing twice.
        assert len(_top_level_posts(slack, "DUMGRA")) in (1, 2)


async def test_non_admins_cannot_send_digests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    async with running_bot(monkeypatch, tmp_path, database_url, slack, admins=ADMIN) as harness:
        await _seed_two_teams(harness)
        status, body = await harness.command("admin digest now", user_id="U1")
        assert status == 200
        assert "not a Memo Coach admin" in body
        status, body = await harness.command("admin digest", user_id=ADMIN)
        assert "admin digest now" in body
    assert slack.calls_to("files.completeUploadExternal") == []
    assert not [c for c in slack.calls_to("chat.postMessage") if "UMGR" in str(c.args)]
