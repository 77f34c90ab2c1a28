"""`/memo-coach admin …` (and `admin …` in a DM): one router, one authorisation check.

Every admin command passes through `run_admin_command`, which refuses non-admins before
anything is read or changed and records every admin action in the audit log. Each area
(team, digest, rubric, …) lives in its own module and is listed in AREAS.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import is_admin
from bot.rendering import SlackMessage
from bot.rendering.admin import render_admin_help, render_not_admin, render_unknown_admin
from bot.services import Services
from handlers.admin import admins, audit, channel, debug, digest, prompt, rubric, stats, team
from handlers.admin.context import AdminArea, AdminRequest
from storage.repositories.audit import record_audit

AREAS: dict[str, AdminArea] = {
    "team": team.AREA,
    "digest": digest.AREA,
    "admins": admins.AREA,
    "rubric": rubric.AREA,
    "prompt": prompt.AREA,
    "channel": channel.AREA,
    "stats": stats.AREA,
    "debug": debug.AREA,
    "audit": audit.AREA,
}


def is_admin_command(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower() == "admin"


async def run_admin_command(
    services: Services,
    client: AsyncWebClient,
    actor: str,
    text: str,
    *,
    trigger_id: str | None = None,
) -> Sequence[SlackMessage]:
    """Authorise, audit and dispatch `admin <area> …`; always returns a reply."""
    if not await is_admin(services, actor):
        return [render_not_admin()]
    words = text.split(maxsplit=2)[1:]  # drop "admin"
    area_name = words[0].lower() if words else "help"
    rest = words[1] if len(words) > 1 else ""
    async with services.database.transaction() as session:
        await record_audit(session, actor, f"admin {area_name}", detail={"args": rest[:500]})
    if area_name == "help":
        return [render_admin_help({name: area.usage for name, area in AREAS.items()})]
    area = AREAS.get(area_name)
    if area is None:
        return [render_unknown_admin(area_name, sorted(AREAS))]
    request = AdminRequest(
        services=services,
        client=client,
        actor=actor,
        args=rest.split(),
        text=rest,
        trigger_id=trigger_id,
    )
    return await area.handler(request)
