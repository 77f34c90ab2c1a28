"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.views import memo_modal


def register(app: AsyncApp, services: Services) -> None:
    memo_modal.register(app, services)
