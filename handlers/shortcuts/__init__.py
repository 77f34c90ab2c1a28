"""Shortcut listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.shortcuts import coach_memo


def register(app: AsyncApp, services: Services) -> None:
    coach_memo.register(app, services)
