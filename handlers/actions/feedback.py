"""The buttons under each evaluation: Helpful / Not helpful (stored) and My progress."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.rendering.evaluation import ACTION_HELPFUL, ACTION_MY_PROGRESS, ACTION_NOT_HELPFUL
from bot.rendering.notices import render_thanks_for_feedback
from bot.services import Services
from handlers.command_words import Command
from handlers.short_commands import answer_command
from storage.repositories.evaluations import set_feedback
from storage.repositories.users import get_user_by_slack_id


def _evaluation_id(action: dict[str, Any]) -> int | None:
    value = str(action.get("value") or "")
    return int(value) if value.isdigit() else None


def register(app: AsyncApp, services: Services) -> None:
    async def on_feedback(
        ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        evaluation_id = _evaluation_id(action)
        helpful = action.get("action_id") == ACTION_HELPFUL
        if evaluation_id is None:
            return
        async with services.database.transaction() as session:
            user = await get_user_by_slack_id(session, str(body["user"]["id"]))
            if user is None:
                return
            stored = await set_feedback(
                session,
                evaluation_id,
                "helpful" if helpful else "not_helpful",
                user_id=user.id,
            )
        if stored:
            thanks = render_thanks_for_feedback(helpful)
            await respond(response_type="ephemeral", replace_original=False, **thanks.payload())

    async def on_my_progress(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        for message in await answer_command(services, Command.PROGRESS, str(body["user"]["id"])):
            await respond(response_type="ephemeral", replace_original=False, **message.payload())

    app.action(ACTION_HELPFUL)(on_feedback)
    app.action(ACTION_NOT_HELPFUL)(on_feedback)
    app.action(ACTION_MY_PROGRESS)(on_my_progress)
