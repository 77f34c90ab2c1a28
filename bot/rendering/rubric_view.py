"""`/memo-coach rubric`: the whole rubric, including what each score means, so people
can aim for a 5 rather than guess. Rubric text comes from admins and is escaped."""

from __future__ import annotations

from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import (
    Block,
    SlackMessage,
    context,
    divider,
    header,
    pack_messages,
    section,
    split_section_text,
)
from evaluation.rubric import Criterion, Rubric


def _sections(mrkdwn: str) -> list[Block]:
    return [section(piece) for piece in split_section_text(mrkdwn)]


def _one_line(text: str) -> str:
    """Level guidance is shown one line per level; YAML folding may leave newlines."""
    return " ".join(text.split())


def _criterion_text(criterion: Criterion, rubric: Rubric) -> str:
    lines = [
        f"*{escape_mrkdwn(criterion.name)}* · `{criterion.key}` · weight {criterion.weight}%",
        escape_mrkdwn(criterion.description.strip()),
    ]
    if criterion.frameworks:
        names = {f.key: f.name for f in rubric.frameworks}
        used = ", ".join(escape_mrkdwn(names.get(key, key)) for key in criterion.frameworks)
        lines.append(f"_Frameworks: {used}_")
    for level in sorted(criterion.levels, reverse=True):
        lines.append(f"*{level}* – {escape_mrkdwn(_one_line(criterion.levels[level]))}")
    return "\n".join(lines)


def render_rubric(rubric: Rubric, version: int) -> list[SlackMessage]:
    """Every criterion with its guidance, best level first; split over several
    messages when a long rubric exceeds Slack's limits."""
    scale = rubric.scale
    blocks: list[Block] = [
        header(f"Rubric: {escape_mrkdwn(rubric.name)}"),
        context(
            f"Version {version} · each criterion is scored {scale.min}–{scale.max} · "
            f"{len(rubric.criteria)} criteria, weights add up to 100%"
        ),
    ]
    if rubric.description.strip():
        blocks.extend(_sections(escape_mrkdwn(rubric.description.strip())))
    if rubric.frameworks:
        blocks.append(divider())
        frameworks = "\n".join(
            f"• *{escape_mrkdwn(f.name)}* — {escape_mrkdwn(_one_line(f.description))}"
            for f in rubric.frameworks
        )
        blocks.extend(_sections(f"*Frameworks*\n{frameworks}"))
    for criterion in rubric.criteria:
        blocks.append(divider())
        blocks.extend(_sections(_criterion_text(criterion, rubric)))
    fallback = f"Rubric v{version}: {escape_mrkdwn(rubric.name)} — {len(rubric.criteria)} criteria"
    return pack_messages(blocks, fallback)
