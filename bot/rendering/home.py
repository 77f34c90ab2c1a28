"""The App Home tab: your progress, how to send a memo, and the rubric at a glance.

Recent memos link with app_redirect rather than chat.getPermalink: the tab is published
on every visit, and a Slack call per memo on each visit would cost more than it adds.
"""

from __future__ import annotations

from typing import Any

from bot.rendering.evaluation import ACTION_MY_PROGRESS
from bot.rendering.help import SEND_A_MEMO, rubric_summary
from bot.rendering.messages import Block, button, context, divider, header, section
from bot.rendering.progress_blocks import EMPTY_STATE, render_progress
from evaluation.rubric import Rubric
from storage.repositories.progress import UserProgress

MAX_HOME_BLOCKS = 100
"""Slack's limit for a Home tab view."""
HOME_CHART_VALUE = "home"
"""The My progress button's value on the Home tab (under a memo it is the evaluation id)."""

INTRO = (
    "Private, rubric-based feedback on your business memos: a score for each criterion, "
    "strengths, opportunities and line-by-line comments. Only you see your scores."
)
SHORT_COMMANDS = (
    "`/memo-coach progress` (with a chart) · `/memo-coach history` · "
    "`/memo-coach rubric` · `/memo-coach privacy` · `/memo-coach help`"
)
ADMIN_LINE = ":gear: You are an admin: `/memo-coach admin help` lists the admin commands."
PRIVACY_LINE = "Only you see this tab. `/memo-coach privacy` explains what is stored."


def _progress_blocks(progress: UserProgress | None, rubric: Rubric) -> list[Block]:
    if progress is None or progress.memo_count == 0:
        return [section(EMPTY_STATE)]
    blocks: list[Block] = [section("*Your progress*")]
    for message in render_progress(
        progress,
        scale_max=rubric.scale.max,
        scale_min=rubric.scale.min,
        criterion_order=[c.key for c in rubric.criteria],
    ):
        blocks.extend(b for b in message.blocks if b.get("type") != "header")
    chart = button(
        ":chart_with_upwards_trend: Send my progress chart to my DMs",
        ACTION_MY_PROGRESS,
        HOME_CHART_VALUE,
    )
    blocks.append({"type": "actions", "block_id": "home_progress", "elements": [chart]})
    return blocks


def render_home(
    progress: UserProgress | None, rubric: Rubric, rubric_version: int, *, is_admin: bool
) -> dict[str, Any]:
    """The Home view; the progress part gives way first if Slack's block limit is near."""
    head: list[Block] = [header("Memo Coach"), section(INTRO), divider()]
    tail: list[Block] = [
        divider(),
        section(SEND_A_MEMO),
        context(SHORT_COMMANDS),
        divider(),
        section(rubric_summary(rubric, rubric_version)),
        context("`/memo-coach rubric` shows what each score means for every criterion."),
    ]
    if is_admin:
        tail.append(context(ADMIN_LINE))
    tail.append(context(PRIVACY_LINE))
    room = MAX_HOME_BLOCKS - len(head) - len(tail)
    middle = _progress_blocks(progress, rubric)
    if len(middle) > room:  # keep the last block: the chart button
        middle = [*middle[: room - 1], middle[-1]]
    return {"type": "home", "blocks": [*head, *middle, *tail]}
