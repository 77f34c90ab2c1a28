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
    DeliveryKeys,
    authors,
    create_submission,
    get_submission,
    insert_submissions,
    record_delivery,
    set_submission_status,
    submission_and_author,
    submissions_matching,
)
from storage.repositories.users import upsert_user, upsert_users
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


async def test_a_job_loads_the_memo_and_its_author_and_records_its_end_at_once(
    database: Database,
) -> None:
    owner = await _user(database, "UAUTHOR")
    async with database.transaction() as session:
        memo = await factories.submission(session, owner)
    async with database.transaction() as session:
        found = await submission_and_author(session, memo.id)
        assert await submission_and_author(session, memo.id + 999) is None
        await record_delivery(session, memo.id, reply_channel_id="D1", status_ts="2.1")
        await record_delivery(session, memo.id, parts_posted=3, status="done")
    assert found is not None
    assert (found[0].id, found[1]) == (memo.id, "UAUTHOR")
    async with database.session() as session:
        stored = await get_submission(session, memo.id)
    assert stored is not None
    assert (stored.reply_channel_id, stored.status_ts) == ("D1", "2.1")
    assert (stored.parts_posted, stored.status) == (3, "done")


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


async def test_submissions_matching_any_delivery_key(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        message = await factories.submission(session, owner, channel_id="C9", message_ts="5.5")
        event = await factories.submission(session, owner, slack_event_id="Ev1")
        shared = await factories.submission(session, owner, file_id="F1")
        await factories.submission(session, owner, channel_id="C9", message_ts="6.6")

        async def ids(*wanted: DeliveryKeys) -> list[int]:
            return [found for found, _ in await submissions_matching(session, wanted)]

        assert await ids(DeliveryKeys(channel_id="C9", message_ts="5.5")) == [message.id]
        assert await ids(DeliveryKeys(channel_id="C9")) == []  # the ts is needed too
        assert await ids(DeliveryKeys()) == []
        both = DeliveryKeys(slack_event_id="Ev1", file_id="F1")
        assert await ids(both, DeliveryKeys(file_id="F-unknown")) == [event.id, shared.id]
        [(_, keys)] = await submissions_matching(session, [DeliveryKeys(file_id="F1")])
        assert ("file", "F1") in keys.identities()


async def test_insert_submissions_returns_ids_in_the_order_given(database: Database) -> None:
    owner = await _user(database)
    texts = [f"memo number {i}" for i in range(120)]
    async with database.transaction() as session:
        ids = await insert_submissions(
            session,
            [
                {"user_id": owner.id, "source": "dm", "memo_text": t, "status": "queued"}
                for t in texts
            ],
        )
    assert len(set(ids)) == len(texts)
    async with database.session() as session:
        for submission_id, text in zip(ids, texts, strict=True):
            stored = await get_submission(session, submission_id)
            assert stored is not None
            assert (stored.memo_text, stored.memo_chars, stored.parts_posted) == (
                text,
                len(text),
                0,
            )


async def test_insert_submissions_from_concurrent_batches_keeps_each_id_with_its_row(
    database: Database,
) -> None:
    """Two batches inserted at once draw ids from one sequence, interleaved; each batch's
    ids still come back in its own row order (on PostgreSQL they are sorted, not read)."""
    owner = await _user(database)

    async def batch(name: str) -> dict[int, str]:
        texts = [f"{name} memo {i}" for i in range(100)]
        rows = [
            {"user_id": owner.id, "source": "dm", "memo_text": t, "status": "queued"} for t in texts
        ]
        async with database.transaction() as session:
            return dict(zip(await insert_submissions(session, rows), texts, strict=True))

    first, second = await asyncio.gather(batch("first"), batch("second"))
    async with database.session() as session:
        stored = dict((await session.execute(select(Submission.id, Submission.memo_text))).all())
    assert stored == first | second


async def test_insert_submissions_fills_left_out_columns_and_keeps_json(
    database: Database,
) -> None:
    owner = await _user(database)
    files = [{"id": "F1", "name": "memo.docx", "size": 1200}]
    rows = [
        {"user_id": owner.id, "source": "file", "memo_text": "", "files": files},
        {"user_id": owner.id, "source": "dm", "memo_text": "Ship it.", "thread_ts": "1.2"},
    ]
    async with database.transaction() as session:
        ids = await insert_submissions(session, rows)
    async with database.session() as session:
        shared, typed = [await get_submission(session, i) for i in ids]
    assert shared is not None
    assert typed is not None
    assert (shared.files, shared.status, shared.parts_posted, shared.memo_chars) == (
        files,
        "received",
        0,
        0,
    )
    assert (typed.files, typed.thread_ts, typed.memo_chars) == (None, "1.2", 8)


async def test_insert_submissions_refuses_a_key_that_is_not_a_column(database: Database) -> None:
    owner = await _user(database)
    with pytest.raises(ValueError, match="colour"):
        async with database.transaction() as session:
            await insert_submissions(
                session, [{"user_id": owner.id, "source": "dm", "memo_text": "m", "colour": "red"}]
            )


async def test_insert_submissions_refuses_a_stored_delivery_key(database: Database) -> None:
    owner = await _user(database)
    async with database.transaction() as session:
        await factories.submission(session, owner, slack_event_id="Ev1")
    row = {"user_id": owner.id, "source": "dm", "memo_text": "m", "slack_event_id": "Ev1"}
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await insert_submissions(session, [row])


async def test_upsert_users_creates_new_and_keeps_known_teams(database: Database) -> None:
    known = await _user(database, "U-known")

    async def upsert(teams: dict[str, str | None]) -> dict[str, int]:
        async with database.transaction() as session:
            known = await authors(session, teams, datetime.now(UTC))
            return await upsert_users(session, teams, known)

    ids = await upsert({"U-known": None, "U-new": "T9", "U-bare": None})
    assert ids["U-known"] == known.id
    assert len(set(ids.values())) == 3
    again = await upsert({"U-new": None, "U-bare": "T2"})
    assert again == {"U-new": ids["U-new"], "U-bare": ids["U-bare"]}
    async with database.session() as session:
        teams = dict((await session.execute(select(User.slack_user_id, User.team_id))).all())
    assert teams == {"U-known": None, "U-new": "T9", "U-bare": "T2"}


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


async def test_authors_come_with_their_memos_in_the_window(database: Database) -> None:
    owner = await _user(database)
    other = await _user(database, "U2")
    quiet = await _user(database, "U3")
    async with database.transaction() as session:
        for _ in range(3):
            await factories.submission(session, owner)
        await factories.submission(session, other)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    async with database.session() as session:
        found = await authors(session, ["U1", "U2", "U3", "U-unknown"], hour_ago)
        assert set(found) == {"U1", "U2", "U3"}
        assert (found["U1"].user_id, found["U1"].team_id, found["U1"].recent) == (
            owner.id,
            None,
            3,
        )
        oldest = found["U1"].oldest_recent
        assert oldest is not None
        assert hour_ago < oldest <= datetime.now(UTC)
        assert (found["U2"].user_id, found["U2"].recent) == (other.id, 1)
        assert (found["U3"].user_id, found["U3"].recent, found["U3"].oldest_recent) == (
            quiet.id,
            0,
            None,
        )
        later = await authors(session, ["U1"], datetime.now(UTC))
        assert (later["U1"].recent, later["U1"].oldest_recent) == (0, None)
        assert await authors(session, [], hour_ago) == {}


async def test_foreign_keys_are_enforced(database: Database) -> None:
    ghost = User(id=424242, slack_user_id="ghost")
    async with database.session() as session:
        with pytest.raises(IntegrityError):
            await create_submission(session, user=ghost, source="dm", memo_text="m")
