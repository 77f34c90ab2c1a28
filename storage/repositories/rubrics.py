"""Rubric history: the bundled default is version 1; admins add versions from Slack."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.memo import RubricVersion
from evaluation.rubric import Rubric
from storage.models import RubricVersionRow
from storage.repositories.versions import VersionedStore

RUBRICS: VersionedStore[RubricVersionRow, Rubric] = VersionedStore(
    "rubric", RubricVersionRow, Rubric
)


async def seed_rubric(
    session: AsyncSession, rubric: Rubric, yaml_text: str, author: str
) -> RubricVersionRow:
    """Store ``rubric`` as version 1 if there is no rubric yet; returns the active row."""
    return await RUBRICS.seed(session, rubric, yaml_text, author)


async def add_rubric_version(
    session: AsyncSession,
    rubric: Rubric,
    yaml_text: str,
    author: str,
    comment: str | None = None,
) -> RubricVersionRow:
    """Append the next version and make it active."""
    return await RUBRICS.add(session, rubric, yaml_text, author, comment)


async def active_rubric(session: AsyncSession) -> RubricVersion:
    """The rubric evaluations use now (NotSeededError before ``seed_rubric``)."""
    rubric, version = await RUBRICS.active(session)
    return RubricVersion(rubric=rubric, version=version)


async def get_rubric_version(session: AsyncSession, version: int) -> RubricVersionRow | None:
    return await RUBRICS.get(session, version)


async def list_rubric_versions(
    session: AsyncSession, limit: int | None = None
) -> list[RubricVersionRow]:
    """Newest first."""
    return await RUBRICS.history(session, limit)


async def activate_rubric_version(session: AsyncSession, version: int) -> RubricVersionRow:
    """Make an existing version active (UnknownVersionError if there is none)."""
    return await RUBRICS.activate(session, version)
