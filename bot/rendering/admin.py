"""Replies shared by all admin commands: refusal, help, unknown command."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import SlackMessage, header, pack_messages, section, split_section_text


def render_not_admin() -> SlackMessage:
    text = (
        ":lock: That is an admin command, and you are not a Memo Coach admin. Nothing was "
        "changed. Ask an admin (see `/memo-coach help`) if you need this done."
    )
    return SlackMessage(
        text="Only Memo Coach admins can do that; nothing was changed.", blocks=[section(text)]
    )


def render_admin_help(areas: Mapping[str, Sequence[str]]) -> SlackMessage:
    lines = [line for name in sorted(areas) for line in areas[name]]
    body = "\n".join(f"• {line}" for line in lines) or "No admin commands are installed."
    blocks = [header("Memo Coach admin commands")]
    blocks += [section(piece) for piece in split_section_text(body)]
    return pack_messages(blocks, "Memo Coach admin commands")[0]


def render_unknown_admin(area: str, known: Sequence[str]) -> SlackMessage:
    names = ", ".join(f"`{name}`" for name in known)
    text = (
        f"I don't know `admin {escape_mrkdwn(area[:40])}`. Try one of {names}, or "
        "`/memo-coach admin help`."
    )
    return SlackMessage(
        text=f"Unknown admin command: {escape_mrkdwn(area[:40])}", blocks=[section(text)]
    )
