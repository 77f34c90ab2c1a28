"""Acks first. Slack shows the user an error when an ack takes 3 s, while a job can wait a
moment: workers hold off claiming new work while requests from Slack are being answered
(for at most ``MAX_HOLD_SECONDS``), so a burst of slash commands is not acked behind
status messages and database writes for the memos that came just before it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from slack_bolt.response import BoltResponse

from bot.bolt_middleware import BodyMiddleware, Next

MAX_HOLD_SECONDS = 0.1
"""Longest a claim waits; a steady stream of requests must not starve the workers."""


class AckPriority(BodyMiddleware):
    """Counts the requests being answered, as a Bolt middleware."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def around(self, body: dict[str, Any], next: Next) -> BoltResponse | None:
        self._in_flight += 1
        self._quiet.clear()
        try:
            return await next()
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._quiet.set()

    async def wait_for_acks(self, limit: float = MAX_HOLD_SECONDS) -> None:
        """Return once no request is being answered, or after ``limit`` seconds."""
        if self._in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), limit)
