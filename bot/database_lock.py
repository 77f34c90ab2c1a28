"""Who is using a database: every running bot holds a shared lock for as long as it runs,
and a restore takes the same lock exclusively, so neither can start while the other is
at work.

- SQLite: an ``flock`` on ``<database>.lock``. It belongs to the open file, so the kernel
  drops it however the process ends (SIGKILL, OOM, a crashed container): no stale lock
  files, no pid guessing, no heartbeat to age out. Containers sharing one Docker volume
  share the host kernel, so it works between them too.
- PostgreSQL: a session advisory lock (keyed by the schema in use) on a connection the
  bot keeps open; the server drops it when that connection ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database, async_database_url, is_sqlite

LOCK_SUFFIX = ".lock"
RUN_LOCK_CLASS = 0x4D43_5255  # "MCRU": first half of the advisory lock key
RESTORE_RUNNING = "a restore is running on {where}; start the bot again when it has finished"
BOT_RUNNING = (
    "a Memo Coach bot is running against {where}: stop it first (docker compose stop bot, "
    "or SIGTERM / Ctrl-C `memo-coach run`), then restore"
)


class DatabaseBusy(RuntimeError):
    """The lock is held the other way (a bot is running, or a restore is)."""


class HeldLock(Protocol):
    async def release(self) -> None: ...

    async def ensure_held(self) -> None:
        """Take the lock again if it was lost; DatabaseBusy if a restore got in first."""


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file of a DATABASE_URL; None for PostgreSQL or ``:memory:``."""
    if not is_sqlite(database_url):
        return None
    database = make_url(async_database_url(database_url)).database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


@dataclass
class FileLock:
    path: Path
    fd: int | None

    async def release(self) -> None:
        self.release_now()

    async def ensure_held(self) -> None:
        """Nothing to do: the kernel keeps the lock while the descriptor is open."""

    def release_now(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def lock_file(database_file: Path, *, exclusive: bool) -> FileLock:
    path = database_file.with_name(database_file.name + LOCK_SUFFIX)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        message = BOT_RUNNING if exclusive else RESTORE_RUNNING
        raise DatabaseBusy(message.format(where=database_file)) from None
    return FileLock(path, fd)


@dataclass
class AdvisoryLock:
    connection: AsyncConnection | None
    exclusive: bool

    async def alive(self) -> bool:
        """The lock's connection still answers (a PostgreSQL restart or failover ends
        the session, and its advisory locks with it)."""
        if self.connection is None:
            return False
        try:
            await self.connection.execute(select(1))
            await self.connection.commit()
        except SQLAlchemyError:
            return False
        return True

    async def release(self) -> None:
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        unlock = func.pg_advisory_unlock if self.exclusive else func.pg_advisory_unlock_shared
        try:
            await connection.execute(select(unlock(RUN_LOCK_CLASS, _schema_key())))
            await connection.commit()
        except SQLAlchemyError:
            pass  # the connection died (server restart, failover), and the lock with it
        finally:
            with contextlib.suppress(SQLAlchemyError):
                await connection.close()


def _schema_key() -> object:
    return func.hashtext(func.current_schema())


async def lock_postgres(database: Database, *, exclusive: bool) -> AdvisoryLock:
    """Hold the run lock on a connection of ``database`` until ``release``."""
    connection = await database.engine.connect()
    try:
        try_lock = func.pg_try_advisory_lock if exclusive else func.pg_try_advisory_lock_shared
        held = await connection.scalar(select(try_lock(RUN_LOCK_CLASS, _schema_key())))
        await connection.commit()  # session-level: the lock outlives the transaction
    except BaseException:
        await connection.close()
        raise
    if not held:
        await connection.close()
        message = BOT_RUNNING if exclusive else RESTORE_RUNNING
        raise DatabaseBusy(message.format(where="this PostgreSQL database"))
    return AdvisoryLock(connection, exclusive)


async def hold_for_bot(database_url: str) -> HeldLock | None:
    """Taken by every running bot, before it migrates (shared). Raises DatabaseBusy
    while a restore runs; None for an in-memory database."""
    database_file = sqlite_file(database_url)
    if database_file is not None:
        return lock_file(database_file, exclusive=False)
    if is_sqlite(database_url):
        return None
    database = Database(database_url)
    lock = await lock_postgres(database, exclusive=False)
    return _DisposingLock(lock, database)


@dataclass
class _DisposingLock:
    """A lock on a private engine, disposed with the lock (one connection per bot)."""

    lock: AdvisoryLock
    database: Database

    async def ensure_held(self) -> None:
        """After a PostgreSQL restart the bot would otherwise run unlocked, and a restore
        could start under it: take the shared lock again on a new connection."""
        if await self.lock.alive():
            return
        await self.lock.release()  # closes the dead connection quietly
        self.lock = await lock_postgres(self.database, exclusive=False)

    async def release(self) -> None:
        try:
            await self.lock.release()
        finally:
            await self.database.dispose()
