"""Migrations produce exactly the models' schema, and concurrent upgrades are safe."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.engine import Connection, make_url

from storage.db import create_engine
from storage.migrate import MIGRATION_LOCK_KEY, current_revision, head_revision, upgrade_database
from storage.models import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_models(database_url: str) -> None:
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_diff_would_notice_a_missing_index(database_url: str) -> None:
    """Guards the test above against comparing nothing."""
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP INDEX ix_evaluations_user_id_created_at"))
        async with engine.connect() as connection:
            diff = await connection.run_sync(_diff)
    finally:
        await engine.dispose()
    assert [d[0] for d in diff] == ["add_index"]


async def test_revision_before_and_after_and_upgrade_is_idempotent(database_url: str) -> None:
    assert await current_revision(database_url) is None
    await upgrade_database(database_url)
    await upgrade_database(database_url)
    assert await current_revision(database_url) == head_revision() == "0002"


async def test_every_table_exists(database_url: str) -> None:
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_concurrent_upgrades_both_succeed(database_url: str) -> None:
    await asyncio.gather(upgrade_database(database_url), upgrade_database(database_url))
    assert await current_revision(database_url) == head_revision()


@pytest.mark.postgres
async def test_upgrade_waits_for_the_advisory_lock(postgres_database_url: str) -> None:
    """A replica already migrating holds the lock: the other waits, then finds head."""
    dsn = make_url(postgres_database_url).set(drivername="postgresql")
    schema = dsn.query["options"]
    assert isinstance(schema, str)
    holder = await asyncpg.connect(
        dsn.difference_update_query(["options"]).render_as_string(hide_password=False),
        server_settings={"search_path": schema.split("=", 1)[1]},
    )
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        waiting = asyncio.create_task(upgrade_database(postgres_database_url))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        waiters = await holder.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        assert waiters >= 1
        assert await current_revision(postgres_database_url) is None
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        await asyncio.wait_for(waiting, timeout=30)
    finally:
        await holder.close()
    assert await current_revision(postgres_database_url) == head_revision()


async def test_sqlite_foreign_keys_are_back_on_after_migrating(sqlite_database_url: str) -> None:
    await upgrade_database(sqlite_database_url)
    engine = create_engine(sqlite_database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await engine.dispose()


def _constraints_alembic_does_not_compare(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    checks = {
        table: sorted(c["name"] for c in inspector.get_check_constraints(table))
        for table in Base.metadata.tables
    }
    partial = {
        index["name"]: index.get("dialect_options", {}).get(f"{connection.dialect.name}_where")
        for table in ("rubric_versions", "prompt_versions")
        for index in inspector.get_indexes(table)
    }
    return {"checks": checks, "partial": partial}


async def test_check_constraints_and_partial_indexes_match_models(database_url: str) -> None:
    """compare_metadata ignores CHECK constraints and index WHERE clauses: check them."""
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(_constraints_alembic_does_not_compare)
    finally:
        await engine.dispose()
    expected_checks = {
        name: sorted(str(c.name) for c in table.constraints if isinstance(c, CheckConstraint))
        for name, table in Base.metadata.tables.items()
    }
    assert found["checks"] == expected_checks
    assert set(found["partial"]) == {"uq_rubric_versions_active", "uq_prompt_versions_active"}
    assert all("is_active" in str(where) for where in found["partial"].values())
