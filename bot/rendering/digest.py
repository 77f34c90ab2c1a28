"""A manager's digest as Block Kit: per member memos, average and change, strongest and
weakest criterion; team averages per criterion; who sent nothing.

Built only from :class:`~storage.repositories.digests.TeamDigest`, which holds numbers
and criterion names, never memo text, quotes, strengths or opportunities.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.rendering.escape import escape_mrkdwn, truncate
from bot.rendering.evaluation import format_score
from bot.rendering.messages import (
    Block,
    SlackMessage,
    context,
    header,
    pack_messages,
    section,
    split_section_text,
)
from bot.rendering.progress_text import trend_arrow
from storage.repositories.digests import CriterionAverage, MemberDigest, TeamDigest

MAX_NAME = 80
MAX_FAILURES_LISTED = 20
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")
FOOTER = (
    "Scores, trends and criterion names only: memo text is never shared. "
    "Your team can see exactly what you receive with `/memo-coach privacy`."
)


def member_name(slack_user_id: str, display_name: str | None) -> str:
    """The stored display name (escaped), else a mention Slack renders as the name; an id
    that does not look like Slack's own is shown as escaped text, never as markup."""
    if display_name and display_name.strip():
        return truncate(escape_mrkdwn(" ".join(display_name.split())), MAX_NAME)
    if _SLACK_USER_ID.fullmatch(slack_user_id):
        return f"<@{slack_user_id}>"
    return truncate(escape_mrkdwn(slack_user_id), MAX_NAME)


def _number(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}"


def _change(change: float | None) -> str:
    """ "↑ +0.4 vs previous", or nothing when there is no previous score to compare."""
    if change is None:
        return ""
    arrow = trend_arrow(change)
    shown = "±0.0" if abs(change) < 0.05 else f"{change:+.1f}"
    return f" ({arrow} {shown.replace('-', '−')} vs previous)"


def _memos(n: int) -> str:
    return "1 memo" if n == 1 else f"{n:,} memos"


def _criterion(criterion: CriterionAverage) -> str:
    return truncate(escape_mrkdwn(criterion.name), MAX_NAME)


def _member_line(member: MemberDigest, scale_max: int) -> str:
    parts = [
        f"*{member_name(member.slack_user_id, member.display_name)}*",
        _memos(member.memo_count),
        f"average {format_score(member.average, scale_max)}{_change(member.change)}",
    ]
    if member.strongest and member.weakest:
        parts.append(
            f"strongest: {_criterion(member.strongest)} ({_number(member.strongest.average)}), "
            f"weakest: {_criterion(member.weakest)} ({_number(member.weakest.average)})"
        )
    return "• " + " · ".join(parts)


def _team_average(digest: TeamDigest, *, previous: bool) -> float | None:
    pairs = [
        (m.previous_memo_count, m.previous_average) if previous else (m.memo_count, m.average)
        for m in digest.members
    ]
    scored = [(n, a) for n, a in pairs if a is not None and n]
    memos = sum(n for n, _ in scored)
    return sum(n * a for n, a in scored) / memos if memos else None


def _summary(digest: TeamDigest, scale_max: int) -> str:
    active = len(digest.members) - len(digest.silent)
    line = (
        f"*{_memos(digest.memo_count)}* from {active} of {len(digest.members)} "
        f"{'person' if len(digest.members) == 1 else 'people'} this period."
    )
    average = _team_average(digest, previous=False)
    if average is not None:
        previous = _team_average(digest, previous=True)
        change = None if previous is None else average - previous
        line += f" Team average {format_score(average, scale_max)}{_change(change)}."
    return line


def _criteria_lines(digest: TeamDigest) -> str:
    lines = [
        f"• {_criterion(c)}: {_number(c.average)}{_change(c.change)}"
        for c in digest.criteria
        if c.average is not None
    ]
    return "*Team averages by criterion*\n" + "\n".join(lines) if lines else ""


def render_digest(
    digest: TeamDigest, *, period_label: str, scale_max: int = 5
) -> list[SlackMessage]:
    """Usually one message; very large teams are split within Slack's limits."""
    blocks: list[Block] = [
        header(f"Your team's writing, {period_label}"),
        section(_summary(digest, scale_max)),
    ]
    people = "\n".join(_member_line(m, scale_max) for m in digest.members if m.memo_count)
    if people:
        blocks += [section(p) for p in split_section_text(f"*By person*\n{people}")]
    criteria = _criteria_lines(digest)
    if criteria:
        blocks += [section(p) for p in split_section_text(criteria)]
    if digest.silent:
        names = ", ".join(member_name(m.slack_user_id, m.display_name) for m in digest.silent)
        blocks += [section(p) for p in split_section_text(f"*No memos this period:* {names}")]
    blocks.append(context(FOOTER))
    fallback = (
        f"Team digest, {period_label}: {_memos(digest.memo_count)} from "
        f"{len(digest.members) - len(digest.silent)} of {len(digest.members)} people"
    )
    return pack_messages(blocks, fallback)


def render_digests_started(count: int, manager: str | None = None) -> SlackMessage:
    """The immediate answer to `admin digest now` (the sending happens afterwards)."""
    if count == 0:
        text = (
            f"{member_name(manager, None)} has no team, so there is no digest to send."
            if manager
            else "No manager has a team yet, so there are no digests to send. "
            "Set one up with `/memo-coach admin team set @manager @member …`."
        )
        return SlackMessage(text=text, blocks=[section(text)])
    who = "1 manager" if count == 1 else f"{count:,} managers"
    text = f":outbox_tray: Sending digests to {who}… I'll DM you when they're out."
    return SlackMessage(text=f"Sending digests to {who}…", blocks=[section(text)])


def render_digest_report(
    period_label: str, sent: Sequence[str], skipped: Sequence[str], failed: Mapping[str, str]
) -> SlackMessage:
    """What `admin digest now` did, DMed to the admin who asked."""
    lines = [f"*Digests for {period_label}*", f"• Sent: {len(sent)}"]
    if skipped:
        lines.append(f"• Already sent (just now, by another request): {len(skipped)}")
    for manager, reason in list(failed.items())[:MAX_FAILURES_LISTED]:
        lines.append(f"• Failed for {member_name(manager, None)}: {escape_mrkdwn(reason)}")
    if len(failed) > MAX_FAILURES_LISTED:
        lines.append(f"• …and {len(failed) - MAX_FAILURES_LISTED} more failures (see the logs)")
    summary = f"Digests sent: {len(sent)}" + (f", failed: {len(failed)}" if failed else "")
    blocks = [section(p) for p in split_section_text("\n".join(lines))]
    return pack_messages(blocks, summary)[0]


def render_digest_usage(usage: Sequence[str]) -> SlackMessage:
    text = "Usage:\n" + "\n".join(f"• {line}" for line in usage)
    return SlackMessage(
        text="Usage: /memo-coach admin digest now [@manager]", blocks=[section(text)]
    )
