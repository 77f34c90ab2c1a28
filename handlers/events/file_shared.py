"""`file_shared`: Slack sends it alongside the file_share message. Whichever arrives
first records the memo; the file id's unique key makes the other a no-op."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from handlers.admin.config_files import is_config_file
from handlers.events.memo_files import in_coaching_channel, memo_files, submit_files

log = logging.getLogger(__name__)


def _share_ts(file: dict[str, Any], channel: str) -> str | None:
    """The ts of the message that shared the file in ``channel`` (its thread root)."""
    shares = file.get("shares") or {}
    for visibility in ("private", "public"):
        for share in (shares.get(visibility) or {}).get(channel) or []:
            if share.get("ts"):
                return str(share["ts"])
    return None


def register(app: AsyncApp, services: Services) -> None:
    async def on_file_shared(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        channel = str(event.get("channel_id") or "")
        user = str(event.get("user_id") or "")
        file_id = str(event.get("file_id") or "")
        if not (channel and user and file_id) or user == services.bot_user_id:
            return
        if not channel.startswith("D") and not await in_coaching_channel(services, channel):
            return
        try:
            info = await client.files_info(file=file_id)
        except SlackApiError as exc:  # deleted since, or not shared with us: nothing to do
            log.info("file_shared: files.info failed (%s)", exc.response.get("error"))
            return
        file = info.get("file") or {}
        if channel.startswith("D") and is_config_file(file):
            return  # a rubric/prompt upload: the file_share message handles it
        ts = _share_ts(file, channel)
        files = memo_files([file], services)
        if ts is None or not files:
            return  # the file_share message event carries what we need
        await submit_files(
            services,
            user_id=user,
            team_id=body.get("team_id"),
            channel_id=channel,
            message_ts=ts,
            files=files,
            event_id=body.get("event_id"),
        )

    app.event("file_shared")(on_file_shared)
