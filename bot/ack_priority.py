"""Acks first. Slack shows the user an error when an ack takes 3 s, while a job can wait a
moment: workers hold off claiming and running jobs while requests from Slack are being
answered, so a burst of slash commands is not acked behind status messages, model calls
and database writes for the memos that came just before it.

A burst is over when no request is being answered *and* none has arrived for
``PAUSE_SECONDS``: between two requests of a burst the bot may have answered every
request it has read while the next ones still wait in their sockets, unseen. Workers are
held for at most ``MAX_HOLD_SECONDS`` per busy period (from its first request), so a
steady stream of requests delays them once, not at every claim."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from slack_bolt.response import BoltResponse

from bot.bolt_middleware import AroundAnswer, Next

PAUSE_SECONDS = 0.005
"""Quiet this long after the last arrival ends a burst. A burst's requests reach the
bot about half a millisecond apart while it reads them; a lone command's ack usually
takes longer than this, so a lone memo's job seldom waits, and never longer."""
MAX_HOLD_SECONDS = 0.5
"""Longest the workers wait in one busy period: a burst of 100 commands is answered in
~0.1–0.3 s on two shared CPUs (benchmarks/RESULTS.md), and a steady stream of requests
must not starve the workers."""


class AckPriority(AroundAnswer):
    """Tracks the requests being answered (around each whole answer) and holds workers
    back while a burst lasts."""

    def __init__(self, *, pause: float = PAUSE_SECONDS, max_hold: float = MAX_HOLD_SECONDS) -> None:
        self.pause = pause
        self.max_hold = max_hold
        self._in_flight = 0
        self._last_arrival = -float("inf")
        self._busy_since = -float("inf")
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def around(self, body: dict[str, Any], next: Next) -> BoltResponse:
        now = time.monotonic()
        if not self._in_flight and now - self._last_arrival >= self.pause:
            self._busy_since = now  # a new busy period
        self._last_arrival = now
        self._in_flight += 1
        self._quiet.clear()
        try:
            return await next()
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._quiet.set()

    async def wait_for_acks(self) -> None:
        """Return once the burst is over (nothing in flight, no arrival for ``pause``), or
        once this busy period has held the workers for ``max_hold``."""
        deadline = self._busy_since + self.max_hold
        while (now := time.monotonic()) < deadline:
            if self._in_flight:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._quiet.wait(), deadline - now)
                continue
            pause_left = self._last_arrival + self.pause - now
            if pause_left <= 0:
                return
            await asyncio.sleep(min(pause_left, deadline - now))
