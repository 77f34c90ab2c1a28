"""Replies to `/memo-coach admin team …`: who is on which manager's team, what changed,
and what was wrong with a command. People appear as mentions, which Slack shows by name
(in an ephemeral reply or the admin's DM they notify no one)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import (
    Block,
    SlackMessage,
    context,
    header,
    pack_messages,
    section,
    split_section_text,
)

TEAM_USAGE = (
    "`admin team set @manager @member …` — replace a manager's team",
    "`admin team add @manager @member …` — add members to a team",
    "`admin team remove @manager @member …` — take members off a team",
    "`admin team show [@manager]` — one team, or every team",
)
MAX_TEAMS_SHOWN = 100
MAX_MEMBERS_SHOWN = 60
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")


def mention(slack_user_id: str) -> str:
    """``<@U…>`` for a well-formed id; anything else is shown as escaped text."""
    if _USER_ID.fullmatch(slack_user_id):
        return f"<@{slack_user_id}>"
    return escape_mrkdwn(slack_user_id)


def _people(ids: Sequence[str], limit: int = MAX_MEMBERS_SHOWN) -> str:
    shown = ", ".join(mention(i) for i in ids[:limit])
    more = len(ids) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def _members(n: int) -> str:
    return "1 member" if n == 1 else f"{n} members"


def render_team_problem(problem: str) -> SlackMessage:
    """A command that changed nothing, with the usage to get it right."""
    usage = "\n".join(f"• {line}" for line in TEAM_USAGE)
    return SlackMessage(
        text=f"{problem} Nothing was changed.",
        blocks=[section(f":warning: {problem} Nothing was changed.\n{usage}")],
    )


def render_team_changed(
    manager: str,
    members: Sequence[str],
    *,
    added: Sequence[str] = (),
    removed: Sequence[str] = (),
    not_on_team: Sequence[str] = (),
) -> SlackMessage:
    """The team after a set/add/remove, and exactly what the command changed."""
    lines = []
    if added:
        lines.append(f"Added: {_people(added)}")
    if removed:
        lines.append(f"Removed: {_people(removed)}")
    if not_on_team:
        lines.append(f"Not on the team (nothing to remove): {_people(not_on_team)}")
    if not added and not removed:
        lines.append("No change: the team was already like that.")
    now = (
        f"{mention(manager)}'s team now has {_members(len(members))}: {_people(members)}"
        if members
        else f"{mention(manager)} now has no team."
    )
    text = f":busts_in_silhouette: {now}\n" + "\n".join(lines)
    return SlackMessage(text="Team updated.", blocks=[section(text)])


def render_team(manager: str, members: Sequence[str]) -> SlackMessage:
    if not members:
        text = f"{mention(manager)} has no team. Add one with `/memo-coach admin team set`."
        return SlackMessage(text="No team for that manager.", blocks=[section(text)])
    body = f"*{mention(manager)}'s team* ({_members(len(members))})\n{_people(members)}"
    return SlackMessage(text="Team members", blocks=[section(body)])


def render_all_teams(teams: Sequence[tuple[str, Sequence[str]]]) -> list[SlackMessage]:
    """Every manager with their members; very many teams are cut with a note."""
    if not teams:
        text = "No teams yet. Create one with `/memo-coach admin team set @manager @member …`."
        return [SlackMessage(text="No teams yet.", blocks=[section(text)])]
    lines = "\n".join(
        f"• {mention(manager)} ({_members(len(members))}): {_people(members)}"
        for manager, members in teams[:MAX_TEAMS_SHOWN]
    )
    blocks: list[Block] = [header(f"Teams ({len(teams)})")]
    blocks.extend(section(piece) for piece in split_section_text(lines))
    if len(teams) > MAX_TEAMS_SHOWN:
        blocks.append(
            context(
                f"Showing {MAX_TEAMS_SHOWN} of {len(teams)} teams; "
                "`admin team show @manager` shows any one."
            )
        )
    return pack_messages(blocks, f"{len(teams)} teams")
