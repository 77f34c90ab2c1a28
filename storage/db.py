"""Engines and sessions for SQLite (single replica) and PostgreSQL (several replicas).

Settings carry plain URLs (``sqlite:///./data/memo_coach.db``, ``postgresql://…``);
everything here runs on the async drivers, so the URL is translated in one place.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from storage.stale_connections import ping_only_stale_connections

SQLITE_ASYNC = "sqlite+aiosqlite"
POSTGRES_ASYNC = "postgresql+asyncpg"
SQLITE_BUSY_TIMEOUT_MS = 5000
POOL_SIZE = 20
"""PostgreSQL connections kept open per process. Bursts of job stages and intake writes
run more than five transactions at once; with SQLAlchemy's default of five kept, every
connection beyond them was opened (a new server process, type set-up, every statement
prepared again) and closed again: 475–490 new server sessions per short load run, 35
with twenty kept and handed out last-returned-first (benchmarks/RESULTS.md, sixth
round). Two replicas with their overflow stay well under PostgreSQL's default of 100
connections."""
ACCEPTED_FORMS = (
    "sqlite:///path/to/file.db, sqlite+aiosqlite:///path/to/file.db, "
    "postgresql://user:password@host:5432/db, postgres://…, postgresql+asyncpg://…"
)

_TO_ASYNC = {
    "sqlite": SQLITE_ASYNC,
    SQLITE_ASYNC: SQLITE_ASYNC,
    "postgresql": POSTGRES_ASYNC,
    "postgres": POSTGRES_ASYNC,
    POSTGRES_ASYNC: POSTGRES_ASYNC,
}


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        # Not echoed: it may hold a password.
        raise ValueError(f"DATABASE_URL is not a URL; use one of: {ACCEPTED_FORMS}") from exc


def async_database_url(url: str) -> str:
    """The async-driver form of a database URL; ValueError names the forms accepted."""
    parsed = _parse(url)
    driver = _TO_ASYNC.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"DATABASE_URL scheme {parsed.drivername!r} is not supported; use one of: "
            f"{ACCEPTED_FORMS}"
        )
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return async_database_url(url).startswith(SQLITE_ASYNC)


def _sqlite_path(url: URL) -> Path | None:
    """The database file, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _postgres_server_settings(url: URL) -> tuple[URL, dict[str, str]]:
    """Honour libpq's ``?options=-c name=value`` (e.g. a ``search_path`` per deployment),
    which asyncpg does not understand, by turning it into asyncpg server settings."""
    options = url.query.get("options")
    if options is None:
        return url, {}
    text = options if isinstance(options, str) else " ".join(options)
    settings: dict[str, str] = {}
    parts = text.replace("-c ", "-c").split()
    for part in parts:
        if not part.startswith("-c") or "=" not in part:
            raise ValueError(f"DATABASE_URL options {text!r}: only '-c name=value' is supported")
        name, value = part[2:].split("=", 1)
        settings[name] = value
    return url.difference_update_query(["options"]), settings


def _switch_to_wal(cursor: Any) -> None:
    """WAL is a property of the file, set once. Two connections switching a brand-new
    file at the same moment make one fail at once (SQLite's deadlock avoidance skips the
    busy handler), so retry briefly; it only happens the first time."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_pragmas(*, checkpoint_on_commit: bool) -> Callable[[Any, Any], None]:
    """The per-connection settings, as a connect listener: WAL lets readers work while
    one writer commits, busy_timeout makes writers queue instead of failing, foreign keys
    are off by default. Without ``checkpoint_on_commit``, SQLite's automatic checkpoint
    is off: it runs inside the commit that fills the WAL to 1,000 pages, and made that
    commit (a whole burst's intake) ~20 ms slower."""

    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
            cursor.execute("PRAGMA journal_mode")
            if cursor.fetchone()[0] != "wal":
                _switch_to_wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            if not checkpoint_on_commit:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
        finally:
            cursor.close()

    return set_pragmas


def create_engine(
    url: str, *, echo: bool = False, background_checkpoints: bool = False
) -> AsyncEngine:
    """An async engine with the per-dialect settings the repositories rely on.

    ``background_checkpoints`` (SQLite): commits never checkpoint the WAL; the owner
    calls :meth:`Database.checkpoint_wal` regularly instead (the bot does)."""
    parsed = make_url(async_database_url(url))
    if parsed.drivername == SQLITE_ASYNC:
        path = _sqlite_path(parsed)
        kwargs: dict[str, Any] = {}
        if path is None:
            # Every new connection to ":memory:" would be a new, empty database.
            kwargs["poolclass"] = StaticPool
        else:
            path.expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, echo=echo, hide_parameters=True, **kwargs)
        pragmas = _sqlite_pragmas(checkpoint_on_commit=not background_checkpoints)
        event.listen(engine.sync_engine, "connect", pragmas)
        return engine
    parsed, server_settings = _postgres_server_settings(parsed)
    connect_args: dict[str, Any] = {"timeout": 10}
    if server_settings:
        connect_args["server_settings"] = server_settings
    engine = create_async_engine(
        parsed,
        echo=echo,
        hide_parameters=True,  # SQL errors are logged: never with memo text in them
        pool_size=POOL_SIZE,
        max_overflow=10,
        pool_use_lifo=True,  # the warm connection, inside the ping-free window
        pool_timeout=30,
        pool_recycle=1800,
        connect_args=connect_args,
    )
    ping_only_stale_connections(engine)  # instead of pool_pre_ping: see the module
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (handlers render them later)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def sqlite_version() -> str:
    """The SQLite library version in use (shown by /ready; RETURNING needs >= 3.35)."""
    return sqlite3.sqlite_version


_HOLDS_SQLITE_WRITE_LOCK: ContextVar[bool] = ContextVar("holds_sqlite_write_lock", default=False)


class Database:
    """One engine and its session factory, created once per process."""

    def __init__(self, url: str, *, echo: bool = False, background_checkpoints: bool = False):
        """``background_checkpoints``: see :func:`create_engine` (SQLite; no effect on
        PostgreSQL, which checkpoints by itself)."""
        self.url = url
        self.engine = create_engine(url, echo=echo, background_checkpoints=background_checkpoints)
        self.sessionmaker = session_factory(self.engine)
        # SQLite has one writer at a time. Queueing this process's transactions here
        # (FIFO, no sleeping) replaces SQLite's busy handler, which sleeps up to 100 ms
        # between retries and let a burst of intakes and job claims take seconds.
        # busy_timeout still covers other processes (CLI commands, backups).
        self._sqlite_writes = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Anything uncommitted is rolled back on exit."""
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction that commits on success, rolls back on error."""
        async with self._write_turn(), self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        """On SQLite, wait for this process's other transactions (re-entrant per task)."""
        if self._sqlite_writes is None or _HOLDS_SQLITE_WRITE_LOCK.get():
            yield
            return
        async with self._sqlite_writes:
            token = _HOLDS_SQLITE_WRITE_LOCK.set(True)
            try:
                yield
            finally:
                _HOLDS_SQLITE_WRITE_LOCK.reset(token)

    async def checkpoint_wal(self) -> tuple[int, int, int]:
        """Copy what the SQLite WAL holds into the database file, without waiting for
        readers or writers (PASSIVE): SQLite's ``(busy, wal_pages, pages_copied)``."""
        async with self.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            busy, wal_pages, copied = (int(value) for value in result.one())
        return busy, wal_pages, copied

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query (for /ready)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
