"""Fixtures for the hostile-input and security tests: a fake Slack with an admin, a
member and a workspace admin who is not a coach admin, and the real bot on top of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, Harness, running_model_bot
from tests.hostile.support import ADMIN, MEMBER, WORKSPACE_ADMIN, ErrorLog


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.add_user(ADMIN, real_name="Ana Admin", tz="Europe/Madrid")
        fake.add_user(MEMBER, real_name="Bo Member", tz="America/New_York")
        fake.add_user(WORKSPACE_ADMIN, real_name="Cy Owner", is_admin=True, is_owner=True)
        yield fake


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    """Every log record at INFO and above while the test runs, from every logger."""
    with ErrorLog.capture() as log:
        yield log


@pytest_asyncio.fixture
async def hostile_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> AsyncIterator[Harness]:
    """The bot on SQLite with the fake model; ADMIN is a coach admin."""
    async with running_model_bot(
        monkeypatch, tmp_path, sqlite_database_url, slack, fake_anthropic, admins=ADMIN
    ) as bot:
        yield bot


@pytest_asyncio.fixture
async def bot_on_each_database(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> AsyncIterator[Harness]:
    """The same bot on SQLite and on PostgreSQL."""
    async with running_model_bot(
        monkeypatch, tmp_path, database_url, slack, fake_anthropic, admins=ADMIN
    ) as bot:
        yield bot
