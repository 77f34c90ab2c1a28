"""Everything a listener or worker needs, created once per process and passed around
explicitly (no globals), so tests can build the real thing against loopback fakes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.ack_priority import AckPriority
from bot.intake import MemoIntake
from bot.runtime import Runtime
from evaluation.memo import Evaluator
from storage.db import Database


@dataclass
class Services:
    runtime: Runtime
    database: Database
    client: AsyncWebClient
    evaluator: Evaluator
    http: aiohttp.ClientSession
    bot_user_id: str | None = None
    work_available: asyncio.Event = field(default_factory=asyncio.Event)
    """Set by intake so idle workers claim new jobs at once instead of at the next poll."""
    acks: AckPriority = field(default_factory=AckPriority)
    """Requests from Slack being answered; workers let them go first."""
    intake: MemoIntake = field(init=False)

    def __post_init__(self) -> None:
        self.intake = MemoIntake(self.database, self.runtime.config.coach, self.work_available)

    @property
    def bot_token(self) -> str:
        token = self.runtime.settings.slack_bot_token
        return token.get_secret_value() if token else ""

    async def aclose(self) -> None:
        close = getattr(self.evaluator, "aclose", None)
        if close is not None:
            await close()
        await self.http.close()
        if self.client.session is not None:
            await self.client.session.close()
        await self.database.dispose()
