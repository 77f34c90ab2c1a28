"""The "Coach this memo" message shortcut: coach any message (its text and supported
files); the feedback goes to the invoking user's DM, never to the channel."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.intake import MemoRequest
from bot.rendering.notices import render_queued_ack
from bot.services import Services
from handlers.events.memo_files import memo_files
from handlers.intake_replies import intake_reply

CALLBACK_ID = "coach_memo"


def register(app: AsyncApp, services: Services) -> None:
    async def on_shortcut(ack: AsyncAck, shortcut: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        message = shortcut.get("message") or {}
        result = await services.intake.submit(
            MemoRequest(
                slack_user_id=str(shortcut["user"]["id"]),
                team_id=(shortcut.get("team") or {}).get("id"),
                source="shortcut",
                text=str(message.get("text") or ""),
                channel_id=(shortcut.get("channel") or {}).get("id"),
                files=memo_files(message.get("files"), services),
                response_url=shortcut.get("response_url"),
            ),
        )
        reply = intake_reply(result)
        if reply is not None:
            await respond(response_type="ephemeral", **reply.payload())
        elif shortcut.get("response_url"):
            await respond(response_type="ephemeral", text=render_queued_ack())

    app.shortcut(CALLBACK_ID)(on_shortcut)
