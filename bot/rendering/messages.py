"""A Slack message as we post it, and packing blocks within Slack's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.rendering.escape import truncate

Block = dict[str, Any]

MAX_BLOCKS_PER_MESSAGE = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_FALLBACK_TEXT = 3000
MAX_MESSAGE_TEXT = 12_000
"""Our own budget for section text per message, so one reply stays readable."""


@dataclass(frozen=True)
class SlackMessage:
    """``text`` is the notification/accessibility fallback Slack requires with blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_TEXT), "emoji": True},
    }


def section(mrkdwn: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(mrkdwn, MAX_SECTION_TEXT)},
    }


def context(mrkdwn: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, MAX_CONTEXT_TEXT)}],
    }


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def split_section_text(mrkdwn: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split long text into section-sized pieces at line, then word, boundaries."""
    pieces: list[str] = []
    current = ""
    for line in mrkdwn.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            cut = _entity_safe(line, cut)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _entity_safe(text: str, cut: int) -> int:
    """Move a cut point back so it does not split an ``&amp;``-style entity."""
    amp = text.rfind("&", max(0, cut - 6), cut)
    return amp if amp > 0 and ";" not in text[amp:cut] else cut


def _text_size(block: Block) -> int:
    text = block.get("text")
    return len(text.get("text", "")) if isinstance(text, dict) else 0


def pack_messages(blocks: list[Block], fallback: str) -> list[SlackMessage]:
    """Group blocks into as few messages as Slack's limits allow, in order.

    Each message gets the fallback text (numbered when there are several parts).
    """
    groups: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        block_size = _text_size(block)
        current = groups[-1]
        if current and (
            len(current) >= MAX_BLOCKS_PER_MESSAGE or size + block_size > MAX_MESSAGE_TEXT
        ):
            if current[-1].get("type") == "divider":
                current.pop()
            groups.append([])
            size = 0
            if block.get("type") == "divider":
                continue
        groups[-1].append(block)
        size += block_size
    parts = [g for g in groups if g]
    text = truncate(fallback, MAX_FALLBACK_TEXT)
    if len(parts) == 1:
        return [SlackMessage(text=text, blocks=parts[0])]
    return [
        SlackMessage(
            text=truncate(f"{fallback} (part {i}/{len(parts)})", MAX_FALLBACK_TEXT), blocks=group
        )
        for i, group in enumerate(parts, start=1)
    ]
