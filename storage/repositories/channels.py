"""Channels where the coach reviews memos posted by anyone."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CoachingChannel
from storage.repositories._sql import affected, upsert


async def add_coaching_channel(
    session: AsyncSession, channel_id: str, *, added_by: str | None = None
) -> bool:
    """True if newly added, False if it was already a coaching channel."""
    result = await session.scalars(
        upsert(session, CoachingChannel)
        .values(channel_id=channel_id, added_by=added_by)
        .on_conflict_do_nothing(index_elements=[CoachingChannel.channel_id])
        .returning(CoachingChannel.id)
    )
    return result.one_or_none() is not None


async def remove_coaching_channel(session: AsyncSession, channel_id: str) -> bool:
    result = await session.execute(
        delete(CoachingChannel).where(CoachingChannel.channel_id == channel_id)
    )
    return affected(result) > 0


async def is_coaching_channel(session: AsyncSession, channel_id: str) -> bool:
    found = await session.scalar(
        select(CoachingChannel.id).where(CoachingChannel.channel_id == channel_id)
    )
    return found is not None


async def list_coaching_channels(session: AsyncSession) -> list[CoachingChannel]:
    """Oldest first."""
    return list(
        await session.scalars(
            select(CoachingChannel).order_by(CoachingChannel.created_at, CoachingChannel.id)
        )
    )
