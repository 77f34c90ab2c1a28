"""Reading what a person typed: short commands (help, progress…) versus a memo, and
Slack's escaped mentions (`<@U123|name>`, sent because the manifest sets should_escape)."""

from __future__ import annotations

import re
from enum import StrEnum

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|[^>]*)?>")


class Command(StrEnum):
    HELP = "help"
    PROGRESS = "progress"
    HISTORY = "history"
    RUBRIC = "rubric"
    PRIVACY = "privacy"
    FORGET_ME = "forget me"


_ALIASES = {
    "help": Command.HELP,
    "?": Command.HELP,
    "ayuda": Command.HELP,
    "progress": Command.PROGRESS,
    "my progress": Command.PROGRESS,
    "progreso": Command.PROGRESS,
    "history": Command.HISTORY,
    "rubric": Command.RUBRIC,
    "privacy": Command.PRIVACY,
    "forget me": Command.FORGET_ME,
}


LONGEST_COMMAND_TEXT = 200
"""Longer text is a memo: no alias, even among a few mentions, comes near this (and
every pasted memo's ack skips reading it word by word)."""


def parse_command(text: str) -> Command | None:
    """The command a short text names, or None when the text is (meant as) a memo."""
    if len(text) > LONGEST_COMMAND_TEXT:
        return None
    words = " ".join(strip_mentions(text).lower().split()).strip(" .!")
    return _ALIASES.get(words)


def mentioned_users(text: str) -> list[str]:
    """User ids mentioned in escaped form, in order, without repeats."""
    seen: dict[str, None] = {}
    for user_id in MENTION.findall(text):
        seen.setdefault(user_id, None)
    return list(seen)


def mentioned_channels(text: str) -> list[str]:
    return list(dict.fromkeys(CHANNEL.findall(text)))


def strip_mentions(text: str, user_id: str | None = None) -> str:
    """Remove mentions (only of ``user_id`` when given), e.g. "@Memo Coach help"."""
    if user_id is None:
        return MENTION.sub("", text).strip()
    return re.sub(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", "", text).strip()
