"""`/memo-coach admin …` through the real app: every area refuses non-admins without
changing anything, and does its job for admins (audited)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from storage.models import AuditEntry
from storage.repositories.admins import add_admin
from storage.repositories.channels import is_coaching_channel
from tests.bot.rubric_files import DEFAULT_PROMPT_TEXT, DEFAULT_RUBRIC_TEXT
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.admin_support import ADMIN, NOT_ADMIN, counts, run, said
from tests.handlers.harness import Harness, running_bot
from tests.handlers.memos import STRONG

EVERY_COMMAND = [
    "admin help",
    "admin admins list",
    "admin admins add <@U2|bo>",
    "admin admins remove <@U1|ana>",
    "admin rubric show",
    "admin rubric history",
    "admin rubric diff 1 1",
    "admin rubric rollback 1",
    "admin rubric export",
    "admin rubric weight answer_first 30 risks 10",
    "admin rubric edit",
    "admin prompt show",
    "admin prompt history",
    "admin prompt rollback 1",
    "admin prompt export",
    "admin channel add <#C9|memos>",
    "admin channel list",
    "admin stats",
    "admin debug last",
    "admin audit 5",
]


@pytest_asyncio.fixture
async def admin_bot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> AsyncIterator[Harness]:
    async with running_bot(monkeypatch, tmp_path, database_url, slack, admins=ADMIN) as bot:
        yield bot


async def test_non_admins_are_refused_and_nothing_changes(admin_bot: Harness) -> None:
    before = await counts(admin_bot)
    for text in EVERY_COMMAND:
        body = await run(admin_bot, text, user=NOT_ADMIN)
        assert "not a Memo Coach admin" in said(body), text
    await admin_bot.event(signing.dm_message("admin rubric weight answer_first 30", user=NOT_ADMIN))
    [reply] = await admin_bot.slack.wait_for("chat.postMessage")
    assert "not a Memo Coach admin" in json.dumps(reply.args)
    assert await counts(admin_bot) == before
    assert not admin_bot.slack.calls_to("views.open")
    assert not admin_bot.slack.calls_to("files.getUploadURLExternal")


async def test_admin_help_lists_every_area(admin_bot: Harness) -> None:
    text = said(await run(admin_bot, "admin help"))
    for usage in (
        "admin rubric weight",
        "admin prompt show",
        "admin channel add",
        "admin stats",
        "admin debug last",
        "admin audit",
        "admin admins add",
    ):
        assert usage in text


async def test_admins_add_list_remove(admin_bot: Harness) -> None:
    assert "not a Memo Coach admin" in said(await run(admin_bot, "admin stats", user=NOT_ADMIN))
    assert "Now admins: <@U2>" in said(await run(admin_bot, "admin admins add <@U2|bo>"))
    assert "last 7 days" in said(await run(admin_bot, "admin stats", user=NOT_ADMIN))
    listed = said(await run(admin_bot, "admin admins list"))
    assert "<@U1>" in listed
    assert "ADMIN_USER_IDS" in listed
    assert "added by <@U1>" in listed
    kept = said(await run(admin_bot, "admin admins remove <@U1|ana>", user=NOT_ADMIN))
    assert "stay admins" in kept
    assert "No longer admins: <@U2>" in said(await run(admin_bot, "admin admins remove <@U2>"))
    assert "not a Memo Coach admin" in said(await run(admin_bot, "admin stats", user=NOT_ADMIN))
    async with admin_bot.bot.services.database.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "admins.add" in actions
    assert "admins.remove" in actions


async def test_workspace_admins_count_when_switched_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str, slack: FakeSlack
) -> None:
    slack.add_user("U3", real_name="Cy Owner", is_owner=True)
    coach = {"admins": {"workspace_admins_are_admins": True}}
    async with running_bot(monkeypatch, tmp_path, sqlite_database_url, slack, coach=coach) as bot:
        assert "last 7 days" in said(await run(bot, "admin stats", user="U3"))
        assert "last 7 days" in said(await run(bot, "admin stats", user="U3"))
        assert "not a Memo Coach admin" in said(await run(bot, "admin stats", user=NOT_ADMIN))
    asked = [c.args.get("user") for c in slack.calls_to("users.info")]
    assert asked.count("U3") == 1, "workspace roles are cached briefly"


async def test_the_last_admin_cannot_be_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str, slack: FakeSlack
) -> None:
    async with running_bot(monkeypatch, tmp_path, sqlite_database_url, slack) as bot:
        async with bot.bot.services.database.transaction() as session:
            await add_admin(session, NOT_ADMIN)
        last = said(await run(bot, "admin admins remove <@U2>", user=NOT_ADMIN))
        assert "without any admin" in last
        assert "last 7 days" in said(await run(bot, "admin stats", user=NOT_ADMIN))


async def test_rubric_show_weight_history_diff_rollback(admin_bot: Harness) -> None:
    shown = said(await run(admin_bot, "admin rubric show"))
    assert "Rubric v1 (live)" in shown
    assert "`answer_first` · weight 25%" in shown
    assert "scale 1–5" in shown
    assert "`config`" in shown

    refused = said(await run(admin_bot, "admin rubric weight answer_first 30"))
    assert "sum to 105" in refused
    assert "Nothing was changed" in refused
    changed = said(await run(admin_bot, "admin rubric weight answer_first 30 risks 10"))
    assert "Rubric v2 is live (was v1)" in changed
    assert "weight of Answer first (answer_first): 25 → 30" in changed

    history = said(await run(admin_bot, "admin rubric history"))
    assert history.index("*v2*") < history.index("*v1*")
    assert "<@U1>" in history
    diff = said(await run(admin_bot, "admin rubric diff 1 2"))
    assert "weight of Risks and feasibility (risks): 15 → 10" in diff
    assert "no rubric version 9" in said(await run(admin_bot, "admin rubric diff 1 9")).lower()

    rolled = said(await run(admin_bot, "admin rubric rollback 1"))
    assert "Rubric v3 is live (was v2)" in rolled
    assert "`answer_first` · weight 25%" in said(await run(admin_bot, "admin rubric show"))
    assert "Rubric v2 (not live)" in said(await run(admin_bot, "admin rubric show 2"))
    async with admin_bot.bot.services.database.session() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries if "." in e.action] == ["rubric.weights", "rubric.rollback"]
    audit = said(await run(admin_bot, "admin audit 8"))
    assert "rubric.rollback" in audit
    assert "v2 → v3" in audit
    assert "<@U1>" in audit


async def test_exports_are_uploaded_to_the_admins_dm(admin_bot: Harness) -> None:
    slack = admin_bot.slack
    assert "Sending rubric v1" in said(await run(admin_bot, "admin rubric export"))
    assert "Sending prompt v1" in said(await run(admin_bot, "admin prompt export"))
    await slack.wait_for("files.completeUploadExternal", count=2)
    by_name = {upload.filename: upload for upload in slack.uploads}
    assert by_name["rubric-v1.yaml"].content == DEFAULT_RUBRIC_TEXT.encode()
    assert by_name["prompt-v1.yaml"].content == DEFAULT_PROMPT_TEXT.encode()
    assert {upload.channel_id for upload in slack.uploads} == {"DU1"}


async def test_prompt_show_and_history(admin_bot: Harness) -> None:
    shown = said(await run(admin_bot, "admin prompt show"))
    assert "Prompt v1 (live)" in shown
    assert "memo_template" in shown
    assert "&lt;memo&gt;" in shown
    assert "*v1*" in said(await run(admin_bot, "admin prompt history"))
    assert "No change" in said(await run(admin_bot, "admin prompt rollback 1"))


async def test_coaching_channels(admin_bot: Harness) -> None:
    added = said(await run(admin_bot, "admin channel add <#C9|memos> <#C8|plans>"))
    assert "Now coaching: <#C9>, <#C8>" in added
    assert "Already coaching: <#C9>" in said(await run(admin_bot, "admin channel add <#C9>"))
    listed = said(await run(admin_bot, "admin channel list"))
    assert "<#C9>" in listed
    assert "<#C8>" in listed
    assert "No longer coaching: <#C8>" in said(await run(admin_bot, "admin channel remove <#C8>"))
    async with admin_bot.bot.services.database.session() as session:
        assert await is_coaching_channel(session, "C9")
        assert not await is_coaching_channel(session, "C8")


async def test_stats_count_this_weeks_memos(admin_bot: Harness) -> None:
    await admin_bot.event(signing.dm_message(STRONG, user="U2"))
    await admin_bot.settled()
    stats = said(await run(admin_bot, "admin stats"))
    assert "1 from 1 people (1 coached)" in stats
    assert "`offline`: 1" in stats
    assert "Estimated cost:* $0.00" in stats


async def test_debug_needs_debug_storage(admin_bot: Harness) -> None:
    assert "debug_storage: true" in said(await run(admin_bot, "admin debug last"))


async def test_debug_last_uploads_the_raw_exchange_to_the_dm(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    async with running_bot(
        monkeypatch,
        tmp_path,
        sqlite_database_url,
        slack,
        anthropic=fake_anthropic,
        coach={"debug_storage": True},
        admins=ADMIN,
    ) as bot:
        assert "No evaluation for <@U2>" in said(await run(bot, "admin debug last <@U2|bo>"))
        await bot.event(signing.dm_message(STRONG, user="U2"))
        await bot.settled()
        answer = said(await run(bot, "admin debug last <@U2|bo>"))
        await slack.wait_for("files.completeUploadExternal")
    assert "to our DM" in answer
    assert "=== raw prompt" not in answer
    assert "Decision needed" not in answer
    [file] = slack.uploads
    content = (file.content or b"").decode()
    assert file.channel_id == "DU1"
    assert "=== raw prompt (request body) ===" in content
    assert "=== raw response ===" in content
    assert "tokens: input" in content
    assert "Decision needed: annual billing" in content
