"""`admin prompt …`: look at, compare, roll back and export the prompt. A new prompt
arrives as a YAML file shared in a DM (handlers/admin/config_files.py); the guard rails
(memo delimiters, {rubric}) are checked by evaluation.prompt_template, and the output
schema is always attached by the coach, so no prompt can remove it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config_service import PROMPT
from bot.rendering import SlackMessage
from bot.rendering.admin_prompt import render_prompt_version
from bot.rendering.admin_reply import render_usage
from handlers.admin.context import AdminArea, AdminRequest
from handlers.admin.versioned import SHARED

USAGE = (
    "`admin prompt show [N]` · `admin prompt history` · `admin prompt diff A B` · "
    "`admin prompt rollback N` · `admin prompt export`",
    "Share a prompt .yaml file with me in a DM (message text `prompt`) to replace it",
)
COMMANDS = ("show", "history", "diff", "rollback", "export")


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    sub = request.args[0].lower() if request.args else "show"
    if sub in COMMANDS:
        return await SHARED[sub](request, PROMPT, request.args[1:], render_prompt_version)
    return [render_usage(USAGE)]


AREA = AdminArea(handler=handle, usage=USAGE)
