"""Slack users as the coach knows them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User
from storage.repositories._sql import POPULATE_EXISTING, upsert


async def upsert_user(
    session: AsyncSession,
    slack_user_id: str,
    *,
    team_id: str | None = None,
    display_name: str | None = None,
    tz: str | None = None,
) -> User:
    """The user with this Slack id, created if new; given (non-None) fields are updated.

    One INSERT … ON CONFLICT statement, so concurrent first messages from the same person
    cannot create two rows or fail.
    """
    changes: dict[str, Any] = {
        name: value
        for name, value in (("team_id", team_id), ("display_name", display_name), ("tz", tz))
        if value is not None
    }
    statement = upsert(session, User).values(slack_user_id=slack_user_id, **changes)
    if changes:
        statement = statement.on_conflict_do_update(
            index_elements=[User.slack_user_id],
            set_={name: statement.excluded[name] for name in changes},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=[User.slack_user_id])
    result = await session.scalars(statement.returning(User), execution_options=POPULATE_EXISTING)
    user = result.one_or_none()
    if user is None:  # it already existed and nothing changed
        user = await get_user_by_slack_id(session, slack_user_id)
    if user is None:  # pragma: no cover - the conflict proves the row exists
        raise LookupError(f"user {slack_user_id} vanished during upsert")
    return user


async def upsert_users(session: AsyncSession, teams: Mapping[str, str | None]) -> dict[str, int]:
    """Ids of these Slack users (``{slack_user_id: team_id}``). Known users cost one
    SELECT; new ones (or a changed team) one INSERT … ON CONFLICT … RETURNING for them all,
    matched back by Slack id. Rows go in a fixed order so two replicas upserting the same
    users cannot deadlock. A known team id is never replaced by None."""
    if not teams:
        return {}
    known = await session.execute(
        select(User.slack_user_id, User.id, User.team_id).where(User.slack_user_id.in_(teams))
    )
    ids: dict[str, int] = {}
    for slack_id, user_id, team in known:
        if teams[slack_id] in (None, team):
            ids[slack_id] = user_id
    changed = sorted((slack_id, team) for slack_id, team in teams.items() if slack_id not in ids)
    if changed:
        statement = upsert(session, User)
        statement = statement.on_conflict_do_update(
            index_elements=[User.slack_user_id],
            set_={"team_id": func.coalesce(statement.excluded.team_id, User.team_id)},
        )
        rows = await session.execute(
            statement.returning(User.slack_user_id, User.id),
            [{"slack_user_id": slack_id, "team_id": team} for slack_id, team in changed],
        )
        ids.update({slack_id: user_id for slack_id, user_id in rows})
    return ids


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_slack_id(session: AsyncSession, slack_user_id: str) -> User | None:
    result = await session.scalars(select(User).where(User.slack_user_id == slack_user_id))
    return result.one_or_none()
