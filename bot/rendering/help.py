"""`/memo-coach help`: every way to send a memo, the short commands, and what a memo
is scored on, so a first-time user can start without asking anyone."""

from __future__ import annotations

from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import (
    Block,
    SlackMessage,
    context,
    divider,
    header,
    section,
    split_section_text,
)
from evaluation.rubric import Rubric

SEND_A_MEMO = (
    "*Send me a memo* — any of these works:\n"
    "• `/memo-coach &lt;your memo&gt;` — paste the text right after the command\n"
    "• `/memo-coach` on its own — opens a form to paste into\n"
    "• Send me a direct message with the memo\n"
    "• Share a .docx, .pdf, .txt or .md file in a DM with me, "
    "or @mention me with the file in a channel\n"
    "• On any message, choose *More actions ⋯ → Coach this memo*"
)

COMMANDS = (
    "*Commands*\n"
    "• `/memo-coach help` — this message\n"
    "• `/memo-coach progress` — your scores over time\n"
    "• `/memo-coach history` — your last 10 memos\n"
    "• `/memo-coach rubric` — the full rubric, with what each score means\n"
    "• `/memo-coach privacy` — what is stored and who can see it\n"
    "• `/memo-coach forget me` — delete your memos and scores"
)


def rubric_summary(rubric: Rubric, rubric_version: int) -> str:
    lines = [
        f"*What you're scored on* — {escape_mrkdwn(rubric.name)} "
        f"(rubric v{rubric_version}, {rubric.scale.min}–{rubric.scale.max} per criterion)"
    ]
    lines.extend(f"• {escape_mrkdwn(c.name)} — {c.weight}%" for c in rubric.criteria)
    if rubric.frameworks:
        names = ", ".join(escape_mrkdwn(f.name) for f in rubric.frameworks)
        lines.append(f"Built on: {names}")
    return "\n".join(lines)


def render_help(
    rubric: Rubric, rubric_version: int, *, max_characters: int, is_admin: bool
) -> SlackMessage:
    """The help message; admins also get a pointer to the admin commands."""
    blocks: list[Block] = [
        header("Memo Coach"),
        section(
            "I give private, rubric-based feedback on business memos: a score for each "
            "criterion, strengths, opportunities and line-by-line comments. "
            "Only you see your feedback."
        ),
        section(SEND_A_MEMO),
        context(
            f"Memos can be up to {max_characters:,} characters. Your feedback arrives in our DM."
        ),
        section(COMMANDS),
        divider(),
    ]
    blocks.extend(section(p) for p in split_section_text(rubric_summary(rubric, rubric_version)))
    blocks.append(context("`/memo-coach rubric` shows what each score means for every criterion."))
    if is_admin:
        blocks.append(
            context(":key: You're an admin — `/memo-coach admin help` lists the admin commands.")
        )
    return SlackMessage(
        text="Memo Coach help: send a memo with /memo-coach, in a DM, or as a file.",
        blocks=blocks,
    )
