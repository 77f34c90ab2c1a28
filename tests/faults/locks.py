"""Database faults made on purpose: another SQLite connection holding the write lock, and
PostgreSQL restarted (or every connection of one bot cut) under a running bot."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _libpq_url, postgres_server_url, require_postgres

RESTART_ENV = "MEMO_COACH_TEST_POSTGRES_RESTART"
"""A shell command that restarts the test PostgreSQL server (overrides the default)."""


@asynccontextmanager
async def sqlite_write_lock(database_file: Path) -> AsyncIterator[None]:
    """Hold SQLite's write lock (``BEGIN IMMEDIATE``) from another connection, as a
    backup tool or a second process would, until the block ends."""
    connection = sqlite3.connect(
        database_file, isolation_level=None, timeout=30, check_same_thread=False
    )
    try:
        await asyncio.to_thread(connection.execute, "BEGIN IMMEDIATE")
        try:
            yield
        finally:
            await asyncio.to_thread(connection.execute, "ROLLBACK")
    finally:
        connection.close()


def sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


@asynccontextmanager
async def own_postgres_schema(application_name: str) -> AsyncIterator[str]:
    """Like the shared ``postgres_database_url`` fixture, but its clean-up opens a fresh
    connection (the fixture's own connection would not survive a server restart), and
    the bot's connections carry ``application_name`` so they can be found and cut."""
    server = await require_postgres()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(_libpq_url(server), timeout=5)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    options = f"-csearch_path={schema} -capplication_name={application_name}"
    try:
        yield (
            make_url(server)
            .update_query_dict({"options": options})
            .render_as_string(hide_password=False)
        )
    finally:
        admin = await _connect_when_up(server)
        try:
            await admin.execute("SET lock_timeout = '10s'")
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await admin.close()


async def _connect_when_up(server: str, within: float = 30) -> asyncpg.Connection:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            return await asyncpg.connect(_libpq_url(server), timeout=5)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def cut_connections(application_name: str) -> int:
    """Terminate every server connection of that application (a failover, a proxy
    restart); returns how many were cut."""
    connection = await asyncpg.connect(_libpq_url(postgres_server_url()), timeout=5)
    try:
        cut = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = $1 AND pid <> pg_backend_pid()",
            application_name,
        )
    finally:
        await connection.close()
    return len(cut)


def _cluster_for_port(port: int) -> tuple[str, str] | None:
    """(version, name) of the local Debian/Ubuntu cluster listening on ``port``."""
    if shutil.which("pg_lsclusters") is None:
        return None
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    for line in listing.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return fields[0], fields[1]
    return None


def restart_command() -> list[str] | str:
    """How to restart the test server, or skip (with the reason) when this machine can't:
    ``MEMO_COACH_TEST_POSTGRES_RESTART`` if set, else ``pg_ctlcluster … restart`` as root
    for a local cluster."""
    if custom := os.environ.get(RESTART_ENV):
        return custom
    url = make_url(postgres_server_url())
    if url.host not in ("127.0.0.1", "localhost", None):
        pytest.skip(f"PostgreSQL at {url.host} is not local; set {RESTART_ENV} to restart it")
    cluster = _cluster_for_port(url.port or 5432)
    if cluster is None or shutil.which("pg_ctlcluster") is None:
        pytest.skip(f"no local pg_ctlcluster for port {url.port}; set {RESTART_ENV}")
    if os.geteuid() != 0:
        pytest.skip(f"restarting PostgreSQL needs root here; set {RESTART_ENV}")
    version, name = cluster
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"]


async def restart_postgres(command: list[str] | str) -> None:
    """Restart the server (fast shutdown: every connection is dropped) and return once
    it accepts connections again."""
    if isinstance(command, str):
        process = await asyncio.create_subprocess_shell(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
    else:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
    output, _ = await process.communicate()
    assert process.returncode == 0, f"restarting PostgreSQL failed: {output.decode()}"
    await (await _connect_when_up(postgres_server_url())).close()
