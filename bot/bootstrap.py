"""Get a database ready for use: migrate it and seed the rubric and prompt from YAML.

Every entry point (CLI, bot) calls ``open_database`` so a fresh install just works, and
migrations are safe to run from several replicas at once (they lock).
"""

from __future__ import annotations

from bot.runtime import Runtime
from config.bundle import config_sources
from storage.db import Database
from storage.migrate import upgrade_database
from storage.repositories.prompts import seed_prompt
from storage.repositories.rubrics import seed_rubric

SEED_AUTHOR = "config"


async def open_database(runtime: Runtime, *, background_checkpoints: bool = False) -> Database:
    """Migrate to head, seed rubric/prompt version 1 if absent, return the Database
    (``background_checkpoints``: see :class:`storage.db.Database`)."""
    url = runtime.settings.database_url
    await upgrade_database(url)
    database = Database(url, background_checkpoints=background_checkpoints)
    sources = config_sources(runtime.settings.memo_coach_config_dir)
    async with database.transaction() as session:
        await seed_rubric(
            session,
            runtime.config.rubric,
            sources["rubric.yaml"].read_text(encoding="utf-8"),
            author=SEED_AUTHOR,
        )
        await seed_prompt(
            session,
            runtime.config.prompt,
            sources["prompt.yaml"].read_text(encoding="utf-8"),
            author=SEED_AUTHOR,
        )
    return database
