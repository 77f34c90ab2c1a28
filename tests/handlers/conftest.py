"""Fixtures for driving the real bot: a fake Slack, and the bot itself on each database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, Harness, running_bot


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.add_user("U1", real_name="Ana Writer", tz="Europe/Madrid")
        fake.add_user("U2", real_name="Bo Reader", tz="America/New_York")
        yield fake


@pytest_asyncio.fixture
async def harness(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> AsyncIterator[Harness]:
    async with running_bot(monkeypatch, tmp_path, database_url, slack) as running:
        yield running
