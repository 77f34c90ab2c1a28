""" "Try again" after a failed evaluation: queue the same memo again (its owner only)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.rendering.notices import ACTION_RETRY_SUBMISSION, render_queued_ack
from bot.request_shape import row_id
from bot.services import Services
from storage.repositories.jobs import restart_job
from storage.repositories.submissions import get_submission, set_submission_status
from storage.repositories.users import get_user_by_slack_id


def register(app: AsyncApp, services: Services) -> None:
    async def on_retry(
        ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        submission_id = row_id(action.get("value"))
        if submission_id is None:
            return
        async with services.database.transaction() as session:
            user = await get_user_by_slack_id(session, str(body["user"]["id"]))
            submission = await get_submission(session, submission_id)
            if user is None or submission is None or submission.user_id != user.id:
                return
            restarted = await restart_job(session, submission.id)
            if restarted:
                await set_submission_status(session, submission.id, "queued")
        if restarted:
            services.work_available.set()
            await respond(
                response_type="ephemeral", replace_original=False, text=render_queued_ack()
            )

    app.action(ACTION_RETRY_SUBMISSION)(on_retry)
