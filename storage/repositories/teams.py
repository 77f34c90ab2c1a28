"""Which members each manager sees in the weekly digest and team progress."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TeamMembership, User
from storage.repositories._sql import affected, upsert


async def add_team_member(session: AsyncSession, manager_user_id: int, member_user_id: int) -> bool:
    """True if newly added, False if already on the team."""
    result = await session.scalars(
        upsert(session, TeamMembership)
        .values(manager_user_id=manager_user_id, member_user_id=member_user_id)
        .on_conflict_do_nothing(
            index_elements=[TeamMembership.manager_user_id, TeamMembership.member_user_id]
        )
        .returning(TeamMembership.id)
    )
    return result.one_or_none() is not None


async def remove_team_member(
    session: AsyncSession, manager_user_id: int, member_user_id: int
) -> bool:
    result = await session.execute(
        delete(TeamMembership).where(
            TeamMembership.manager_user_id == manager_user_id,
            TeamMembership.member_user_id == member_user_id,
        )
    )
    return affected(result) > 0


async def set_team(
    session: AsyncSession, manager_user_id: int, member_user_ids: Iterable[int]
) -> None:
    """Replace the manager's team with exactly ``member_user_ids``."""
    wanted = set(member_user_ids)
    await session.execute(
        delete(TeamMembership).where(
            TeamMembership.manager_user_id == manager_user_id,
            TeamMembership.member_user_id.not_in(wanted),
        )
    )
    for member_user_id in sorted(wanted):
        await add_team_member(session, manager_user_id, member_user_id)


async def list_team(session: AsyncSession, manager_user_id: int) -> list[User]:
    """The manager's members, by display name (then Slack id)."""
    result = await session.scalars(
        select(User)
        .join(TeamMembership, TeamMembership.member_user_id == User.id)
        .where(TeamMembership.manager_user_id == manager_user_id)
        .order_by(User.display_name, User.slack_user_id)
    )
    return list(result)


async def managers_of(session: AsyncSession, member_user_id: int) -> list[User]:
    result = await session.scalars(
        select(User)
        .join(TeamMembership, TeamMembership.manager_user_id == User.id)
        .where(TeamMembership.member_user_id == member_user_id)
        .order_by(User.display_name, User.slack_user_id)
    )
    return list(result)


async def managers_with_teams(session: AsyncSession) -> list[User]:
    """Everyone who manages at least one member (who gets a weekly digest)."""
    managers = select(TeamMembership.manager_user_id).distinct()
    result = await session.scalars(select(User).where(User.id.in_(managers)).order_by(User.id))
    return list(result)
