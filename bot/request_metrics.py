"""Count Slack requests and time their answers in a Bolt middleware, so HTTP mode and
Socket Mode are measured the same way."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.response import BoltResponse

from bot.bolt_middleware import AroundAnswer, Next
from bot.metrics import ACK_SECONDS, SLACK_REQUESTS

MAX_TYPE_LABEL = 32


def request_type(body: dict[str, Any]) -> str:
    """A small, fixed-ish label: command, event, or the interactive payload's type."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return str(kind)[:MAX_TYPE_LABEL] if isinstance(kind, str) else "other"


class ObserveRequests(AroundAnswer):
    async def around(self, body: dict[str, Any], next: Next) -> BoltResponse:
        """The time Slack waits for its answer (see :class:`AroundAnswer`)."""
        SLACK_REQUESTS.labels(type=request_type(body)).inc()
        started = time.perf_counter()
        try:
            return await next()
        finally:
            ACK_SECONDS.observe(time.perf_counter() - started)
