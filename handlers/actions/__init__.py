"""Button listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.actions import feedback, forget_me, retry


def register(app: AsyncApp, services: Services) -> None:
    feedback.register(app, services)
    retry.register(app, services)
    forget_me.register(app, services)
