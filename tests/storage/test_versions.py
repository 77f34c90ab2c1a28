"""Rubric and prompt history: seeding, new versions, activation, races."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from config.bundle import DEFAULTS_DIR
from evaluation.prompt_template import parse_prompt
from evaluation.rubric import Rubric, parse_rubric
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import RubricVersionRow
from storage.repositories.prompts import (
    activate_prompt_version,
    active_prompt,
    add_prompt_version,
    get_prompt_version,
    list_prompt_versions,
    seed_prompt,
)
from storage.repositories.rubrics import (
    activate_rubric_version,
    active_rubric,
    add_rubric_version,
    get_rubric_version,
    list_rubric_versions,
    seed_rubric,
)
from storage.repositories.versions import NotSeededError, UnknownVersionError
from tests.conftest import DatabaseFactory

RUBRIC_YAML = (DEFAULTS_DIR / "rubric.yaml").read_text()
RUBRIC = parse_rubric(RUBRIC_YAML)
PROMPT_YAML = (DEFAULTS_DIR / "prompt.yaml").read_text()
PROMPT = parse_prompt(PROMPT_YAML)


def _renamed(name: str) -> Rubric:
    return RUBRIC.model_copy(update={"name": name})


async def _active_versions(database: Database) -> list[int]:
    async with database.session() as session:
        rows = await list_rubric_versions(session)
    return [row.version for row in rows if row.is_active]


async def test_active_rubric_before_seeding(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(NotSeededError):
            await active_rubric(session)
        with pytest.raises(NotSeededError):
            await active_prompt(session)


async def test_seed_round_trips_the_rubric(database: Database) -> None:
    async with database.transaction() as session:
        row = await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
    assert (row.version, row.is_active, row.author, row.yaml_text) == (
        1,
        True,
        "system",
        RUBRIC_YAML,
    )
    async with database.session() as session:
        active = await active_rubric(session)
    assert active.version == 1
    assert active.rubric == RUBRIC  # levels' int keys survive the JSON round trip


async def test_seed_is_idempotent_and_never_overrides_history(database: Database) -> None:
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
        await add_rubric_version(session, _renamed("Edited"), "name: Edited", "UADMIN")
    async with database.transaction() as session:
        row = await seed_rubric(session, _renamed("New default"), "x", "system")
    assert row.version == 2
    async with database.session() as session:
        assert (await active_rubric(session)).rubric.name == "Edited"
        assert len(await list_rubric_versions(session)) == 2


async def test_concurrent_seeds_insert_one_version(
    database: Database, database_factory: DatabaseFactory
) -> None:
    """Replicas starting together: separate engines, as separate processes would be."""
    replicas = [database, await database_factory(database.url)]

    async def seed(index: int) -> int:
        async with replicas[index % 2].transaction() as session:
            row = await seed_rubric(session, RUBRIC, RUBRIC_YAML, f"replica {index}")
            return row.version

    assert await asyncio.gather(*(seed(i) for i in range(6))) == [1] * 6
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(RubricVersionRow)) == 1


async def test_active_document_follows_every_switch_while_parsed_once(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
        first = await active_rubric(session)
        assert (await active_rubric(session)).rubric is first.rubric  # parsed once
        await add_rubric_version(session, _renamed("Two"), "two", "UADMIN")
        second = await active_rubric(session)
        await activate_rubric_version(session, 1)
        back = await active_rubric(session)
    assert (second.version, second.rubric.name) == (2, "Two")
    assert (back.version, back.rubric) == (1, first.rubric)


async def test_a_database_recreated_under_the_same_engine_is_not_served_stale(
    database_url: str, database_factory: DatabaseFactory
) -> None:
    """Same engine, same version number, different content: the cache must not mix them
    (it is keyed by the version's creation time as well)."""
    await upgrade_database(database_url)
    database = await database_factory(database_url)
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
        assert (await active_rubric(session)).rubric.name == RUBRIC.name
    async with database.transaction() as session:
        await session.execute(delete(RubricVersionRow))
    async with database.transaction() as session:
        await seed_rubric(session, _renamed("Reborn"), "reborn", "system")
        assert (await active_rubric(session)).rubric.name == "Reborn"


async def test_add_versions_and_activate(database: Database) -> None:
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
        second = await add_rubric_version(
            session, _renamed("Two"), "two", "UADMIN", comment="shorter levels"
        )
        third = await add_rubric_version(session, _renamed("Three"), "three", "UADMIN")
    assert (second.version, third.version) == (2, 3)
    assert second.comment == "shorter levels"
    assert await _active_versions(database) == [3]

    async with database.transaction() as session:
        back = await activate_rubric_version(session, 1)
        assert back.is_active
        active = await active_rubric(session)
    assert (active.version, active.rubric.name) == (1, RUBRIC.name)
    assert await _active_versions(database) == [1]

    async with database.transaction() as session:
        again = await activate_rubric_version(session, 1)  # already active: no change
        assert again.version == 1
        with pytest.raises(UnknownVersionError, match="rubric version 9"):
            await activate_rubric_version(session, 9)
    assert await _active_versions(database) == [1]

    async with database.session() as session:
        listed = await list_rubric_versions(session)
        assert [row.version for row in listed] == [3, 2, 1]
        assert [row.version for row in await list_rubric_versions(session, limit=2)] == [3, 2]
        old = await get_rubric_version(session, 2)
        assert old is not None
        assert old.yaml_text == "two"
        assert await get_rubric_version(session, 42) is None


async def test_only_one_version_can_be_active(database: Database) -> None:
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
    async with database.session() as session:
        with pytest.raises(IntegrityError):
            await session.execute(
                insert(RubricVersionRow).values(
                    version=2, yaml_text="", content={}, author="x", is_active=True
                )
            )


async def test_concurrent_new_versions_get_distinct_numbers(
    database: Database, database_factory: DatabaseFactory
) -> None:
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
    replicas = [database, await database_factory(database.url)]

    async def add(index: int) -> int:
        async with replicas[index % 2].transaction() as session:
            row = await add_rubric_version(session, _renamed(f"v{index}"), "y", "UADMIN")
            return row.version

    versions = await asyncio.gather(*(add(i) for i in range(6)))
    assert sorted(versions) == [2, 3, 4, 5, 6, 7]
    assert await _active_versions(database) == [7]


async def test_concurrent_activations_leave_exactly_one_active(
    database: Database, database_factory: DatabaseFactory
) -> None:
    async with database.transaction() as session:
        await seed_rubric(session, RUBRIC, RUBRIC_YAML, "system")
        for index in range(3):
            await add_rubric_version(session, _renamed(f"v{index}"), "y", "UADMIN")
    replicas = [database, await database_factory(database.url)]

    async def activate(index: int) -> None:
        async with replicas[index % 2].transaction() as session:
            await activate_rubric_version(session, index % 4 + 1)

    await asyncio.gather(*(activate(i) for i in range(8)))
    assert len(await _active_versions(database)) == 1


async def test_prompts_share_the_implementation(database: Database) -> None:
    edited = PROMPT.model_copy(update={"system": PROMPT.system + "\nBe brief."})
    async with database.transaction() as session:
        seeded = await seed_prompt(session, PROMPT, PROMPT_YAML, "system")
        await seed_prompt(session, edited, "ignored", "system")
        second = await add_prompt_version(session, edited, "edited", "UADMIN", "brevity")
    assert (seeded.version, second.version) == (1, 2)
    async with database.transaction() as session:
        active = await active_prompt(session)
        assert (active.version, active.prompt) == (2, edited)
        await activate_prompt_version(session, 1)
        assert (await active_prompt(session)).prompt == PROMPT
        assert [row.version for row in await list_prompt_versions(session)] == [2, 1]
        stored = await get_prompt_version(session, 2)
        assert stored is not None
        assert stored.comment == "brevity"
    async with database.session() as session:
        with pytest.raises(NotSeededError):
            await active_rubric(session)  # separate tables
