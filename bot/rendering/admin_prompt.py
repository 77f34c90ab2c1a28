"""`admin prompt show`: the live prompt's two parts, as the model receives them before
the rubric and the memo are filled in."""

from __future__ import annotations

from bot.config_service import VersionInfo
from bot.rendering.admin_reply import when, who
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
from evaluation.prompt_template import PromptTemplate

CODE_PIECE = 2800
"""Below Slack's 3,000 characters per section, leaving room for the fences and escapes."""


def _code_sections(title: str, text: str) -> list[Block]:
    escaped = escape_mrkdwn(text.strip())
    pieces = split_section_text(escaped, CODE_PIECE) or [" "]
    blocks = [section(f"*{title}*")]
    blocks += [section(f"```{piece}```") for piece in pieces]
    return blocks


def render_prompt_version(info: VersionInfo[PromptTemplate]) -> list[SlackMessage]:
    live = "live" if info.is_active else "not live"
    comment = f" · {escape_mrkdwn(info.comment)}" if info.comment else ""
    blocks: list[Block] = [
        header(f"Prompt v{info.version} ({live})"),
        context(
            f"By {who(info.author)} · {when(info.created_at)}{comment} · {{rubric}} is "
            "replaced by the live rubric; the output schema is attached by the coach."
        ),
    ]
    blocks += _code_sections("system", info.document.system)
    blocks += _code_sections("memo_template", info.document.memo_template)
    return pack_messages(blocks, f"Prompt v{info.version}")
