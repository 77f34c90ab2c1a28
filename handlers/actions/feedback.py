"""The buttons under each evaluation: Helpful / Not helpful (stored) and My progress
(also on the Home tab)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.progress_report import PostedProgress, load_progress, start_progress_report
from bot.rendering.evaluation import ACTION_HELPFUL, ACTION_MY_PROGRESS, ACTION_NOT_HELPFUL
from bot.rendering.notices import render_thanks_for_feedback
from bot.rendering.progress_blocks import render_progress, render_progress_pointer
from bot.request_shape import row_id
from bot.services import Services
from storage.repositories.evaluations import set_feedback
from storage.repositories.users import get_user_by_slack_id


def _evaluation_id(action: dict[str, Any]) -> int | None:
    return row_id(action.get("value"))


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

    async def on_my_progress(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Progress goes to the DM with its chart (in the background: Slack gets its
        response only when this returns); the click's message, when it has a
        response_url, gets an ephemeral pointer with the link."""
        await ack()
        user_id = str(body["user"]["id"])
        can_respond = bool(body.get("response_url"))
        data = await load_progress(services, user_id)
        if not data.has_memos:
            if can_respond:
                [empty] = render_progress(None)
                await respond(response_type="ephemeral", replace_original=False, **empty.payload())
            return

        async def point_to_it(posted: PostedProgress) -> None:
            pointer = render_progress_pointer(posted.permalink, posted=True)
            await respond(response_type="ephemeral", replace_original=False, **pointer.payload())

        start_progress_report(
            services, client, user_id, data, after_post=point_to_it if can_respond else None
        )

    app.action(ACTION_HELPFUL)(on_feedback)
    app.action(ACTION_NOT_HELPFUL)(on_feedback)
    app.action(ACTION_MY_PROGRESS)(on_my_progress)
