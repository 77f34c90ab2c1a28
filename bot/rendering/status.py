"""The memo's root/status message: one message updated in place as the memo moves on,
so the user always sees what is happening without new notifications."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.rendering.escape import blockquote, escape_mrkdwn, truncate
from bot.rendering.messages import Block, SlackMessage, context, section

MAX_FIRST_LINE = 150
"""Enough of the first line to recognise the memo without repeating it."""
MAX_DETAIL = 1000
MAX_FALLBACK_QUOTE = 100


class Stage(StrEnum):
    QUEUED = "queued"
    READING_FILE = "reading_file"
    SCORING = "scoring"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"


STAGE_LINES: dict[Stage, str] = {
    Stage.QUEUED: ":inbox_tray: *Queued* — I'll start on your memo in a moment.",
    Stage.READING_FILE: ":page_facing_up: *Reading the file…*",
    Stage.SCORING: ":mag: *Scoring against the rubric…*",
    Stage.DONE: ":white_check_mark: *Done* — your feedback is in this thread.",
    Stage.FAILED: ":warning: *Something went wrong* — I couldn't finish coaching this memo.",
    Stage.REJECTED: ":raised_hand: *I couldn't coach this one.*",
}
"""One progress line per stage; the emoji lets people scan it at a glance."""

_STAGE_FALLBACK: dict[Stage, str] = {
    Stage.QUEUED: "Memo queued",
    Stage.READING_FILE: "Reading your file",
    Stage.SCORING: "Scoring your memo",
    Stage.DONE: "Feedback ready in this thread",
    Stage.FAILED: "Couldn't finish coaching your memo",
    Stage.REJECTED: "Couldn't coach this memo",
}

_BLOCK_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+•]\s+|\d{1,3}[.)]\s+)+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|~~|\*|_|`)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_SPACES = re.compile(r"\s+")


def first_line_of(text: str) -> str:
    """The first non-empty line without Markdown markers: how people recognise a memo
    (its title or opening), as plain text that is then escaped like any other."""
    for line in text.splitlines():
        plain = _BLOCK_MARKER.sub("", line)
        plain = _LINK.sub(r"\1", plain)
        plain = _EMPHASIS.sub(r"\2", plain)
        plain = _SPACES.sub(" ", plain).strip()
        if plain:
            return plain
    return ""


def _one_line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def render_status(
    stage: Stage,
    *,
    first_line: str | None,
    source_label: str,
    detail: str | None = None,
) -> SlackMessage:
    """The status message for ``stage``.

    Pass ``first_line=None`` for files (or when the text is not known yet): the file
    name in ``source_label`` is shown instead of a quote. With a first line,
    ``source_label`` (e.g. "/memo-coach", "direct message") is a small "via" note.
    """
    quote = _one_line(first_line)
    label = _one_line(source_label)
    blocks: list[Block] = []
    if quote:
        blocks.append(section(blockquote(truncate(escape_mrkdwn(quote), MAX_FIRST_LINE))))
    elif label:
        blocks.append(
            section(f":page_facing_up: *{truncate(escape_mrkdwn(label), MAX_FIRST_LINE)}*")
        )
    blocks.append(section(STAGE_LINES[stage]))
    if detail and detail.strip():
        blocks.append(context(truncate(escape_mrkdwn(detail.strip()), MAX_DETAIL)))
    if quote and label:
        blocks.append(context(f"via {truncate(escape_mrkdwn(label), MAX_FIRST_LINE)}"))
    about = quote or label
    text = _STAGE_FALLBACK[stage]
    if about:
        text += f": {truncate(escape_mrkdwn(about), MAX_FALLBACK_QUOTE)}"
    return SlackMessage(text=text, blocks=blocks)
