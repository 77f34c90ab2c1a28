"""`admin admins add|remove|list @user …`: who else may run admin commands.

Admins from ADMIN_USER_IDS are the bootstrap and cannot be removed from Slack, so a
mistake here can never lock everyone out; without them (and without workspace admins
counting), the last stored admin cannot be removed either.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.rendering import SlackMessage
from bot.rendering.admin_people import (
    render_admin_changes,
    render_admin_removals,
    render_admins,
    render_last_admin,
)
from bot.rendering.admin_reply import render_usage
from handlers.admin.context import AdminArea, AdminRequest
from handlers.command_words import mentioned_users
from storage.repositories.admins import add_admin, list_admins, remove_admin
from storage.repositories.audit import record_audit

USAGE = ("`admin admins add|remove @user …` · `admin admins list` — who the coach admins are",)


def _bootstrap(request: AdminRequest) -> list[str]:
    return sorted(request.services.runtime.settings.admin_ids)


def _workspace_admins(request: AdminRequest) -> bool:
    return request.services.runtime.config.coach.admins.workspace_admins_are_admins


async def _add(request: AdminRequest, users: list[str]) -> Sequence[SlackMessage]:
    added, already = [], []
    async with request.services.database.transaction() as session:
        for user in users:
            if await add_admin(session, user, added_by=request.actor):
                added.append(user)
                await record_audit(session, request.actor, "admins.add", target=user)
            else:
                already.append(user)
    return [render_admin_changes(added, already)]


async def _remove(request: AdminRequest, users: list[str]) -> Sequence[SlackMessage]:
    bootstrap = _bootstrap(request)
    removed, not_admins = [], []
    async with request.services.database.transaction() as session:
        stored = {a.slack_user_id for a in await list_admins(session)}
        remaining = (stored - set(users)) | set(bootstrap)
        if not remaining and not _workspace_admins(request):
            return [render_last_admin()]
        for user in users:
            if user in bootstrap:
                continue
            if await remove_admin(session, user):
                removed.append(user)
                await record_audit(session, request.actor, "admins.remove", target=user)
            else:
                not_admins.append(user)
    return [render_admin_removals(removed, not_admins, [u for u in users if u in bootstrap])]


async def _list(request: AdminRequest) -> Sequence[SlackMessage]:
    async with request.services.database.session() as session:
        stored = await list_admins(session)
    return render_admins(_bootstrap(request), stored, _workspace_admins(request))


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    sub = request.args[0].lower() if request.args else "list"
    users = mentioned_users(request.text)
    if sub == "list":
        return await _list(request)
    if sub in ("add", "remove") and users:
        return await (_add if sub == "add" else _remove)(request, users)
    return [render_usage(USAGE)]


AREA = AdminArea(handler=handle, usage=USAGE)
