"""`/memo-coach`: a memo in the text, a short command, or nothing (opens the form).

Acks within milliseconds: intake only writes two rows; the worker does the rest and
answers in the user's DM, so this works from channels the bot is not a member of."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.intake import MemoRequest
from bot.rendering.memo_modal import memo_modal_view
from bot.rendering.notices import render_queued_ack
from bot.services import Services
from handlers.intake_replies import intake_reply
from handlers.short_commands import command_replies

COMMAND = "/memo-coach"


def register(app: AsyncApp, services: Services) -> None:
    async def on_command(
        ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        text = str(command.get("text") or "").strip()
        user_id = str(command["user_id"])
        if not text:
            await ack()
            await client.views_open(trigger_id=command["trigger_id"], view=memo_modal_view())
            return
        replies = await command_replies(
            services, client, user_id, text, ephemeral=True, trigger_id=command.get("trigger_id")
        )
        if replies:
            first, *rest = replies
            await ack(response_type="ephemeral", **first.payload())
            for message in rest:
                await respond(response_type="ephemeral", **message.payload())
            return
        result = await services.intake.submit(
            MemoRequest(
                slack_user_id=user_id,
                team_id=command.get("team_id"),
                source="slash_command",
                text=text,
                channel_id=command.get("channel_id"),
                response_url=command.get("response_url"),
            ),
        )
        reply = intake_reply(result)
        if reply is None:
            await ack(response_type="ephemeral", text=render_queued_ack())
        else:
            await ack(response_type="ephemeral", **reply.payload())

    app.command(COMMAND)(on_command)
