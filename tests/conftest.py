"""Shared database fixtures: every storage-backed test runs on SQLite and PostgreSQL.

``database_url`` is a plain URL string (what DATABASE_URL would hold), so CLI and Slack
tests can hand it to the code under test unchanged. PostgreSQL tests get a fresh schema
each (selected through the URL's ``options=-csearch_path=…``), which is much faster than a
database per test. Without a server they skip, unless MEMO_COACH_REQUIRE_POSTGRES=1
(CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.migrate import upgrade_database

POSTGRES_URL_ENV = "MEMO_COACH_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "MEMO_COACH_REQUIRE_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

_postgres_problem: dict[str, str | None] = {}
"""Per server URL: None when reachable, else why not (probed once per run)."""


def postgres_server_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL


def _libpq_url(url: str) -> str:
    """asyncpg takes plain postgresql:// DSNs, not SQLAlchemy driver URLs."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _probe(url: str) -> str | None:
    if url not in _postgres_problem:
        try:
            connection = await asyncpg.connect(_libpq_url(url), timeout=5)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            _postgres_problem[url] = f"{type(exc).__name__}: {exc}"
        else:
            await connection.close()
            _postgres_problem[url] = None
    return _postgres_problem[url]


async def require_postgres() -> str:
    """The server URL, or skip (fail when MEMO_COACH_REQUIRE_POSTGRES=1) if unreachable."""
    url = postgres_server_url()
    problem = await _probe(url)
    if problem is not None:
        shown = make_url(url).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL not reachable at {shown}: {problem}. "
            f"Set {POSTGRES_URL_ENV} or start PostgreSQL"
        )
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


@asynccontextmanager
async def postgres_schema_url() -> AsyncIterator[str]:
    """A URL whose connections use a new, empty schema; dropped afterwards."""
    server = await require_postgres()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(_libpq_url(server), timeout=5)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        await admin.execute("SET lock_timeout = '10s'")
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'memo_coach.db'}"


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database (not migrated) on each backend, as a plain DATABASE_URL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    async with postgres_schema_url() as url:
        yield url


@pytest.fixture
async def sqlite_database_url(tmp_path: Path) -> str:
    """For tests about SQLite specifically."""
    return sqlite_url(tmp_path)


@pytest.fixture
async def postgres_database_url() -> AsyncIterator[str]:
    """For tests about PostgreSQL specifically (skips/fails like ``database_url``)."""
    async with postgres_schema_url() as url:
        yield url


DatabaseFactory = Callable[[str], Awaitable[Database]]


@pytest.fixture
async def database_factory() -> AsyncIterator[DatabaseFactory]:
    """Open extra Database objects (e.g. a second "replica"); all disposed afterwards."""
    opened: list[Database] = []

    async def open_database(url: str) -> Database:
        database = Database(url)
        opened.append(database)
        return database

    yield open_database
    for database in opened:
        await database.dispose()


@pytest.fixture
async def database(database_url: str, database_factory: DatabaseFactory) -> Database:
    """A migrated database on each backend."""
    await upgrade_database(database_url)
    return await database_factory(database_url)


@pytest.fixture
async def db_session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session on the migrated database; tests commit when they need to."""
    async with database.session() as session:
        yield session


pytest_plugins = ["tests.fakes.fixtures"]
