"""`app_mention`: @Memo Coach in a channel. With a file, that file is coached in the
thread; with a short command, it is answered there; otherwise a pointer to how to use it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.rendering.notices import render_mention_hint
from bot.services import Services
from handlers.command_words import Command, parse_command
from handlers.events.memo_files import memo_files, submit_files
from handlers.intake_replies import intake_reply
from handlers.short_commands import answer_command

PUBLIC_COMMANDS = (Command.HELP, Command.RUBRIC, Command.PRIVACY)
"""Answers safe to show a channel (no one's progress in public)."""


def register(app: AsyncApp, services: Services) -> None:
    async def on_mention(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        channel, ts, user = event.get("channel"), event.get("ts"), event.get("user")
        if not (isinstance(channel, str) and isinstance(ts, str) and user):
            return
        files = memo_files(event.get("files"), services)
        if files:
            result = await submit_files(
                services,
                user_id=str(user),
                team_id=body.get("team_id"),
                channel_id=channel,
                message_ts=ts,
                files=files,
                event_id=body.get("event_id"),
            )
            reply = intake_reply(result)
            if reply is not None:
                await client.chat_postMessage(channel=channel, thread_ts=ts, **reply.payload())
            return
        word = parse_command(str(event.get("text") or ""))
        if word in PUBLIC_COMMANDS:
            for message in await answer_command(services, word, str(user)):
                await client.chat_postMessage(channel=channel, thread_ts=ts, **message.payload())
            return
        hint = render_mention_hint()
        await client.chat_postEphemeral(channel=channel, user=str(user), **hint.payload())

    app.event("app_mention")(on_mention)
