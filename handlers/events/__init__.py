"""Events API listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.events import app_home, app_mention, file_shared, messages


def register(app: AsyncApp, services: Services) -> None:
    messages.register(app, services)
    file_shared.register(app, services)
    app_mention.register(app, services)
    app_home.register(app, services)
