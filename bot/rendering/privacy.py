"""`/memo-coach privacy`: what is stored, for how long, who sees it and where memos go.

Built from the live configuration so the answer is true for this installation.
"""

from __future__ import annotations

from bot.rendering.escape import escape_mrkdwn, truncate
from bot.rendering.messages import Block, SlackMessage, header, section
from config.coach import CoachConfig

MAX_EVALUATOR_LABEL = 300


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


def _stored(coach: CoachConfig) -> str:
    days = _days(coach.retention.memo_text_days)
    return (
        "*What is stored*\n"
        f"• Your memo text, for {days} — then it is deleted automatically.\n"
        "• Your scores, feedback and comments, so you can follow your progress. "
        "They stay until you ask me to forget you."
    )


def _who_sees(coach: CoachConfig) -> str:
    lines = ["*Who sees what*", "• You see your own feedback; nobody else gets it."]
    if coach.digest.enabled:
        lines.append(
            "• If you're on a team, your manager's digest shows your scores, trends and "
            "criterion names — never your memo text or quotes from it, nor your feedback's "
            "comments, strengths or opportunities. Exactly: how many memos you sent in the "
            "period, your average overall score and its change since the previous period, "
            "your strongest and weakest criterion with their averages, whether you sent "
            "none, the team's average per criterion, and a chart of the averages."
        )
    else:
        lines.append("• Manager digests are turned off, so managers get no summary of your scores.")
    if coach.debug_storage:
        lines.append(
            "• Admins can see usage statistics. Debug storage is *on*, so admins can also "
            "see the last raw prompt (which includes memo text) for troubleshooting."
        )
    else:
        lines.append(
            "• Admins can see usage statistics. Debug storage is off, so no raw prompts are kept."
        )
    return "\n".join(lines)


def render_privacy(coach: CoachConfig, *, evaluator_label: str) -> SlackMessage:
    """The privacy summary; ``evaluator_label`` says where memos are sent for scoring,
    e.g. "Anthropic's API (model claude-sonnet-5)" or "nowhere: scored by rules on our
    server"."""
    where = truncate(escape_mrkdwn(" ".join(evaluator_label.split())), MAX_EVALUATOR_LABEL)
    blocks: list[Block] = [
        header("Privacy"),
        section(_stored(coach)),
        section(_who_sees(coach)),
        section(f"*Where your memo goes for scoring*\n{where or 'Not configured.'}"),
        section(
            "*Delete your data*\n"
            "`/memo-coach forget me` deletes your memos, evaluations, scores and progress. "
            "I ask you to confirm first."
        ),
    ]
    text = (
        f"Privacy: memo text is kept for {_days(coach.retention.memo_text_days)}, "
        "scores and feedback until you use /memo-coach forget me."
    )
    return SlackMessage(text=text, blocks=blocks)
