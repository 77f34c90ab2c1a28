"""`/memo-coach forget me`: a clear confirmation before an irreversible deletion, then
a receipt of what was deleted."""

from __future__ import annotations

from bot.rendering.messages import Block, SlackMessage, button, context, section

ACTION_FORGET_ME_CONFIRM = "forget_me_confirm"
ACTION_FORGET_ME_CANCEL = "forget_me_cancel"
FORGET_ME_BLOCK = "forget_me"
CONFIRM_VALUE = "confirm"
CANCEL_VALUE = "cancel"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def render_forget_me_confirm() -> SlackMessage:
    """Ask before deleting: say exactly what goes, what stays, and that it is final."""
    blocks: list[Block] = [
        section(
            ":wastebasket: *Delete everything Memo Coach keeps about you?*\n"
            "This permanently deletes:\n"
            "• your memos (including text from files you shared)\n"
            "• their evaluations and feedback\n"
            "• your scores and progress history"
        ),
        context(
            "What stays: audit log entries, which record actions (such as this deletion) "
            "and never contain memo text. This can't be undone."
        ),
        {
            "type": "actions",
            "block_id": FORGET_ME_BLOCK,
            "elements": [
                button("Delete my data", ACTION_FORGET_ME_CONFIRM, CONFIRM_VALUE, style="danger"),
                button("Cancel", ACTION_FORGET_ME_CANCEL, CANCEL_VALUE),
            ],
        },
    ]
    return SlackMessage(
        text="Delete your Memo Coach memos, evaluations, scores and progress?", blocks=blocks
    )


def render_forget_me_done(memos: int, evaluations: int) -> SlackMessage:
    """The receipt, with counts, so the user can see it really happened."""
    if memos == 0 and evaluations == 0:
        body = ":white_check_mark: Done — there was nothing of yours to delete."
    else:
        body = (
            f":white_check_mark: Done — I deleted {_count(memos, 'memo')} and "
            f"{_count(evaluations, 'evaluation')}, along with your scores and progress."
        )
    body += " If you send me a memo later, I'll start fresh."
    return SlackMessage(text=body.split(" ", 1)[1], blocks=[section(body)])


def render_forget_me_cancelled() -> SlackMessage:
    body = ":ok_hand: No problem — nothing was deleted."
    return SlackMessage(text="No problem — nothing was deleted.", blocks=[section(body)])
