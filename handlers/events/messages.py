"""`message` events: a DM to the bot (a memo, a short command or a file), or a file
shared in a channel with an @mention of the bot or in a coaching channel."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.intake import IntakeResult, MemoRequest, Outcome
from bot.services import Services
from bot.slack_files import foreign_host_error
from handlers.admin.config_files import handle_config_share, is_config_share
from handlers.events.memo_files import (
    foreign_files,
    in_coaching_channel,
    memo_files,
    submit_files,
)
from handlers.intake_replies import intake_reply
from handlers.short_commands import command_replies

HANDLED_SUBTYPES = (None, "file_share")


def _from_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return (
        event.get("subtype") in HANDLED_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
        and isinstance(event.get("channel"), str)
        and isinstance(event.get("ts"), str)
    )


async def _reply_in_thread(
    client: AsyncWebClient, event: dict[str, Any], result: IntakeResult
) -> None:
    reply = intake_reply(result)
    if reply is not None:
        await client.chat_postMessage(
            channel=event["channel"], thread_ts=event["ts"], **reply.payload()
        )


def register(app: AsyncApp, services: Services) -> None:
    async def on_message(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        bot_user_id = services.bot_user_id or context.bot_user_id
        if not _from_a_person(event, bot_user_id):
            return
        channel, ts = event["channel"], event["ts"]
        files = memo_files(event.get("files"), services)
        text = str(event.get("text") or "")
        is_dm = event.get("channel_type") == "im" or channel.startswith("D")
        if is_dm and is_config_share(event):  # a rubric/prompt upload, never a memo
            await handle_config_share(services, client, event)
            return
        if event.get("files"):
            mentioned = bool(bot_user_id) and f"<@{bot_user_id}" in text
            wanted = is_dm or mentioned or await in_coaching_channel(services, channel)
            if files and wanted:
                result = await submit_files(
                    services,
                    user_id=event["user"],
                    team_id=body.get("team_id"),
                    channel_id=channel,
                    message_ts=ts,
                    files=files,
                    event_id=body.get("event_id"),
                )
                await _reply_in_thread(client, event, result)
            elif wanted and (foreign := foreign_files(event["files"], services)):
                refused = foreign_host_error(foreign[0]).user_message
                await _reply_in_thread(
                    client, event, IntakeResult(Outcome.REJECTED, message=refused)
                )
            return
        if not is_dm:
            return  # channel text reaches us only through @mentions (app_mention)
        replies = await command_replies(services, client, event["user"], text, ephemeral=False)
        if replies is not None:
            for message in replies:
                await client.chat_postMessage(channel=channel, **message.payload())
            return
        result = await services.intake.submit(
            MemoRequest(
                slack_user_id=event["user"],
                team_id=body.get("team_id"),
                source="dm",
                text=text,
                channel_id=channel,
                message_ts=ts,
                thread_ts=ts,
                reply_channel_id=channel,
                event_id=body.get("event_id"),
            ),
        )
        await _reply_in_thread(client, event, result)

    app.event("message")(on_message)
