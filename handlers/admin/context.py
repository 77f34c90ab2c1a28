"""What an admin command gets: who asked, the words after `admin`, and how to reach Slack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.rendering import SlackMessage
from bot.services import Services


@dataclass(frozen=True)
class AdminRequest:
    services: Services
    client: AsyncWebClient
    actor: str
    """Slack user id of the admin (already authorised by the router)."""
    args: list[str]
    """Words after `admin <area>`, e.g. ["set", "<@U1|ana>", "<@U2|bo>"]."""
    text: str
    """Everything after `admin <area>`, as typed (Slack-escaped)."""
    trigger_id: str | None = None
    """Present for slash commands: lets a command open a modal."""


AdminHandler = Callable[[AdminRequest], Awaitable[Sequence[SlackMessage]]]


@dataclass(frozen=True)
class AdminArea:
    handler: AdminHandler
    usage: tuple[str, ...]
    """Lines for `admin help`, e.g. "`admin team set @manager @member …` — replace a team"."""
