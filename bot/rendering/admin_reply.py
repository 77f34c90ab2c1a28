"""Building blocks shared by the admin replies: a titled reply, bullet lists, people and
dates. Anything admins or files wrote is escaped before it reaches mrkdwn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

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

SLACK_USER = re.compile(r"^[UW][A-Z0-9]+$")
MAX_LISTED = 40


def who(author: str) -> str:
    """A Slack user id as a mention (rendered as the name); anything else ("config",
    "cli:ana") as escaped text."""
    return f"<@{author}>" if SLACK_USER.match(author) else f"`{escape_mrkdwn(author)}`"


def when(moment: datetime) -> str:
    """A date Slack shows in each reader's own time zone (UTC in the fallback)."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short}} {{time}}|{fallback}>"


def bullets(lines: Sequence[str], *, escape: bool = True, limit: int = MAX_LISTED) -> str:
    shown = [escape_mrkdwn(line) if escape else line for line in lines[:limit]]
    text = "\n".join(f"• {line}" for line in shown)
    if len(lines) > limit:
        text += f"\n…and {len(lines) - limit} more"
    return text


def admin_reply(
    title: str, body: str = "", *, note: str | None = None, fallback: str | None = None
) -> list[SlackMessage]:
    """A header, the body (split to fit Slack's limits) and an optional context note."""
    blocks: list[Block] = [header(title)]
    blocks += [section(piece) for piece in split_section_text(body)]
    if note:
        blocks.append(context(note))
    return pack_messages(blocks, fallback or title)


def admin_notice(text: str, fallback: str | None = None) -> SlackMessage:
    """A one-section reply (confirmations, refusals, usage hints)."""
    plain = fallback or re.sub(r"[*_`]", "", text)
    return SlackMessage(text=plain[:300], blocks=[section(text)])


def render_usage(lines: Sequence[str]) -> SlackMessage:
    """The area's `admin help` lines, when a sub-command was missing or unknown."""
    return admin_notice("Usage:\n" + "\n".join(f"• {line}" for line in lines))
