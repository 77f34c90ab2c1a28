"""The App Home tab: your progress, how to send a memo, and the rubric at a glance."""

from __future__ import annotations

from typing import Any

from bot.rendering.help import SEND_A_MEMO, rubric_summary
from bot.rendering.messages import Block, context, divider, header, section
from bot.rendering.progress_blocks import render_progress
from evaluation.rubric import Rubric
from storage.repositories.progress import UserProgress

MAX_HOME_BLOCKS = 100
"""Slack's limit for a Home tab view."""


def render_home(
    progress: UserProgress | None, rubric: Rubric, rubric_version: int, *, is_admin: bool
) -> dict[str, Any]:
    blocks: list[Block] = [header("Memo Coach")]
    for message in render_progress(
        progress, scale_max=rubric.scale.max, scale_min=rubric.scale.min
    ):
        blocks.extend(b for b in message.blocks if b.get("type") != "header")
    blocks += [
        divider(),
        section(SEND_A_MEMO),
        divider(),
        section(rubric_summary(rubric, rubric_version)),
    ]
    if is_admin:
        blocks.append(
            context(":gear: You are an admin: `/memo-coach admin help` lists admin commands.")
        )
    blocks.append(context("Only you see this tab. `/memo-coach privacy` explains what is stored."))
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
