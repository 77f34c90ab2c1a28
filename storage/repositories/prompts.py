"""Prompt history, the same shape and rules as rubric history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.prompt_template import PromptTemplate
from storage.models import PromptVersionRow
from storage.repositories.versions import VersionedStore

PROMPTS: VersionedStore[PromptVersionRow, PromptTemplate] = VersionedStore(
    "prompt", PromptVersionRow, PromptTemplate
)


@dataclass(frozen=True)
class PromptVersion:
    """A prompt together with its version number (the prompt twin of RubricVersion)."""

    prompt: PromptTemplate
    version: int


async def seed_prompt(
    session: AsyncSession, prompt: PromptTemplate, yaml_text: str, author: str
) -> PromptVersionRow:
    """Store ``prompt`` as version 1 if there is no prompt yet; returns the active row."""
    return await PROMPTS.seed(session, prompt, yaml_text, author)


async def add_prompt_version(
    session: AsyncSession,
    prompt: PromptTemplate,
    yaml_text: str,
    author: str,
    comment: str | None = None,
) -> PromptVersionRow:
    """Append the next version and make it active."""
    return await PROMPTS.add(session, prompt, yaml_text, author, comment)


async def active_prompt(session: AsyncSession) -> PromptVersion:
    """The prompt evaluations use now (NotSeededError before ``seed_prompt``)."""
    prompt, version = await PROMPTS.active(session)
    return PromptVersion(prompt=prompt, version=version)


async def get_prompt_version(session: AsyncSession, version: int) -> PromptVersionRow | None:
    return await PROMPTS.get(session, version)


async def list_prompt_versions(
    session: AsyncSession, limit: int | None = None
) -> list[PromptVersionRow]:
    """Newest first."""
    return await PROMPTS.history(session, limit)


async def activate_prompt_version(session: AsyncSession, version: int) -> PromptVersionRow:
    """Make an existing version active (UnknownVersionError if there is none)."""
    return await PROMPTS.activate(session, version)
