"""Slow Slack work for admin commands (file uploads, follow-up DMs), run after the
command is answered: Slack wants an answer within 3 seconds, and an upload is three API
calls. Failures are logged and, where possible, told to the admin in the DM."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.rendering import SlackMessage
from bot.rendering.admin_versions import render_upload_failed

log = logging.getLogger(__name__)

_running: set[asyncio.Task[None]] = set()
"""Strong references: the event loop keeps only weak ones to tasks."""


def after_ack(work: Coroutine[Any, Any, None], *, what: str) -> None:
    """Start ``work`` now without waiting for it; errors are logged, never raised."""

    async def logged() -> None:
        try:
            await work
        except Exception:
            log.exception("admin follow-up failed: %s", what)

    task = asyncio.create_task(logged(), name=f"admin-{what}")
    _running.add(task)
    task.add_done_callback(_running.discard)


async def open_dm(client: AsyncWebClient, user_id: str) -> str:
    opened = await client.conversations_open(users=user_id)
    return str(opened["channel"]["id"])


async def post_dm(client: AsyncWebClient, user_id: str, messages: list[SlackMessage]) -> None:
    channel = await open_dm(client, user_id)
    for message in messages:
        await client.chat_postMessage(channel=channel, **message.payload())


async def upload_to_dm(
    client: AsyncWebClient,
    user_id: str,
    *,
    content: str,
    filename: str,
    title: str,
    comment: str,
) -> None:
    """Upload ``content`` as a file into the user's DM with the bot (files_upload_v2)."""
    channel = await open_dm(client, user_id)
    try:
        await client.files_upload_v2(
            channel=channel,
            content=content,
            filename=filename,
            title=title,
            initial_comment=comment,
        )
    except SlackApiError as exc:
        reason = str(exc.response.get("error") or "Slack refused it")
        log.warning("upload of %s failed: %s", filename, reason)
        await client.chat_postMessage(
            channel=channel, **render_upload_failed(filename, reason).payload()
        )
