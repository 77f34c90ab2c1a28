"""`forget me`, confirmed: delete the user's memos, evaluations and scores."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.rendering.forget_me import (
    ACTION_FORGET_ME_CANCEL,
    ACTION_FORGET_ME_CONFIRM,
    render_forget_me_cancelled,
    render_forget_me_done,
)
from bot.services import Services
from storage.repositories.audit import record_audit
from storage.repositories.retention import delete_user_data
from storage.repositories.users import get_user_by_slack_id


def register(app: AsyncApp, services: Services) -> None:
    async def on_confirm(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        if not body.get("response_url"):
            return  # not a click on our confirmation message, which always has one
        slack_user_id = str(body["user"]["id"])
        memos = evaluations = 0
        async with services.database.transaction() as session:
            user = await get_user_by_slack_id(session, slack_user_id)
            if user is not None:
                deleted = await delete_user_data(session, user.id)
                memos, evaluations = deleted.submissions, deleted.evaluations
            await record_audit(
                session,
                slack_user_id,
                "forget_me",
                target=slack_user_id,
                detail={"memos": memos, "evaluations": evaluations},
            )
        await respond(replace_original=True, **render_forget_me_done(memos, evaluations).payload())

    async def on_cancel(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        if not body.get("response_url"):
            return
        await respond(replace_original=True, **render_forget_me_cancelled().payload())

    app.action(ACTION_FORGET_ME_CONFIRM)(on_confirm)
    app.action(ACTION_FORGET_ME_CANCEL)(on_cancel)
