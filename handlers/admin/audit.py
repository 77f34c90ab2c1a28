"""`admin audit [N]`: the newest N entries of the audit log (default 20, at most 100)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rendering import SlackMessage
from bot.rendering.admin_audit import render_audit
from handlers.admin.context import AdminArea, AdminRequest
from storage.repositories.audit import recent_audit

USAGE = ("`admin audit [N]` — who changed what and when (newest N, default 20)",)
DEFAULT_ENTRIES = 20
MAX_ENTRIES = 100


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    word = request.args[0] if request.args else ""
    n = int(word) if word.isdigit() else DEFAULT_ENTRIES
    async with request.services.database.session() as session:
        entries = await recent_audit(session, max(1, min(n, MAX_ENTRIES)))
    return render_audit(entries)


AREA = AdminArea(handler=handle, usage=USAGE)
