"""The two ways the bot wraps Bolt's handling of a request.

``BodyMiddleware``, a Bolt global middleware, can refuse a request before any listener
sees it. It is a class rather than a function: Bolt calls a function middleware with
keyword arguments it builds for it on every request (Slack's payload parsed again into
`options`, `shortcut`, `view`…), and calls a class's ``async_process`` directly.

``AroundAnswer`` runs around the whole answer, listener included. A Bolt middleware
cannot: its ``next()`` only moves on to the next middleware, and Bolt runs the listeners
after the last one has returned. :class:`ObservedApp` runs these around
``async_dispatch``, which HTTP mode and Socket Mode both call."""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
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
        """Answer instead of the listeners, or ``await next()`` to let the request on
        (that returns before any listener has run)."""


class AroundAnswer(ABC):
    @abstractmethod
    async def around(self, body: dict[str, Any], next: Next) -> BoltResponse:
        """``await next()``: it returns once the listener has finished and the answer
        is ready for Slack (listeners run before the response)."""


class ObservedApp(AsyncApp):
    """Bolt's AsyncApp with ``observers`` (outermost first) around each whole answer."""

    def __init__(self, *, observers: Sequence[AroundAnswer], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observers = tuple(observers)

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        return await self._through(req, 0)

    async def _through(self, req: AsyncBoltRequest, index: int) -> BoltResponse:
        if index == len(self._observers):
            return await super().async_dispatch(req)
        return await self._observers[index].around(
            req.body, functools.partial(self._through, req, index + 1)
        )
