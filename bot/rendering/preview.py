"""Show Slack messages in a terminal, close to how Slack displays them (for the CLI)."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from bot.rendering.messages import SlackMessage

_EMOJI = {
    ":information_source:": "ℹ️ ",
    ":warning:": "⚠️ ",
    ":thumbsup:": "👍",
    ":thumbsdown:": "👎",
    ":chart_with_upwards_trend:": "📈",
}
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")


def _mrkdwn(text: str, *, ansi: bool) -> str:
    for code, symbol in _EMOJI.items():
        text = text.replace(code, symbol)
    text = _CODE.sub(r"\1", text)
    if ansi:
        text = _BOLD.sub("\033[1m\\1\033[0m", text)
        text = _ITALIC.sub("\033[3m\\1\033[0m", text)
    else:
        text = _BOLD.sub(r"\1", text)
        text = _ITALIC.sub(r"\1", text)
    lines = []
    for line in text.split("\n"):
        if line.startswith("&gt;"):
            line = "│ " + line.removeprefix("&gt;").lstrip()
        lines.append(html.unescape(line))
    return "\n".join(lines)


def _wrap(text: str, width: int) -> str:
    out = []
    for line in text.split("\n"):
        indent = "│ " if line.startswith("│ ") else ("  " if line.startswith("• ") else "")
        out.append(textwrap.fill(line, width, subsequent_indent=indent) if line else "")
    return "\n".join(out)


def _block_lines(block: dict[str, Any], *, ansi: bool, width: int) -> str:
    kind = block.get("type")
    if kind == "header":
        title = html.unescape(block["text"]["text"])
        return f"\033[1m{title}\033[0m" if ansi else f"{title}\n{'=' * len(title)}"
    if kind == "divider":
        return "─" * min(width, 60)
    if kind == "section":
        return _wrap(_mrkdwn(block["text"]["text"], ansi=ansi), width)
    if kind == "context":
        text = " ".join(_mrkdwn(e.get("text", ""), ansi=ansi) for e in block["elements"])
        return _wrap(text, width)
    if kind == "actions":
        return "  ".join(f"[ {_mrkdwn(e['text']['text'], ansi=False)} ]" for e in block["elements"])
    return ""


def render_preview(messages: Iterable[SlackMessage], *, ansi: bool = False, width: int = 88) -> str:
    """Render thread replies as plain (or ANSI-styled) text, one reply after another."""
    replies = []
    for message in messages:
        replies.append(
            "\n\n".join(
                filter(None, (_block_lines(b, ansi=ansi, width=width) for b in message.blocks))
            )
        )
    return "\n\n· · · (next reply in thread) · · ·\n\n".join(replies)
