"""`/memo-coach admin team set|add|remove|show`: which members each manager's digest
covers. The router has already checked the caller is an admin and audited the command;
each change also gets its own audit entry (manager, members, what changed) in the same
transaction as the change."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.rendering import SlackMessage
from bot.rendering.escape import escape_mrkdwn
from bot.rendering.team import (
    TEAM_USAGE,
    render_all_teams,
    render_team,
    render_team_changed,
    render_team_problem,
)
from handlers.admin.context import AdminArea, AdminRequest
from handlers.command_words import MENTION
from storage.repositories.audit import record_audit
from storage.repositories.teams import (
    add_team_member,
    list_team,
    managers_with_teams,
    remove_team_member,
    set_team,
)
from storage.repositories.users import get_user_by_slack_id, upsert_user

CHANGES = ("set", "add", "remove")
VERBS = (*CHANGES, "show")
_NAMED_MENTION = re.compile(r"<@([UW][A-Z0-9]+)\|([^>]{1,255})>")
_SEPARATORS = frozenset({",", ";", "and", "&amp;"})


@dataclass(frozen=True)
class TeamCommand:
    verb: str
    manager: str | None
    members: list[str]
    names: dict[str, str] = field(default_factory=dict)
    """Slack id → the name in its escaped mention, when Slack sent one."""


def parse_team_command(text: str) -> TeamCommand | str:
    """The command, or what is wrong with it (a sentence for the admin)."""
    words = text.split(maxsplit=1)
    if not words:
        return "Say what to do: `set`, `add`, `remove` or `show`."
    verb, rest = words[0].lower(), words[1] if len(words) > 1 else ""
    if verb not in VERBS:
        return (
            f"I don't know `team {escape_mrkdwn(verb[:40])}`: use `set`, `add`, `remove` or `show`."
        )
    unread = [w for w in MENTION.sub(" ", rest).split() if w.lower() not in _SEPARATORS]
    if unread:
        return (
            f"I couldn't read `{escape_mrkdwn(unread[0][:40])}` as a person: @mention everyone "
            "(pick them from Slack's list as you type)."
        )
    people = MENTION.findall(rest)
    manager, members = (people[0], list(dict.fromkeys(people[1:]))) if people else (None, [])
    names = dict(_NAMED_MENTION.findall(rest))
    if verb == "show":
        if members:
            return "`team show` takes at most one manager."
        return TeamCommand(verb, manager, [], names)
    if manager is None:
        return (
            "Mention the manager and then the members: "
            f"`/memo-coach admin team {verb} @manager @member …`."
        )
    if not members:
        return f"Mention at least one member after the manager (<@{manager}>)."
    if manager in members:
        return f"<@{manager}> is the manager, so they can't also be a member of their own team."
    return TeamCommand(verb, manager, members, names)


async def _user_ids(session: AsyncSession, manager: str, command: TeamCommand) -> dict[str, int]:
    """Slack id → user id, creating people the coach has not met yet."""
    ids = {}
    for slack_id in [manager, *command.members]:
        user = await upsert_user(session, slack_id, display_name=command.names.get(slack_id))
        ids[slack_id] = user.id
    return ids


async def _member_ids(session: AsyncSession, manager_user_id: int) -> list[str]:
    return [u.slack_user_id for u in await list_team(session, manager_user_id)]


async def _change(request: AdminRequest, command: TeamCommand) -> SlackMessage:
    assert command.manager is not None
    manager = command.manager
    async with request.services.database.transaction() as session:
        users = await _user_ids(session, manager, command)
        before = await _member_ids(session, users[manager])
        not_on_team: list[str] = []
        if command.verb == "set":
            await set_team(session, users[manager], [users[m] for m in command.members])
        for member in command.members:
            if command.verb == "add":
                await add_team_member(session, users[manager], users[member])
            elif command.verb == "remove" and not await remove_team_member(
                session, users[manager], users[member]
            ):
                not_on_team.append(member)
        after = await _member_ids(session, users[manager])
        added = [m for m in after if m not in before]
        removed = [m for m in before if m not in after]
        await record_audit(
            session,
            request.actor,
            f"team {command.verb}",
            target=manager,
            detail={"members": command.members, "added": added, "removed": removed, "team": after},
        )
    return render_team_changed(
        manager, after, added=added, removed=removed, not_on_team=not_on_team
    )


async def _show(request: AdminRequest, manager: str | None) -> list[SlackMessage]:
    async with request.services.database.session() as session:
        if manager is not None:
            user = await get_user_by_slack_id(session, manager)
            members = [] if user is None else await _member_ids(session, user.id)
            return [render_team(manager, members)]
        teams = [
            (boss.slack_user_id, await _member_ids(session, boss.id))
            for boss in await managers_with_teams(session)
        ]
    return render_all_teams(teams)


async def handle_team(request: AdminRequest) -> Sequence[SlackMessage]:
    command = parse_team_command(request.text)
    if isinstance(command, str):
        return [render_team_problem(command)]
    if command.verb == "show":
        return await _show(request, command.manager)
    return [await _change(request, command)]


AREA = AdminArea(handler=handle_team, usage=TEAM_USAGE)
