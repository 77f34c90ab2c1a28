"""`/memo-coach admin team set|add|remove|show` through the real app: admins change
teams (each change audited with its members), everyone else is refused and nothing moves."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import AuditEntry
from storage.repositories.admins import add_admin
from storage.repositories.teams import list_team
from storage.repositories.users import get_user_by_slack_id
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness

ADMIN = "UADMIN"


async def make_admin(harness: Harness, slack_user_id: str = ADMIN) -> None:
    async with harness.bot.services.database.transaction() as session:
        await add_admin(session, slack_user_id, added_by="test")


async def team_of(harness: Harness, manager: str) -> list[str]:
    async with harness.bot.services.database.session() as session:
        user = await get_user_by_slack_id(session, manager)
        return [] if user is None else [u.slack_user_id for u in await list_team(session, user.id)]


async def team_audit(harness: Harness) -> list[AuditEntry]:
    async with harness.bot.services.database.session() as session:
        entries = await session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("team %")).order_by(AuditEntry.id)
        )
        return list(entries)


async def admin_says(harness: Harness, text: str) -> str:
    status, body = await harness.command(f"admin team {text}", user_id=ADMIN)
    assert status == 200
    return body


async def test_admin_sets_adds_removes_and_shows_teams(harness: Harness) -> None:
    await make_admin(harness)
    body = await admin_says(harness, "set <@UMIA|mia> <@UANA|ana> <@UBO|bo>")
    assert "<@UMIA>'s team now has 2 members" in body
    assert sorted(await team_of(harness, "UMIA")) == ["UANA", "UBO"]

    body = await admin_says(harness, "add <@UMIA|mia> <@UCY|cy>, <@UANA|ana>")
    assert "Added: <@UCY>" in body
    assert sorted(await team_of(harness, "UMIA")) == ["UANA", "UBO", "UCY"]

    body = await admin_says(harness, "remove <@UMIA> <@UANA> <@UZED>")
    assert "Removed: <@UANA>" in body
    assert "Not on the team (nothing to remove): <@UZED>" in body
    assert sorted(await team_of(harness, "UMIA")) == ["UBO", "UCY"]

    body = await admin_says(harness, "set <@UMIA> <@UCY> <@UDEE|dee>")  # replaces the team
    assert "Added: <@UDEE>" in body
    assert "Removed: <@UBO>" in body
    assert sorted(await team_of(harness, "UMIA")) == ["UCY", "UDEE"]
    await admin_says(harness, "set <@UOLA|ola> <@UBO>")

    one = await admin_says(harness, "show <@UMIA|mia>")
    assert "<@UMIA>'s team" in one
    assert "<@UCY>" in one
    assert "<@UOLA>" not in one
    every = await admin_says(harness, "show")
    assert "Teams (2)" in every
    for person in ("<@UMIA>", "<@UCY>", "<@UDEE>", "<@UOLA>", "<@UBO>"):
        assert person in every

    audit = await team_audit(harness)
    assert [e.action for e in audit] == [
        "team set",
        "team add",
        "team remove",
        "team set",
        "team set",
    ]
    assert all(e.actor == ADMIN and e.target in ("UMIA", "UOLA") for e in audit)
    assert audit[0].detail is not None
    assert audit[0].detail["members"] == ["UANA", "UBO"]
    assert audit[2].detail is not None
    assert audit[2].detail["removed"] == ["UANA"]
    async with harness.bot.services.database.session() as session:
        mia = await get_user_by_slack_id(session, "UMIA")
        routed = await session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "admin team").limit(1)
        )
    assert mia is not None
    assert mia.display_name == "mia"  # from Slack's escaped mention
    assert routed is not None  # the router audits every admin command too


async def test_non_admins_are_refused_and_nothing_changes(harness: Harness) -> None:
    await make_admin(harness)
    await admin_says(harness, "set <@UMIA> <@UANA>")
    for text in ("set <@UMIA> <@U2>", "add <@U2> <@UANA>", "remove <@UMIA> <@UANA>", "show"):
        status, body = await harness.command(f"admin team {text}", user_id="U2")
        assert status == 200
        assert "not a Memo Coach admin" in body
        assert "UANA" not in body
    assert await team_of(harness, "UMIA") == ["UANA"]
    assert await team_of(harness, "U2") == []
    assert [e.action for e in await team_audit(harness)] == ["team set"]


async def test_mistakes_are_explained_and_change_nothing(harness: Harness) -> None:
    await make_admin(harness)
    for text, problem in [
        ("set", "Mention the manager and then the members"),
        ("add <@UMIA|mia>", "Mention at least one member after the manager"),
        ("set <@UMIA> <@UANA> <@UMIA|mia>", "can't also be a member of their own team"),
        ("promote <@UMIA> <@UANA>", "I don't know `team promote`"),
        ("add <@UMIA> bob", "I couldn't read `bob` as a person"),
        ("show <@UMIA> <@UANA>", "`team show` takes at most one manager"),
        ("", "Say what to do"),
    ]:
        body = await admin_says(harness, text)
        assert problem in body, text
        assert "Nothing was changed" in body
    assert await team_of(harness, "UMIA") == []
    assert await team_audit(harness) == []


async def test_team_commands_work_in_a_dm(harness: Harness) -> None:
    await make_admin(harness)
    await harness.event(signing.dm_message("admin team set <@UMIA> <@UANA>", user=ADMIN))
    [reply] = await harness.slack.wait_for("chat.postMessage")
    assert reply.response is not None
    assert reply.response["channel"] == f"D{ADMIN}"
    assert "<@UMIA>'s team now has 1 member" in json.dumps(reply.args)
    assert await team_of(harness, "UMIA") == ["UANA"]


async def test_admin_help_lists_the_team_commands(harness: Harness) -> None:
    await make_admin(harness)
    _status, body = await harness.command("admin help", user_id=ADMIN)
    for verb in ("set", "add", "remove", "show"):
        assert f"admin team {verb}" in body
