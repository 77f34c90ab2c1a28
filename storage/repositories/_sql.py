"""Dialect-specific SQL the repositories share (upserts, write serialisation)."""

from __future__ import annotations

import zlib
from typing import Any, cast

from sqlalchemy import Table, false, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base

POPULATE_EXISTING: dict[str, Any] = {"populate_existing": True}
"""Rows returned by an upsert replace any stale copy already in the session."""


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def upsert(session: AsyncSession, entity: type[Any]) -> postgresql.Insert:
    """An INSERT supporting ``on_conflict_do_nothing/do_update`` on either database.

    Typed as the PostgreSQL construct; SQLite's has the same conflict API.
    """
    name = dialect_name(session)
    if name == "postgresql":
        return postgresql.insert(entity)
    if name == "sqlite":
        return sqlite.insert(entity)  # type: ignore[return-value]
    raise NotImplementedError(f"database dialect {name!r} is not supported")


def lock_key(name: str) -> int:
    """A stable advisory-lock key for a name (Python's hash() differs per process)."""
    return zlib.crc32(name.encode())


async def serialize_writes(session: AsyncSession, entity: type[Base]) -> None:
    """Make read-then-write sequences on one table run one transaction at a time.

    PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback).
    SQLite: a write that matches no row, which takes the database's single write lock
    now rather than at the first real write, so the reads that follow are current.
    """
    table = cast(Table, entity.__table__)
    if dialect_name(session) == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(lock_key(table.name))))
        return
    key = next(iter(table.primary_key.columns))
    await session.execute(update(table).where(false()).values({key.name: key}))


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], result).rowcount
