"""`/memo-coach progress` and `history` in Slack: how a user's writing is trending,
what to work on next, and links back to the feedback threads."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.rendering.escape import escape_mrkdwn, truncate
from bot.rendering.evaluation import format_score
from bot.rendering.messages import (
    MAX_BLOCKS_PER_MESSAGE,
    Block,
    SlackMessage,
    context,
    divider,
    header,
    pack_messages,
    section,
    split_section_text,
)
from bot.rendering.progress_text import sparkline, trend_arrow
from storage.repositories.progress import CriterionProgress, RecentMemo, UserProgress

PROGRESS_RECENT = 5
HISTORY_LIMIT = 10
SPARKLINE_POINTS = 30
MAX_OPPORTUNITY = 600
MAX_CRITERION_NAME = 80
_CHANNEL_ID = re.compile(r"[A-Z0-9]{2,32}")
_THREAD_TS = re.compile(r"\d{1,12}\.\d{1,9}")
_SAFE_URL = re.compile(r"https://[^\s<>|]+")

Permalinks = Mapping[int, str]
"""Evaluation id → Slack permalink of its feedback thread."""

RETIRED_NOTE = (
    "_Retired_ criteria are no longer in the rubric; they stay here so you can see "
    "your history. Criteria are matched by key, so a renamed one keeps its trend."
)
CHART_NOTE = ":chart_with_upwards_trend: The chart of your scores is in this message's thread."

EMPTY_STATE = (
    ":seedling: *No memos yet* — send me one and I'll score it against the rubric. "
    "Your progress shows up here from your first memo.\n"
    "Use `/memo-coach &lt;your memo&gt;`, send me a DM, or share a .docx, .pdf, .txt or "
    ".md file with me."
)


def safe_link(url: str | None, label: str) -> str | None:
    """``<url|label>`` only for a plain https URL that cannot break out of the link."""
    if not url or not _SAFE_URL.fullmatch(url):
        return None
    return f"<{url.replace('&', '&amp;')}|{label}>"


def thread_link(
    memo: RecentMemo, label: str = "Open thread", permalink: str | None = None
) -> str | None:
    """A link to the memo's feedback thread: Slack's permalink when we have one, else an
    app_redirect built only from ids that look like Slack's own (so stored values can
    never inject mrkdwn)."""
    link = safe_link(permalink, label)
    if link:
        return link
    channel, ts = memo.channel_id, memo.thread_ts
    if not channel or not ts or not _CHANNEL_ID.fullmatch(channel) or not _THREAD_TS.fullmatch(ts):
        return None
    return f"<https://slack.com/app_redirect?channel={channel}&amp;message_ts={ts}|{label}>"


def _number(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}".removesuffix(".0")


def _memos(n: int) -> str:
    return "1 memo" if n == 1 else f"{n:,} memos"


def _name(criterion: CriterionProgress) -> str:
    return truncate(escape_mrkdwn(criterion.name), MAX_CRITERION_NAME)


def _memo_line(memo: RecentMemo, scale_max: int, permalinks: Permalinks) -> str:
    when = f"{memo.created_at.day} {memo.created_at:%b %Y}"
    parts = [when, f"*{format_score(memo.overall_score, scale_max)}*"]
    link = thread_link(memo, permalink=permalinks.get(memo.evaluation_id))
    if link:
        parts.append(link)
    return "• " + " · ".join(parts)


def _overall(progress: UserProgress, scale_min: int, scale_max: int) -> str:
    """First → latest spans the whole history (``first_overall``); the sparkline shows
    only the newest scores of the window."""
    lines = [f"*{_memos(progress.memo_count)}* coached so far."]
    trend, latest = progress.overall_trend, progress.latest_overall_score
    if trend is not None:
        first, last = trend
        scores = [p.overall_score for p in progress.overall if p.overall_score is not None]
        spark = sparkline(scores[-SPARKLINE_POINTS:], low=scale_min, high=scale_max)
        lines.append(
            f"Overall: {_number(first)} → *{format_score(last, scale_max)}* "
            f"{trend_arrow(last - first)}  `{spark}`"
        )
    elif latest is not None:
        lines.append(
            f"Overall: *{format_score(latest, scale_max)}* — "
            "send another memo to start seeing a trend."
        )
    return "\n".join(lines)


def _criterion_line(criterion: CriterionProgress) -> str:
    """ "Name: 2 → 4 ↑"; a criterion judged once (or never) shows its single score,
    and a steady one no arrow, so only real movement draws the eye."""
    retired = " _(retired)_" if criterion.retired else ""
    if criterion.count <= 1 or criterion.first_score is None:
        only = criterion.latest_score
        scores = _number(criterion.first_score if only is None else only)
    else:
        arrow = trend_arrow(criterion.change).strip()
        scores = f"{_number(criterion.first_score)} → {_number(criterion.latest_score)}"
        scores += f" {arrow}" if arrow in {"↑", "↓"} else ""
    return f"• {_name(criterion)}: {scores}{retired}"


def ordered_criteria(
    criteria: Sequence[CriterionProgress], order: Sequence[str] = ()
) -> list[CriterionProgress]:
    """Current criteria in the rubric's order (``order`` holds its keys), then the rest
    by key; retired criteria last."""
    rank = {key: i for i, key in enumerate(order)}
    return sorted(criteria, key=lambda c: (c.retired, rank.get(c.key, len(rank)), c.key))


def _focus(progress: UserProgress) -> str:
    lines = []
    if progress.strongest:
        lines.append(
            f":muscle: *Strongest:* {_name(progress.strongest)} "
            f"(average {_number(progress.strongest.average)})"
        )
    if progress.weakest:
        lines.append(
            f":dart: *Most room to grow:* {_name(progress.weakest)} "
            f"(average {_number(progress.weakest.average)})"
        )
    recurring = progress.recurring_opportunity
    if recurring:
        text = truncate(escape_mrkdwn(" ".join(recurring.text.split())), MAX_OPPORTUNITY)
        lines.append(
            f":repeat: *Keeps coming up* (in {recurring.count} of your last "
            f"{_memos(recurring.out_of)}): {text}"
        )
    return "\n".join(lines)


def _empty() -> SlackMessage:
    return SlackMessage(
        text="No memos yet — send me one and I'll score it.", blocks=[section(EMPTY_STATE)]
    )


def render_progress(
    progress: UserProgress | None,
    *,
    scale_max: int = 5,
    scale_min: int = 1,
    permalinks: Permalinks | None = None,
    chart_in_thread: bool = False,
    criterion_order: Sequence[str] = (),
) -> list[SlackMessage]:
    """The progress view; usually one message, split only for very long histories.

    ``permalinks`` (evaluation id → Slack permalink) link recent memos to their threads;
    ``chart_in_thread`` says the chart follows as a reply (only for the DM version);
    ``criterion_order`` lists the active rubric's keys, so criteria read as in the rubric."""
    if progress is None or progress.memo_count == 0:
        return [_empty()]
    blocks: list[Block] = [
        header("Your progress"),
        section(_overall(progress, scale_min, scale_max)),
    ]
    if progress.criteria:
        criteria = ordered_criteria(progress.criteria, criterion_order)
        lines = "\n".join(_criterion_line(c) for c in criteria)
        blocks.extend(
            section(p) for p in split_section_text(f"*By criterion* (first → latest)\n{lines}")
        )
        if any(c.retired for c in progress.criteria):
            blocks.append(context(RETIRED_NOTE))
    focus = _focus(progress)
    if focus:
        blocks.append(divider())
        blocks.extend(section(p) for p in split_section_text(focus))
    if progress.recent:
        blocks.append(divider())
        links = permalinks or {}
        recent = "\n".join(
            _memo_line(m, scale_max, links) for m in progress.recent[:PROGRESS_RECENT]
        )
        blocks.append(section(f"*Recent memos*\n{recent}"))
        blocks.append(context("`/memo-coach history` lists your last 10."))
    if chart_in_thread:
        blocks.append(context(CHART_NOTE))
    latest = progress.latest_overall_score
    fallback = f"Your progress: {_memos(progress.memo_count)}"
    if latest is not None:
        fallback += f", latest overall {format_score(latest, scale_max)}"
    return pack_messages(blocks, fallback)


