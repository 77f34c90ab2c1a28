"""Schema migrations, configured in code so the installed package carries everything.

Several replicas may start at once against one PostgreSQL database: each upgrade runs in
one transaction holding a transaction-scoped advisory lock, so one migrates while the
others wait and then find the schema already at head. On SQLite the upgrade runs in one
``BEGIN IMMEDIATE`` transaction (same effect: one writer) with foreign keys off, because
batch mode rebuilds tables and dropping a parent table would cascade into its children.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x4D454D4F_434F4143  # "MEMOCOAC": one key for every replica.


class MigrationError(RuntimeError):
    """The upgrade left the database inconsistent; it was rolled back."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    """The revision the code expects (for readiness checks)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _sqlite_no_autobegin(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so BEGIN IMMEDIATE is ours, and turn off
    # foreign keys (a no-op inside a transaction, so it must happen here).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _migration_engine(url: str) -> AsyncEngine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_no_autobegin)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        command.upgrade(config, revision)
        if connection.dialect.name == "sqlite":
            problems = connection.execute(text("PRAGMA foreign_key_check")).all()
            if problems:
                raise MigrationError(f"foreign key violations after upgrade: {problems[:5]}")


async def upgrade_database(url: str, revision: str = "head") -> None:
    """Bring the database to ``revision``; safe to call from every replica at start-up."""
    engine = _migration_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(url: str) -> str | None:
    """The revision the database is at, or None before the first migration."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()
