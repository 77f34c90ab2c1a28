"""Check a pooled PostgreSQL connection before use only when it may have gone stale.

SQLAlchemy's ``pool_pre_ping`` asks the server on every checkout, and on asyncpg that
ping is three round trips (BEGIN, ``;``, ROLLBACK) ahead of the transaction's own BEGIN.
In a burst the same few connections go out again milliseconds after they came back, and
each round trip waits behind everything else on the event loop. So, like HikariCP's
alive-bypass window, a connection returned less than ``TRUST_SECONDS`` ago goes out
unchecked, and an older one is pinged in one round trip. A failed ping invalidates the
whole pool (a restart or failover ended every session), as pre-ping does.

A connection that dies inside the window fails its first statement instead; SQLAlchemy
then invalidates it and the pool (``connection_lost`` tells callers), and the callers
try again: intake retries the memo once, a job is taken up again after its lease.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine

TRUST_SECONDS = 0.5
"""HikariCP's default alive-bypass window."""
PING = "SELECT 1"
"""Not an empty statement: asyncpg fails on the empty answer to one."""
PING_TIMEOUT_SECONDS = 5.0
_RETURNED_AT = "memo_coach_returned_at"


def ping_only_stale_connections(engine: AsyncEngine) -> None:
    """Install the checks on a PostgreSQL engine created without ``pool_pre_ping``."""
    event.listen(engine.sync_engine, "checkin", _note_return)
    event.listen(engine.sync_engine, "checkout", _ping_if_stale)


def connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` ended its connection (SQLAlchemy has already replaced it)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _note_return(dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_stale(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    returned = record.info.get(_RETURNED_AT)
    if returned is None or time.monotonic() - returned < TRUST_SECONDS:
        return  # new, or back from a transaction a moment ago
    try:
        dbapi_connection.run_async(
            lambda connection: connection.execute(PING, timeout=PING_TIMEOUT_SECONDS)
        )
    except Exception as exc:
        raise InvalidatePoolError("a pooled connection did not answer its ping") from exc
