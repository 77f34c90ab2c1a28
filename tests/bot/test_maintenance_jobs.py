"""Scheduled backups and retention purges happen once per period, whichever replicas fire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
import yaml
from sqlalchemy import select, update

from bot.maintenance_jobs import daily_retention, nightly_backup
from bot.runners import build_services
from bot.runtime import load_runtime
from bot.services import Services
from storage.models import Submission
from tests.storage.factories import submission, user

NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@asynccontextmanager
async def _replicas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[Services, Services]]:
    """Two processes' worth of Services on one database, with backups enabled."""
    config = tmp_path / "config"
    config.mkdir()
    coach = {
        "backup": {"enabled": True, "dest": str(tmp_path / "backups"), "keep": 3},
        "retention": {"memo_text_days": 30},
    }
    (config / "coach.yaml").write_text(yaml.safe_dump(coach))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MEMO_COACH_CONFIG_DIR", str(config))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-unused")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    first = await build_services(load_runtime())
    second = await build_services(load_runtime())
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


@pytest_asyncio.fixture
async def replicas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[Services, Services]]:
    async with _replicas(monkeypatch, tmp_path, database_url) as pair:
        yield pair


@pytest_asyncio.fixture
async def sqlite_replicas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str
) -> AsyncIterator[tuple[Services, Services]]:
    async with _replicas(monkeypatch, tmp_path, sqlite_database_url) as pair:
        yield pair


async def test_two_replicas_make_one_nightly_backup(
    sqlite_replicas: tuple[Services, Services], tmp_path: Path
) -> None:
    first, second = sqlite_replicas
    outcomes = await asyncio.gather(
        nightly_backup(first, now=NIGHT), nightly_backup(second, now=NIGHT)
    )
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(list((tmp_path / "backups").glob("*.db.gz"))) == 1
    assert await nightly_backup(first, now=NIGHT + timedelta(hours=1)) == "skipped"
    assert await nightly_backup(first, now=NIGHT + timedelta(days=1)) == "sent"


async def test_retention_purges_old_memo_texts_once_a_day(
    replicas: tuple[Services, Services],
) -> None:
    first, second = replicas
    async with first.database.transaction() as session:
        owner = await user(session, "URET")
        old = await submission(session, owner, memo_text="old memo text")
        fresh = await submission(session, owner, memo_text="fresh memo text")
        await session.execute(
            update(Submission)
            .where(Submission.id == old.id)
            .values(created_at=datetime.now(UTC) - timedelta(days=31))
        )
    outcomes = await asyncio.gather(daily_retention(first), daily_retention(second))
    assert sorted(outcomes) == ["sent", "skipped"]
    async with first.database.session() as session:
        texts = dict((await session.execute(select(Submission.id, Submission.memo_text))).all())
    assert texts == {old.id: None, fresh.id: "fresh memo text"}