def render_history(
    recent: Sequence[RecentMemo], *, scale_max: int = 5, permalinks: Permalinks | None = None
) -> SlackMessage:
    """Your last memos (newest first) with scores and links to their feedback."""
    if not recent:
        return _empty()
    shown = list(recent)[:HISTORY_LIMIT]
    lines = "\n".join(_memo_line(m, scale_max, permalinks or {}) for m in shown)
    blocks: list[Block] = [
        header("Your last memos"),
        section(lines),
        context("`/memo-coach progress` shows how your scores are trending."),
    ]
    title = "Your last memo" if len(shown) == 1 else f"Your last {len(shown)} memos"
    return SlackMessage(text=title, blocks=blocks)


def render_progress_pointer(permalink: str | None, *, posted: bool) -> SlackMessage:
    """The ephemeral answer where progress was asked for: it went to the user's DMs
    (ephemeral messages can carry neither a thread nor a chart)."""
    if not posted:
        text = "Your progress is on its way to your DMs with Memo Coach."
        return SlackMessage(text=text, blocks=[section(f":bar_chart: {text}")])
    text = "Your progress is in your DMs with Memo Coach, with a chart in the thread."
    body = f":bar_chart: {text}"
    link = safe_link(permalink, "Open it")
    if link:
        body += f" {link}"
    return SlackMessage(text=text, blocks=[section(body)])


def render_progress_here(
    progress: UserProgress | None,
    *,
    scale_max: int = 5,
    scale_min: int = 1,
    criterion_order: Sequence[str] = (),
) -> list[SlackMessage]:
    """When the DM could not be posted: the summary right here, without the chart."""
    messages = render_progress(
        progress, scale_max=scale_max, scale_min=scale_min, criterion_order=criterion_order
    )
    first = messages[0]
    note = context(
        ":warning: I couldn't post this to your DMs just now, so here it is without the chart."
    )
    if len(first.blocks) < MAX_BLOCKS_PER_MESSAGE:
        messages[0] = SlackMessage(text=first.text, blocks=[*first.blocks, note])
    return messages
