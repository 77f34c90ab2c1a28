"""The memo form opened by a bare `/memo-coach`: problems show inline in the form, an
accepted memo closes it and the feedback arrives in the user's DM."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.intake import MemoRequest, Outcome
from bot.rendering.memo_modal import MEMO_MODAL_CALLBACK, memo_modal_errors, read_memo_modal
from bot.services import Services
from handlers.intake_replies import intake_reply


def register(app: AsyncApp, services: Services) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        memo, audience = read_memo_modal(view["state"]["values"])
        result = await services.intake.submit(
            MemoRequest(
                slack_user_id=str(body["user"]["id"]),
                team_id=(body.get("team") or {}).get("id"),
                source="modal",
                text=memo,
                audience=audience,
            ),
        )
        reply = intake_reply(result)
        if result.outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE) or reply is None:
            await ack()
            return
        await ack(**memo_modal_errors(result.message or reply.text))

    app.view(MEMO_MODAL_CALLBACK)(on_submit)
