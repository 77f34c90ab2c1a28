"""Submissions: Slack retries and duplicate file events find the first delivery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import Submission, User
from storage.repositories.submissions import (
    create_submission,
    find_submission,
    get_submission,
    set_submission_status,
    submissions_since,
)
from storage.repositories.users import upsert_user
from tests.storage import factories


async def _user(database: Database, slack_user_id: str = "U1") -> User:
    async with database.transaction() as session:
        return await upsert_user(session, slack_user_id)


async def _count(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Submission)) or 0)


async def test_create_stores_the_memo(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        submission, created = await create_submission(
            session,
            user=owner,
            source="slash_command",
            memo_text="Ship it.",
            channel_id="C1",
            thread_ts="1.1",
            message_ts="1.2",
            audience="CFO",
            slack_event_id="Ev1",
        )
    assert created
    async with database.session() as session:
        stored = await get_submission(session, submission.id)
    assert stored is not None
    assert (stored.memo_text, stored.memo_chars, stored.status) == ("Ship it.", 8, "received")
    assert (stored.user_id, stored.audience, stored.thread_ts) == (owner.id, "CFO", "1.1")
    assert stored.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    "keys",
    [
        {"slack_event_id": "Ev1"},
        {"file_id": "F1"},
        {"channel_id": "C1", "message_ts": "1700000000.000100"},
    ],
    ids=["event_id", "file_id", "channel_message_ts"],
)
async def test_duplicate_delivery_returns_the_existing_row(
    database: Database, keys: dict[str, str]
) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        first, created = await create_submission(
            session, user=owner, source="dm", memo_text="first", **keys
        )
    assert created
    async with database.transaction() as session:
        second, created = await create_submission(
            session, user=owner, source="file", memo_text="retry", **keys
        )
    assert not created
    assert second.id == first.id
    assert second.memo_text == "first"
    assert await _count(database) == 1


async def test_any_one_matching_key_is_a_duplicate(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        first, _ = await create_submission(
            session, user=owner, source="file", memo_text="m", file_id="F1", slack_event_id="E1"
        )
        again, created = await create_submission(
            session, user=owner, source="file", memo_text="m", file_id="F1", slack_event_id="E2"
        )
    assert not created
    assert again.id == first.id


async def test_null_keys_never_collide(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        for _ in range(3):
            _, created = await create_submission(
                session, user=owner, source="cli", memo_text="m", channel_id="C1"
            )
            assert created
    assert await _count(database) == 3


@pytest.mark.parametrize(
    "keys",
    [
        {"slack_event_id": "Ev-race"},
        {"file_id": "F-race"},
        {"channel_id": "C", "message_ts": "9.9"},
    ],
    ids=["event_id", "file_id", "channel_message_ts"],
)
async def test_concurrent_duplicates_make_one_row(database: Database, keys: dict[str, str]) -> None:
    owner = await _user(database)

    async def deliver(index: int) -> tuple[int, bool]:
        async with database.transaction() as session:
            submission, created = await create_submission(
                session, user=owner, source="dm", memo_text=f"copy {index}", **keys
            )
            return submission.id, created

    results = await asyncio.gather(*(deliver(i) for i in range(10)))
    assert len({submission_id for submission_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await _count(database) == 1


async def test_find_submission(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        memo = await factories.submission(session, owner, channel_id="C9", message_ts="5.5")
        assert (await find_submission(session, channel_id="C9", message_ts="5.5")) is memo
        assert await find_submission(session, channel_id="C9") is None  # ts needed too
        assert await find_submission(session) is None


async def test_status_updates(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        memo = await factories.submission(session, owner)
        created_updated_at = memo.updated_at
    async with database.transaction() as session:
        assert await set_submission_status(session, memo.id, "queued")
        assert not await set_submission_status(session, memo.id + 999, "done")
    async with database.session() as session:
        stored = await get_submission(session, memo.id)
    assert stored is not None
    assert stored.status == "queued"
    assert stored.updated_at >= created_updated_at


async def test_status_and_source_are_checked(database: Database) -> None:
    owner = await _user(database)
    async with database.session() as session:
        memo = await factories.submission(session, owner)
        with pytest.raises(IntegrityError):
            await set_submission_status(session, memo.id, "bogus")  # type: ignore[arg-type]
        await session.rollback()
        with pytest.raises(IntegrityError):
            await create_submission(
                session,
                user=owner,
                source="carrier_pigeon",
                memo_text="m",  # type: ignore[arg-type]
            )


async def test_submissions_since(database: Database) -> None:
    owner = await _user(database)
    other = await _user(database, "U2")
    async with database.transaction() as session:
        for _ in range(3):
            await factories.submission(session, owner)
        await factories.submission(session, other)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    async with database.session() as session:
        count, oldest = await submissions_since(session, owner.id, hour_ago)
        assert count == 3
        assert oldest is not None
        assert hour_ago < oldest <= datetime.now(UTC)
        assert await submissions_since(session, owner.id, datetime.now(UTC)) == (0, None)


async def test_foreign_keys_are_enforced(database: Database) -> None:
    ghost = User(id=424242, slack_user_id="ghost")
    async with database.session() as session:
        with pytest.raises(IntegrityError):
            await create_submission(session, user=ghost, source="dm", memo_text="m")
