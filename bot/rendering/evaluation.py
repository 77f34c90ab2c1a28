"""Render an evaluation as Slack thread replies: header, criteria, strengths,
opportunities, then segment comments — escaped and within Block Kit limits."""

from __future__ import annotations

from bot.rendering.escape import blockquote, escape_mrkdwn, truncate
from bot.rendering.labels import labels_for
from bot.rendering.messages import (
    Block,
    SlackMessage,
    button,
    context,
    divider,
    header,
    pack_messages,
    section,
    split_section_text,
)
from evaluation.result import CriterionScore, EvaluationResult, Segment

ACTION_HELPFUL = "feedback_helpful"
ACTION_NOT_HELPFUL = "feedback_not_helpful"
ACTION_MY_PROGRESS = "my_progress"
MAX_BAR_CELLS = 10
MAX_LIST_ITEM = 600
MAX_QUOTE = 1200


def format_score(score: float | None, scale_max: int) -> str:
    if score is None:
        return "–"
    shown = f"{score:.1f}".removesuffix(".0")
    return f"{shown} / {scale_max}"


def score_bar(score: float | None, low: int, high: int) -> str:
    """A text bar like ▰▰▰▱▱ with one cell per scale step (at most ten)."""
    cells = min(high - low + 1, MAX_BAR_CELLS)
    if score is None:
        return "▱" * cells
    filled = round((score - low) / (high - low) * (cells - 1)) + 1 if high > low else cells
    filled = max(0, min(cells, filled))
    return "▰" * filled + "▱" * (cells - filled)


def _criterion_block(criterion: CriterionScore, result: EvaluationResult) -> Block:
    words = labels_for(result.language)
    scale = result.scale
    score = (
        f"`{score_bar(criterion.score, scale.min, scale.max)}` "
        f"*{format_score(criterion.score, scale.max)}*"
        if criterion.score is not None
        else f"_{words['not_judged']}_"
    )
    title = f"*{escape_mrkdwn(criterion.name)}* ({words['weight']} {criterion.weight}%)"
    return section(f"{title}\n{score}\n{escape_mrkdwn(criterion.justification)}")


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {escape_mrkdwn(truncate(item, MAX_LIST_ITEM))}" for item in items)


def _segment_text(segment: Segment, language: str) -> str:
    words = labels_for(language)
    parts = [
        blockquote(escape_mrkdwn(truncate(segment.quote, MAX_QUOTE))),
        escape_mrkdwn(segment.comment),
    ]
    if segment.questions:
        parts.append(f"*{words['questions']}*\n{_bullets(segment.questions)}")
    if segment.suggestions:
        parts.append(f"*{words['suggestions']}*\n{_bullets(segment.suggestions)}")
    return "\n".join(parts)


def _titled_sections(title: str, body: str) -> list[Block]:
    return [section(piece) for piece in split_section_text(f"*{title}*\n{body}")]


def fallback_text(result: EvaluationResult) -> str:
    """Plain summary for notifications and screen readers."""
    words = labels_for(result.language)
    overall = (
        format_score(result.overall_score, result.scale.max)
        if result.overall_score is not None
        else words["no_score"]
    )
    scored = ", ".join(
        f"{escape_mrkdwn(c.name)} {format_score(c.score, result.scale.max)}"
        for c in result.criteria
    )
    return f"{words['title']}: {overall}. {scored}"


def render_evaluation(
    result: EvaluationResult,
    *,
    evaluation_id: int | None = None,
    fallback_reason: str | None = None,
) -> list[SlackMessage]:
    """The thread replies for one evaluation, in posting order."""
    words = labels_for(result.language)
    overall = (
        format_score(result.overall_score, result.scale.max)
        if result.overall_score is not None
        else words["no_score"]
    )
    blocks: list[Block] = [header(f"{words['title']}: {overall}")]
    notes = [words["rubric_version"].format(version=result.rubric_version)]
    if result.is_offline:
        blocks.append(context(words["offline"]))
        if fallback_reason:
            blocks.append(context(words["fallback"].format(reason=escape_mrkdwn(fallback_reason))))
    else:
        notes.append(escape_mrkdwn(result.evaluator))
    blocks.append(context(" · ".join(notes)))
    blocks.append(divider())
    blocks.extend(_criterion_block(c, result) for c in result.criteria)
    if result.strengths:
        blocks.append(divider())
        blocks.extend(_titled_sections(words["strengths"], _bullets(result.strengths)))
    if result.opportunities:
        blocks.extend(_titled_sections(words["opportunities"], _bullets(result.opportunities)))
    blocks.append(divider())
    blocks.append(section(f"*{words['segments']}*"))
    if not result.segments:
        blocks.append(context(words["no_segments"]))
    for segment in result.segments:
        blocks.extend(
            section(p) for p in split_section_text(_segment_text(segment, result.language))
        )
    if evaluation_id is not None:
        blocks.append(divider())
        blocks.append(feedback_actions(evaluation_id, result.language))
    return pack_messages(blocks, fallback_text(result))


def feedback_actions(evaluation_id: int, language: str) -> Block:
    words = labels_for(language)
    value = str(evaluation_id)
    return {
        "type": "actions",
        "block_id": f"evaluation_feedback:{value}",
        "elements": [
            button(f":thumbsup: {words['helpful']}", ACTION_HELPFUL, value),
            button(f":thumbsdown: {words['not_helpful']}", ACTION_NOT_HELPFUL, value),
            button(
                f":chart_with_upwards_trend: {words['my_progress']}",
                ACTION_MY_PROGRESS,
                value,
                style="primary",
            ),
        ],
    }
