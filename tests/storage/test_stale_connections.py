"""PostgreSQL pool checks (storage/stale_connections.py): a connection idle for a while is
pinged and replaced if dead; one used a moment ago goes out unchecked, and when it turns
out dead SQLAlchemy says so and the next transaction gets a new one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from storage import stale_connections
from storage.db import Database
from storage.stale_connections import connection_lost
from tests.faults.locks import cut_connections, own_postgres_schema

pytestmark = pytest.mark.postgres


@pytest.fixture
async def named() -> AsyncIterator[tuple[Database, str]]:
    """A database whose connections can be found (and cut) by application name."""
    name = f"memo-coach-pool-{uuid.uuid4().hex[:8]}"
    async with own_postgres_schema(name) as url:
        database = Database(url)
        try:
            yield database, name
        finally:
            await database.dispose()


@pytest.fixture
def short_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections count as idle after 0.05 s, so a test need not wait half a second."""
    monkeypatch.setattr(stale_connections, "TRUST_SECONDS", 0.05)


async def _backend_pid(database: Database, *, hold: float = 0) -> int:
    """The server process of a transaction that keeps its connection ``hold`` seconds."""
    async with database.transaction() as session:
        if hold:
            await session.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": hold})
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


@pytest.mark.usefixtures("short_window")
async def test_a_connection_that_died_while_idle_is_replaced_before_use(
    named: tuple[Database, str],
) -> None:
    database, name = named
    first = await _backend_pid(database)
    assert await cut_connections(name) == 1
    await asyncio.sleep(0.1)  # idle past the window: pinged on checkout
    assert await _backend_pid(database) not in (0, first)


@pytest.mark.usefixtures("short_window")
async def test_a_live_connection_idle_past_the_window_is_pinged_and_kept(
    named: tuple[Database, str],
) -> None:
    database, _ = named
    first = await _backend_pid(database)
    await asyncio.sleep(0.1)
    assert await _backend_pid(database) == first


async def test_a_connection_used_a_moment_ago_goes_out_unchecked(
    named: tuple[Database, str],
) -> None:
    database, name = named
    first = await _backend_pid(database)
    assert await cut_connections(name) == 1
    with pytest.raises(DBAPIError) as failed:  # no ping inside the window
        await _backend_pid(database)
    assert connection_lost(failed.value)
    assert await _backend_pid(database) not in (0, first)


def test_connection_lost_is_false_for_other_errors() -> None:
    assert not connection_lost(ValueError("not a database error"))
    assert not connection_lost(DBAPIError("SELECT 1", None, Exception("syntax")))


async def test_connections_are_kept_and_the_last_returned_goes_out_first(
    named: tuple[Database, str],
) -> None:
    """Twelve transactions at once open twelve connections, and the pool keeps them all
    (SQLAlchemy's default kept five and closed the rest). The next lone transactions get
    the connection returned last, still inside the window that needs no ping, rather
    than cycling through the idle ones."""
    database, _ = named
    opened: list[object] = []
    event.listen(database.engine.sync_engine, "connect", lambda *_: opened.append(1))

    for _ in range(2):
        busy = [_backend_pid(database, hold=0.05) for _ in range(12)]
        assert len(set(await asyncio.gather(*busy))) == 12
    assert len(opened) == 12
    assert len({await _backend_pid(database) for _ in range(5)}) == 1
