"""Slack listeners, one folder per Slack surface; each module parses the request, calls
a service and renders. `register_listeners` wires them all."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers import actions, commands, events, shortcuts, views


def register_listeners(app: AsyncApp, services: Services) -> None:
    commands.register(app, services)
    events.register(app, services)
    shortcuts.register(app, services)
    views.register(app, services)
    actions.register(app, services)
