"""Drive one memo through the real bot (HTTP mode, fake Slack, fake Anthropic API) for
tests that look at what the bot emits around it: logs, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, Harness, running_bot
from tests.handlers.memos import STRONG


@asynccontextmanager
async def bot_with_model(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    anthropic: FakeAnthropic,
    coach: dict[str, Any] | None = None,
) -> AsyncIterator[Harness]:
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        slack.add_user("U1", real_name="Ana Writer", tz="Europe/Madrid")
        async with running_bot(
            monkeypatch, tmp_path, database_url, slack, anthropic=anthropic, coach=coach
        ) as harness:
            yield harness


async def send_dm_memo(harness: Harness, extra: str = "", user: str = "U1") -> None:
    """A strong memo (plus ``extra``) as a DM; waits until it is answered."""
    status, _ = await harness.event(signing.dm_message(f"{STRONG}\n\n{extra}".strip(), user=user))
    assert status == 200
    await harness.settled()
