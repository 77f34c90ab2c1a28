"""Slack users as the coach knows them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from storage.models import User
from storage.repositories._sql import (
    POPULATE_EXISTING,
    column_arrays,
    dialect_name,
    unnested_rows,
    upsert,
    upsert_into,
)
from storage.repositories.submissions import Author


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


async def upsert_users(
    session: AsyncSession, teams: Mapping[str, str | None], known: Mapping[str, Author]
) -> dict[str, int]:
    """Ids of these Slack users (``{slack_user_id: team_id}``), given those already known
    (:func:`~storage.repositories.submissions.authors`, read in the same transaction).
    New ones, or a changed team, take one INSERT … ON CONFLICT … RETURNING for them all,
    matched back by Slack id. Rows go in a fixed order so two replicas upserting the same
    users cannot deadlock. A known team id is never replaced by None."""
    ids = {
        slack_id: known[slack_id].user_id
        for slack_id, team in teams.items()
        if slack_id in known and team in (None, known[slack_id].team_id)
    }
    changed = sorted((slack_id, team) for slack_id, team in teams.items() if slack_id not in ids)
    if changed:
        dialect = dialect_name(session)
        rows = [{"slack_user_id": slack_id, "team_id": team} for slack_id, team in changed]
        result = await session.execute(
            _upsert_teams(dialect),
            column_arrays(_USERS, _UPSERTED, rows) if dialect == "postgresql" else rows,
        )
        ids.update({slack_id: user_id for slack_id, user_id in result})
    return ids


_USERS = cast(Table, User.__table__)
_UPSERTED = ("slack_user_id", "team_id")


@functools.cache
def _upsert_teams(dialect: str) -> ReturningInsert[str, int]:
    """New users are inserted; a known one takes the given team, unless that is None.
    PostgreSQL takes the rows as arrays, other databases as an executemany."""
    statement = upsert_into(dialect, _USERS)
    if dialect == "postgresql":
        statement = statement.from_select(_UPSERTED, unnested_rows(_USERS, _UPSERTED))
    return statement.on_conflict_do_update(
        index_elements=[User.slack_user_id],
        set_={"team_id": func.coalesce(statement.excluded.team_id, User.team_id)},
    ).returning(User.slack_user_id, User.id)


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_slack_id(session: AsyncSession, slack_user_id: str) -> User | None:
    result = await session.scalars(select(User).where(User.slack_user_id == slack_user_id))
    return result.one_or_none()
