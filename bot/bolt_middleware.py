"""The base of the bot's Bolt middlewares. A class rather than a function: Bolt calls a
function middleware with keyword arguments it builds for it on every request (Slack's
payload parsed again into `options`, `shortcut`, `view`…), and calls a class's
``async_process`` directly. Ours need only the body and the rest of the chain."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

Next = Callable[[], Awaitable[BoltResponse]]


class BodyMiddleware(AsyncMiddleware):
    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Next,  # Bolt passes it by this name
    ) -> BoltResponse | None:
        return await self.around(req.body, next)

    @abstractmethod
    async def around(self, body: dict[str, Any], next: Next) -> BoltResponse | None:
        """Answer, or ``await next()`` (with process_before_response the listener runs
        inside it, so this spans the whole time Slack waits for its answer)."""
