"""`admin audit [N]`: who changed what and when, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.rendering.admin_reply import admin_reply, bullets, when, who
from bot.rendering.escape import escape_mrkdwn, truncate
from bot.rendering.messages import SlackMessage
from storage.models import AuditEntry

MAX_DETAIL = 120


def _detail(detail: dict[str, Any] | None) -> str:
    if not detail:
        return ""
    if "to_version" in detail:
        return f"v{detail.get('from_version')} → v{detail.get('to_version')}"
    args = str(detail.get("args") or "").strip()
    if args:
        return f"`{escape_mrkdwn(truncate(args, MAX_DETAIL))}`"
    return escape_mrkdwn(truncate(", ".join(f"{k}={v}" for k, v in detail.items()), MAX_DETAIL))


def render_audit(entries: Sequence[AuditEntry]) -> list[SlackMessage]:
    lines = []
    for entry in entries:
        parts = [when(entry.created_at), who(entry.actor), f"*{escape_mrkdwn(entry.action)}*"]
        if entry.target:
            parts.append(escape_mrkdwn(entry.target))
        detail = _detail(entry.detail)
        if detail:
            parts.append(detail)
        lines.append(" · ".join(parts))
    return admin_reply(
        f"Audit log (last {len(entries)})",
        bullets(lines, escape=False, limit=len(lines) or 1) or "Nothing recorded yet.",
        note="Every admin command is recorded, and each change with what it changed.",
    )
