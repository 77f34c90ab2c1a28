"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.views import memo_modal, rubric_edit


def register(app: AsyncApp, services: Services) -> None:
    memo_modal.register(app, services)
    rubric_edit.register(app, services)
