"""Who is an admin: the one check every admin command, button, form and file goes through.

Admins come from ADMIN_USER_IDS (the bootstrap: they cannot be removed from Slack), from
the database (`admin admins add`), and, when coach.yaml sets
``admins.workspace_admins_are_admins``, from Slack itself (workspace admins and owners,
asked with users.info and remembered briefly so a burst of commands costs one call).
"""

from __future__ import annotations

import logging
import time
import weakref

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from storage.repositories.admins import is_admin as stored_admin

log = logging.getLogger(__name__)

WORKSPACE_ROLE_CACHE_SECONDS = 60.0

_workspace_roles: weakref.WeakKeyDictionary[AsyncWebClient, dict[str, tuple[float, bool]]] = (
    weakref.WeakKeyDictionary()
)
"""Per Slack client (so per running bot): user id -> (checked at, is workspace admin)."""


async def is_admin(services: Services, slack_user_id: str) -> bool:
    """True for bootstrap, stored and (when enabled) workspace admins."""
    if not slack_user_id:
        return False
    if slack_user_id in services.runtime.settings.admin_ids:
        return True
    async with services.database.session() as session:
        if await stored_admin(session, slack_user_id):
            return True
    if services.runtime.config.coach.admins.workspace_admins_are_admins:
        return await is_workspace_admin(services.client, slack_user_id)
    return False


async def is_workspace_admin(client: AsyncWebClient, slack_user_id: str) -> bool:
    """Slack's is_admin/is_owner for the user; False when Slack cannot say (fail closed)."""
    cache = _workspace_roles.setdefault(client, {})
    now = time.monotonic()
    cached = cache.get(slack_user_id)
    if cached is not None and now - cached[0] < WORKSPACE_ROLE_CACHE_SECONDS:
        return cached[1]
    try:
        response = await client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        log.warning("users.info failed: %s", exc.response.get("error"))
        return False
    user = response.get("user") or {}
    answer = bool(user.get("is_admin") or user.get("is_owner")) and not user.get("deleted")
    cache[slack_user_id] = (now, answer)
    return answer
