"""Slash command listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.commands import memo_coach


def register(app: AsyncApp, services: Services) -> None:
    memo_coach.register(app, services)
