"""Dialect-specific SQL the repositories share (upserts, write serialisation, arrays)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    Table,
    any_,
    bindparam,
    false,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from storage.models import Base

POPULATE_EXISTING: dict[str, Any] = {"populate_existing": True}
"""Rows returned by an upsert replace any stale copy already in the session."""


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def upsert(session: AsyncSession, entity: type[Any]) -> postgresql.Insert:
    """An INSERT supporting ``on_conflict_do_nothing/do_update`` on either database.

    Typed as the PostgreSQL construct; SQLite's has the same conflict API.
    """
    return upsert_into(dialect_name(session), entity)


def upsert_into(dialect: str, entity: type[Any] | Table) -> postgresql.Insert:
    """:func:`upsert` for a statement built once per dialect."""
    if dialect == "postgresql":
        return postgresql.insert(entity)
    if dialect == "sqlite":
        return sqlite.insert(entity)  # type: ignore[return-value]
    raise NotImplementedError(f"database dialect {dialect!r} is not supported")


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


# PostgreSQL takes a list as one array parameter, so these statements have the same text
# whatever the number of values: prepared once per connection and planned once, where
# ``IN (…)`` and multi-row ``VALUES`` render a parameter per value and are prepared again
# for every new batch size (benchmarks/RESULTS.md, sixth round).


def in_values(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the list bound as ``name``: ``= ANY(:name)`` on PostgreSQL,
    an expanding ``IN`` elsewhere."""
    if dialect == "postgresql":
        return column == any_(array_parameter(name, column.type))
    return column.in_(bindparam(name, expanding=True))


def unnested_rows(table: Table, columns: Sequence[str]) -> Select[Any]:
    """PostgreSQL: rows of ``columns`` from one array per column (bound by column name),
    ``unnest(…) WITH ORDINALITY`` in the order given: ``INSERT … SELECT`` them, and
    identity values are drawn in that order (SQLAlchemy's own ordered RETURNING relies
    on the same)."""
    rows = (
        func.unnest(*(array_parameter(name, table.c[name].type) for name in columns))
        .table_valued(*(table.c[name] for name in columns), with_ordinality="position")
        .render_derived()
    )
    return select(*(rows.c[name] for name in columns)).order_by(rows.c.position)


def check_columns(table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """ValueError for a key that is not one of ``columns``: an executemany would drop it
    without a word, and :func:`column_arrays` has no array for it."""
    unknown = {key for row in rows for key in row} - set(columns)
    if unknown:
        raise ValueError(f"not columns of {table.name} here: {sorted(unknown)}")


def array_parameter(name: str, item: TypeEngine[Any]) -> BindParameter[Any]:
    """A list bound as one PostgreSQL array of ``item``. One-dimensional: each item goes
    through its type as a whole, so a JSON list is one JSON value, not a second
    dimension."""
    return bindparam(name, type_=ARRAY(item, dimensions=1))


def column_arrays(
    table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """The parameters of :func:`unnested_rows`: a list per column, from rows that hold
    only ``columns`` (see :func:`check_columns`). A column a row leaves out gets the
    column's scalar default, else None."""
    fallbacks = {name: _scalar_default(table, name) for name in columns}
    return {name: [row.get(name, fallbacks[name]) for row in rows] for name in columns}


def _scalar_default(table: Table, name: str) -> Any:
    default = table.c[name].default
    return getattr(default, "arg", None) if default is not None and default.is_scalar else None
