"""Short replies: a memo that can't be coached, limits, failures, acknowledgements.

Each one says what happened and what the user can do next, in a sentence or two.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.rendering.escape import escape_mrkdwn, truncate
from bot.rendering.messages import Block, SlackMessage, button, context, section

ACTION_RETRY_SUBMISSION = "retry_submission"
MAX_USER_MESSAGE = 1500
MAX_FALLBACK_DETAIL = 200
_SAFE_URL = re.compile(r"https://[^\s<>|]+")


def render_rejected(user_message: str) -> SlackMessage:
    """The memo or file could not be coached; ``user_message`` (plain text from
    evaluation/errors.py) already says why and what to do."""
    reason = truncate(escape_mrkdwn(user_message.strip()), MAX_USER_MESSAGE)
    body = ":raised_hand: *I couldn't coach this one.*"
    if reason:
        body += f"\n{reason}"
    blocks: list[Block] = [
        section(body),
        context(
            "Fix that and send it again — `/memo-coach help` shows all the ways to send a memo."
        ),
    ]
    text = "I couldn't coach this memo"
    if reason:
        text += f": {truncate(escape_mrkdwn(user_message.strip()), MAX_FALLBACK_DETAIL)}"
    return SlackMessage(text=text, blocks=blocks)


def _local_time(moment: datetime, tz: str | None) -> str:
    """``HH:MM`` in the user's zone when we know it, else in UTC (and say so)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = None
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    if zone is None:
        return f"{moment.astimezone(UTC):%H:%M} UTC"
    return f"{moment.astimezone(zone):%H:%M}"


def render_rate_limited(limit: int, retry_at: datetime, tz: str | None) -> SlackMessage:
    """Too many memos this hour: say the limit and when the next one will be accepted."""
    memos = "memo" if limit == 1 else "memos"
    when = _local_time(retry_at, tz)
    body = (
        f":hourglass_flowing_sand: You've reached the limit of *{limit:,} {memos} per hour*, "
        f"so I haven't coached this one. You can send it again at *{when}*."
    )
    text = f"Hourly limit reached ({limit:,} {memos} per hour). Try again at {when}."
    return SlackMessage(text=text, blocks=[section(body)])


def render_evaluation_failed(reason: str, submission_id: int) -> SlackMessage:
    """Scoring failed after retries; the memo is kept so one click can try again."""
    value = str(submission_id)
    why = truncate(escape_mrkdwn(reason.strip()), MAX_USER_MESSAGE)
    body = ":warning: *I couldn't finish coaching your memo.*"
    if why:
        body += f"\nWhat went wrong: {why}"
    body += "\nYour memo is saved — press *Try again* and I'll have another go."
    blocks: list[Block] = [
        section(body),
        {
            "type": "actions",
            "block_id": f"{ACTION_RETRY_SUBMISSION}:{value}",
            "elements": [
                button(":arrows_counterclockwise: Try again", ACTION_RETRY_SUBMISSION, value)
            ],
        },
    ]
    text = "I couldn't finish coaching your memo"
    if why:
        text += f": {truncate(escape_mrkdwn(reason.strip()), MAX_FALLBACK_DETAIL)}"
    return SlackMessage(text=text, blocks=blocks)


def _permalink(permalink: str | None, label: str) -> str | None:
    """A ``<url|label>`` link only for a plain https URL that cannot break out of it."""
    if not permalink or not _SAFE_URL.fullmatch(permalink):
        return None
    return f"<{permalink.replace('&', '&amp;')}|{label}>"


def render_feedback_in_dm(permalink: str | None) -> SlackMessage:
    """The ephemeral in a channel: feedback is private, so it went to the user's DMs."""
    body = ":mailbox_with_mail: Your feedback is in your DMs with Memo Coach."
    link = _permalink(permalink, "Open it")
    if link:
        body += f" {link}"
    return SlackMessage(
        text="Your feedback is in your DMs with Memo Coach.", blocks=[section(body)]
    )


_UNPOSTABLE_REASONS = {
    "not_in_channel": "I'm no longer a member of that channel",
    "is_archived": "that channel has been archived",
    "channel_not_found": "that channel no longer exists or I can't see it",
}


def render_unpostable(channel_id: str, error: str) -> SlackMessage:
    """A DM to the memo's author when its channel refused the feedback for good, so the
    memo does not vanish silently. ``error`` is Slack's error code."""
    reason = _UNPOSTABLE_REASONS.get(error, "Slack refused my reply there")
    body = (
        f":warning: I couldn't post feedback on the memo you shared in <#{channel_id}>: "
        f"{reason}. Share the file with me here in a DM (or add me to the channel and "
        "share it again) and I'll coach it."
    )
    return SlackMessage(
        text="I couldn't post feedback on your memo in that channel; share it here instead.",
        blocks=[section(body)],
    )


def render_mention_hint() -> SlackMessage:
    """The ephemeral for an @mention with no file and no known command: how to use me
    from a channel without posting anyone's memo or scores in public."""
    body = (
        ":wave: To coach a memo from a channel, @mention me with a .docx, .pdf, .txt or .md "
        "file attached: I reply in that message's thread. For private feedback, use "
        "`/memo-coach` or send me a DM. In a channel I can answer `help`, `rubric` and "
        "`privacy`."
    )
    return SlackMessage(
        text="To coach a memo, @mention me with a file, use /memo-coach, or DM me.",
        blocks=[section(body)],
    )


def render_queued_ack() -> str:
    """Plain text for the slash-command ack (it must answer within three seconds)."""
    return "Got it — coaching your memo. Feedback will arrive in your DMs."


def render_thanks_for_feedback(helpful: bool) -> SlackMessage:
    """Acknowledge a Helpful / Not helpful click so the user knows it registered."""
    if helpful:
        body = ":raised_hands: Thanks — glad it helped!"
    else:
        body = ":pray: Thanks for telling me. Your rating helps us tune the coaching."
    return SlackMessage(text=body.split(" ", 1)[1], blocks=[context(body)])
