"""Who is an admin: the one check every admin command, button and file goes through."""

from __future__ import annotations

from bot.services import Services
from storage.repositories.admins import is_admin as stored_admin


async def is_admin(services: Services, slack_user_id: str) -> bool:
    """Admins from ADMIN_USER_IDS (bootstrap) or added later (stored in the database)."""
    if slack_user_id in services.runtime.settings.admin_ids:
        return True
    async with services.database.session() as session:
        return await stored_admin(session, slack_user_id)
