"""What each loopback fake (Slack, Anthropic) is apart from the routes it answers: an
aiohttp application on 127.0.0.1 at a free port, started and closed as an async context
manager."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from aiohttp import web


class LoopbackServer:
    handler_cancellation = False
    """Whether a handler is cancelled when its client goes away (aiohttp's option)."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None

    def add_routes(self, app: web.Application) -> None:
        """The fake's routes and hooks."""
        raise NotImplementedError

    async def start(self) -> Self:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=self.handler_cancellation,
            shutdown_timeout=0.5,
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
