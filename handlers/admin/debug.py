"""`admin debug last [@user]`: the raw prompt and response of the newest evaluation (of
that user), uploaded as a file to the admin's DM. Only while coach.yaml `debug_storage`
is on, since raw data holds the memo; each look is audited."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rendering import SlackMessage
from bot.rendering.admin_debug import (
    debug_file_name,
    render_debug_file,
    render_debug_off,
    render_debug_started,
    render_no_debug_evaluation,
)
from bot.rendering.admin_reply import render_usage
from handlers.admin.context import AdminArea, AdminRequest
from handlers.admin.uploads import after_ack, upload_to_dm
from handlers.command_words import mentioned_users
from storage.repositories.audit import record_audit
from storage.repositories.evaluations import last_debug_evaluation, last_evaluation_for_user
from storage.repositories.users import get_user, get_user_by_slack_id

USAGE = ("`admin debug last [@user]` — raw prompt, response, timings and tokens, as a file",)


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    if not request.args or request.args[0].lower() != "last":
        return [render_usage(USAGE)]
    if not request.services.runtime.config.coach.debug_storage:
        return [render_debug_off()]
    users = mentioned_users(request.text)
    target = users[0] if users else None
    async with request.services.database.transaction() as session:
        if target is None:
            evaluation = await last_debug_evaluation(session)
        else:
            user = await get_user_by_slack_id(session, target)
            evaluation = None if user is None else await last_evaluation_for_user(session, user.id)
        if evaluation is None or evaluation.raw_response is None:
            return [render_no_debug_evaluation(target)]
        owner = await get_user(session, evaluation.user_id)
        await record_audit(
            session, request.actor, "debug.export", target=f"evaluation {evaluation.id}"
        )
    content = render_debug_file(evaluation, owner.slack_user_id if owner else "?")
    after_ack(
        upload_to_dm(
            request.client,
            request.actor,
            content=content,
            filename=debug_file_name(evaluation),
            title=f"Debug: evaluation {evaluation.id}",
            comment="Raw model exchange (contains the memo; admin-only).",
        ),
        what="debug upload",
    )
    return [render_debug_started(evaluation)]


AREA = AdminArea(handler=handle, usage=USAGE)
