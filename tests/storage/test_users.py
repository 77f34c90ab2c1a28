"""upsert_user: idempotent, updates only what is given, safe under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC

from sqlalchemy import func, select

from storage.db import Database
from storage.models import User
from storage.repositories.users import get_user, get_user_by_slack_id, upsert_user


async def test_upsert_creates_then_returns_the_same_row(database: Database) -> None:
    async with database.transaction() as session:
        first = await upsert_user(session, "U1", team_id="T1", display_name="Ana", tz="UTC")
    async with database.transaction() as session:
        again = await upsert_user(session, "U1")
    assert again.id == first.id
    assert (again.team_id, again.display_name, again.tz) == ("T1", "Ana", "UTC")
    assert again.created_at.tzinfo is UTC


async def test_upsert_updates_given_fields_and_keeps_the_rest(database: Database) -> None:
    async with database.transaction() as session:
        await upsert_user(session, "U1", team_id="T1", display_name="Ana", tz="UTC")
    async with database.transaction() as session:
        updated = await upsert_user(session, "U1", display_name="Ana B.", tz="Europe/Madrid")
    async with database.session() as session:
        stored = await get_user_by_slack_id(session, "U1")
        assert stored is not None
        assert await get_user(session, stored.id) is stored
    assert updated.display_name == stored.display_name == "Ana B."
    assert stored.tz == "Europe/Madrid"
    assert stored.team_id == "T1"


async def test_upsert_refreshes_a_stale_object_in_the_session(database: Database) -> None:
    async with database.session() as session:
        user = await upsert_user(session, "U1", display_name="Old")
        await upsert_user(session, "U1", display_name="New")
        assert user.display_name == "New"


async def test_concurrent_upserts_make_one_row(database: Database) -> None:
    async def upsert(index: int) -> int:
        async with database.transaction() as session:
            user = await upsert_user(session, "U-race", display_name=f"name {index}")
            return user.id

    ids = await asyncio.gather(*(upsert(i) for i in range(10)))
    assert len(set(ids)) == 1
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_unknown_user(database: Database) -> None:
    async with database.session() as session:
        assert await get_user_by_slack_id(session, "nobody") is None
        assert await get_user(session, 12345) is None
