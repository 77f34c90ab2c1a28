"""Engine set-up: URL translation, SQLite pragmas, sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database, async_database_url, create_engine, is_sqlite, sqlite_version
from storage.repositories.admins import add_admin, list_admins


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///./data/memo_coach.db", "sqlite+aiosqlite:///./data/memo_coach.db"),
        ("sqlite:////abs/path.db", "sqlite+aiosqlite:////abs/path.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p%40ss@db:5432/coach", "postgresql+asyncpg://u:p%40ss@db:5432/coach"),
        ("postgres://u@db/coach", "postgresql+asyncpg://u@db/coach"),
        ("postgresql+asyncpg://u@db/coach", "postgresql+asyncpg://u@db/coach"),
    ],
)
def test_async_database_url(url: str, expected: str) -> None:
    assert async_database_url(url) == expected


@pytest.mark.parametrize(
    "url", ["mysql://u@db/x", "postgresql+psycopg2://u@db/x", "not a url", "", "http://x"]
)
def test_unsupported_urls_name_the_accepted_forms(url: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite:///.*postgresql://"):
        async_database_url(url)


def test_is_sqlite() -> None:
    assert is_sqlite("sqlite:///x.db")
    assert not is_sqlite("postgres://u@h/db")


def test_sqlite_version_is_recent_enough_for_returning() -> None:
    major, minor, *_ = (int(part) for part in sqlite_version().split("."))
    assert (major, minor) >= (3, 35)


async def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "coach.db"
    database = Database(f"sqlite:///{path}")
    try:
        async with database.session() as session:
            assert await session.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()
    assert path.exists()


async def test_sqlite_pragmas_on_every_connection(sqlite_database_url: str) -> None:
    engine = create_engine(sqlite_database_url)
    try:
        for _ in range(2):  # a pooled connection and a fresh one
            async with engine.connect() as connection:
                assert (await connection.scalar(text("PRAGMA journal_mode"))) == "wal"
                assert (await connection.scalar(text("PRAGMA foreign_keys"))) == 1
                assert (await connection.scalar(text("PRAGMA busy_timeout"))) == 5000
                assert (await connection.scalar(text("PRAGMA synchronous"))) == 1  # NORMAL
            await engine.dispose()
    finally:
        await engine.dispose()


async def test_with_background_checkpoints_commits_leave_the_wal_to_the_owner(
    tmp_path: Path,
) -> None:
    """The bot's database: no commit checkpoints (it made one burst's intake ~20 ms
    slower in ten); ``checkpoint_wal`` copies the WAL into the database file instead."""
    path = tmp_path / "coach.db"
    plain, owned = (
        Database(f"sqlite:///{path}"),
        Database(f"sqlite:///{path}", background_checkpoints=True),
    )
    try:
        async with plain.engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA wal_autocheckpoint")) == 1000
        async with owned.transaction() as session:
            await session.execute(text("CREATE TABLE t (x TEXT)"))
        size_before = path.stat().st_size
        for _ in range(5):  # well past a page per transaction
            async with owned.transaction() as session:
                for _ in range(20):
                    await session.execute(text("INSERT INTO t VALUES (:x)"), {"x": "m" * 500})
        async with owned.engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA wal_autocheckpoint")) == 0
        assert path.stat().st_size == size_before, "a commit checkpointed"
        busy, wal_pages, copied = await owned.checkpoint_wal()
        assert (busy, copied) == (0, wal_pages)
        assert wal_pages > 5
        assert path.stat().st_size > size_before + 5 * 4096
        async with plain.session() as session:
            assert await session.scalar(text("SELECT count(*) FROM t")) == 100
    finally:
        await owned.dispose()
        await plain.dispose()


async def test_in_memory_sqlite_keeps_one_database() -> None:
    database = Database("sqlite:///:memory:")
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
        async with database.session() as session:
            assert await session.scalar(text("SELECT count(*) FROM t")) == 1
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_postgres_settings_from_url_options(postgres_database_url: str) -> None:
    """libpq's ``options=-c name=value`` works although asyncpg has no such parameter."""
    assert "search_path" in postgres_database_url
    url = make_url(postgres_database_url)
    options = f"{url.query['options']} -c application_name=memo-coach-test"
    database = Database(
        url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    )
    try:
        await database.ping()
        async with database.session() as session:
            schema = await session.scalar(text("SELECT current_schema()"))
            name = await session.scalar(text("SHOW application_name"))
        assert schema is not None
        assert schema.startswith("test_")
        assert name == "memo-coach-test"
        assert database.dialect == "postgresql"
    finally:
        await database.dispose()


def test_postgres_options_other_than_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="-c name=value"):
        create_engine("postgresql://u@h/db?options=--verbose")


async def test_transaction_commits_and_rolls_back(database: Database) -> None:
    async with database.transaction() as session:
        await add_admin(session, "UA")

    async def fail_midway() -> None:
        async with database.transaction() as session:
            await add_admin(session, "UB")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_midway()
    async with database.session() as session:
        assert [admin.slack_user_id for admin in await list_admins(session)] == ["UA"]


def test_errors_do_not_echo_passwords() -> None:
    for url in ("mysql://u:hunter2@db/x", "hunter2 not a url"):
        with pytest.raises(ValueError, match="DATABASE_URL") as raised:
            async_database_url(url)
        assert "hunter2" not in str(raised.value)
