"""`admin rubric …`: look at, compare, roll back, export and re-weight the rubric.

Weights always sum to 100, so `weight` takes several KEY N pairs at once and refuses any
result that does not add up (changing one weight alone can never keep the total).
Replacing the whole rubric is done by sharing a YAML file (handlers/admin/config_files.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.config_service import RUBRIC, WeightError, live_version, parse_weight_args, set_weights
from bot.rendering import SlackMessage
from bot.rendering.admin_reply import render_usage
from bot.rendering.admin_rubric import (
    render_edit_needs_slash_command,
    render_edit_opened,
    render_rubric_version,
    render_weight_error,
)
from bot.rendering.admin_rubric_edit import rubric_edit_view
from bot.rendering.admin_versions import render_change
from handlers.admin.context import AdminArea, AdminRequest
from handlers.admin.versioned import SHARED

USAGE = (
    "`admin rubric show [N]` — the live rubric (or version N): criteria, keys, weights, "
    "scale, author, date",
    "`admin rubric history` · `admin rubric diff A B` · `admin rubric rollback N` "
    "(N's content becomes a new, live version)",
    "`admin rubric export` — the live rubric as a YAML file in your DM",
    "`admin rubric weight KEY N [KEY N …]` — change weights; the result must sum to 100",
    "`admin rubric edit` — a form with every weight (from the slash command)",
    "Share a rubric .yaml file with me in a DM to replace the whole rubric",
)


async def _weight(request: AdminRequest, words: list[str]) -> Sequence[SlackMessage]:
    try:
        weights = parse_weight_args(words)
        change = await set_weights(
            request.services.database, weights, author=request.actor, via="weight command"
        )
    except WeightError as exc:
        return [render_weight_error(str(exc))]
    return render_change(change, source="weight command")


async def _edit(request: AdminRequest) -> Sequence[SlackMessage]:
    if not request.trigger_id:
        return [render_edit_needs_slash_command()]
    live = await live_version(request.services.database, RUBRIC)
    await request.client.views_open(
        trigger_id=request.trigger_id, view=rubric_edit_view(live.document, live.version)
    )
    return [render_edit_opened(live.version)]


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    sub = request.args[0].lower() if request.args else "show"
    words = request.args[1:]
    if sub in SHARED:
        return await SHARED[sub](request, RUBRIC, words, render_rubric_version)
    if sub in ("weight", "weights"):
        return await _weight(request, words)
    if sub == "edit":
        return await _edit(request)
    return [render_usage(USAGE)]


AREA = AdminArea(handler=handle, usage=USAGE)
