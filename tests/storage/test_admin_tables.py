"""Admins, coaching channels, teams and the audit log."""

from __future__ import annotations

from datetime import UTC

from storage.db import Database
from storage.repositories.admins import add_admin, is_admin, list_admins, remove_admin
from storage.repositories.audit import recent_audit, record_audit
from storage.repositories.channels import (
    add_coaching_channel,
    is_coaching_channel,
    list_coaching_channels,
    remove_coaching_channel,
)
from storage.repositories.teams import (
    add_team_member,
    list_team,
    managers_of,
    managers_with_teams,
    remove_team_member,
    set_team,
)
from tests.storage import factories


async def test_admins(database: Database) -> None:
    async with database.transaction() as session:
        assert await add_admin(session, "UA", added_by="UBOOT")
        assert not await add_admin(session, "UA", added_by="UOTHER")
        assert await add_admin(session, "UB")
    async with database.transaction() as session:
        assert await is_admin(session, "UA")
        assert not await is_admin(session, "UC")
        admins = await list_admins(session)
        assert [(a.slack_user_id, a.added_by) for a in admins] == [("UA", "UBOOT"), ("UB", None)]
        assert await remove_admin(session, "UA")
        assert not await remove_admin(session, "UA")
    async with database.session() as session:
        assert [a.slack_user_id for a in await list_admins(session)] == ["UB"]


async def test_coaching_channels(database: Database) -> None:
    async with database.transaction() as session:
        assert await add_coaching_channel(session, "C1", added_by="UA")
        assert not await add_coaching_channel(session, "C1")
        assert await add_coaching_channel(session, "C2")
    async with database.transaction() as session:
        assert await is_coaching_channel(session, "C1")
        assert not await is_coaching_channel(session, "C3")
        assert [c.channel_id for c in await list_coaching_channels(session)] == ["C1", "C2"]
        assert await remove_coaching_channel(session, "C1")
        assert not await remove_coaching_channel(session, "C1")
        assert [c.channel_id for c in await list_coaching_channels(session)] == ["C2"]


async def test_teams(database: Database) -> None:
    async with database.transaction() as session:
        manager = await factories.user(session, "UM", display_name="Mia")
        other_manager = await factories.user(session, "UN", display_name="Noa")
        ana = await factories.user(session, "UA", display_name="Ana")
        bo = await factories.user(session, "UB", display_name="Bo")
        cy = await factories.user(session, "UC", display_name="Cy")
        assert await add_team_member(session, manager.id, bo.id)
        assert not await add_team_member(session, manager.id, bo.id)
        assert await add_team_member(session, manager.id, ana.id)
        assert await add_team_member(session, other_manager.id, ana.id)
    async with database.transaction() as session:
        assert [u.display_name for u in await list_team(session, manager.id)] == ["Ana", "Bo"]
        assert [u.display_name for u in await managers_of(session, ana.id)] == ["Mia", "Noa"]
        assert await remove_team_member(session, manager.id, bo.id)
        assert not await remove_team_member(session, manager.id, bo.id)
        await set_team(session, manager.id, [cy.id, bo.id])
    async with database.transaction() as session:
        assert [u.display_name for u in await list_team(session, manager.id)] == ["Bo", "Cy"]
        assert [u.display_name for u in await list_team(session, other_manager.id)] == ["Ana"]
        assert {u.id for u in await managers_with_teams(session)} == {
            manager.id,
            other_manager.id,
        }
        await set_team(session, manager.id, [])
        assert await list_team(session, manager.id) == []


async def test_audit_log(database: Database) -> None:
    async with database.transaction() as session:
        first = await record_audit(session, "UA", "rubric.add", "rubric:2", {"comment": "x"})
        await record_audit(session, "UB", "channel.add", "C1")
        await record_audit(session, "UA", "admin.remove")
    assert first.created_at.tzinfo is UTC
    async with database.session() as session:
        entries = await recent_audit(session, 2)
        everything = await recent_audit(session)
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("UA", "admin.remove", None),
        ("UB", "channel.add", "C1"),
    ]
    assert everything[-1].detail == {"comment": "x"}
    assert len(everything) == 3
