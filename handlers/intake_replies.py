"""What to tell the user right away about a memo handed to intake."""

from __future__ import annotations

from bot.intake import IntakeResult, Outcome
from bot.rendering import SlackMessage
from bot.rendering.notices import render_rate_limited, render_rejected


def intake_reply(result: IntakeResult, tz: str | None = None) -> SlackMessage | None:
    """A rejection or rate-limit notice; None when the worker will answer (or already did)."""
    if result.outcome is Outcome.REJECTED:
        return render_rejected(result.message or "")
    if result.outcome is Outcome.RATE_LIMITED and result.retry_at is not None:
        return render_rate_limited(result.limit, result.retry_at, tz)
    return None
