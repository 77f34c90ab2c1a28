"""Coach admins added from Slack (on top of ADMIN_USER_IDS from the environment)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Admin
from storage.repositories._sql import affected, upsert


async def add_admin(
    session: AsyncSession, slack_user_id: str, *, added_by: str | None = None
) -> bool:
    """True if newly added, False if already an admin."""
    result = await session.scalars(
        upsert(session, Admin)
        .values(slack_user_id=slack_user_id, added_by=added_by)
        .on_conflict_do_nothing(index_elements=[Admin.slack_user_id])
        .returning(Admin.id)
    )
    return result.one_or_none() is not None


async def remove_admin(session: AsyncSession, slack_user_id: str) -> bool:
    """True if they were an admin."""
    result = await session.execute(delete(Admin).where(Admin.slack_user_id == slack_user_id))
    return affected(result) > 0


async def is_admin(session: AsyncSession, slack_user_id: str) -> bool:
    found = await session.scalar(select(Admin.id).where(Admin.slack_user_id == slack_user_id))
    return found is not None


async def list_admins(session: AsyncSession) -> list[Admin]:
    """Oldest first."""
    return list(await session.scalars(select(Admin).order_by(Admin.created_at, Admin.id)))
