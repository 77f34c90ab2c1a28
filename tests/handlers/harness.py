"""The real bot in HTTP mode on loopback, wired to the fake Slack (and optionally the
fake Anthropic API), driven with requests signed exactly as Slack signs them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.progress_report import wait_for_progress_reports
from bot.runners import RunningBot, start_bot
from bot.runtime import load_runtime
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
FAST_WORKERS = {"worker": {"concurrency": 2, "lease_seconds": 10, "max_attempts": 3}}
QUICK_LLM = {"max_retries": 1, "timeout_seconds": 5}
"""llm.yaml for a bot on the fake model: a model fault ends in a reply within seconds."""


@dataclass
class Harness:
    bot: RunningBot
    slack: FakeSlack
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.bot.port}"

    async def post(self, payload: signing.Payload, **kwargs: Any) -> tuple[int, str]:
        body, content_type = payload
        return await signing.post_signed(
            self.http, f"{self.url}/slack/events", body, content_type, SIGNING_SECRET, **kwargs
        )

    async def command(self, text: str, **kwargs: Any) -> tuple[int, str]:
        kwargs.setdefault("response_url", self.slack.new_response_url())
        return await self.post(signing.slash_command(text, **kwargs))

    async def event(self, event: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        retry = {k: kwargs.pop(k) for k in ("retry_num", "retry_reason") if k in kwargs}
        return await self.post(signing.event_callback(event, **kwargs), **retry)

    def thread_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [
            c.args
            for c in self.slack.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and c.args.get("thread_ts") == thread_ts
        ]

    async def settled(self, within: float = 15) -> None:
        """Wait until every submission reached a final status (done/failed/rejected)."""
        from sqlalchemy import select

        from storage.models import Submission

        deadline = asyncio.get_running_loop().time() + within
        while True:
            async with self.bot.services.database.session() as session:
                statuses = list(await session.scalars(select(Submission.status)))
            if all(s in ("done", "failed", "rejected") for s in statuses):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"submissions still pending: {statuses}")
            await asyncio.sleep(0.05)


def write_config(
    directory: Path, coach: dict[str, Any] | None = None, llm: dict[str, Any] | None = None
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    merged = {**FAST_WORKERS, **(coach or {})}
    (directory / "coach.yaml").write_text(yaml.safe_dump(merged))
    if llm is not None:
        (directory / "llm.yaml").write_text(yaml.safe_dump(llm))
    return directory


@asynccontextmanager
async def running_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    slack: FakeSlack,
    *,
    anthropic: FakeAnthropic | None = None,
    coach: dict[str, Any] | None = None,
    llm: dict[str, Any] | None = None,
    admins: str | None = None,
) -> AsyncIterator[Harness]:
    """``admins``: ADMIN_USER_IDS for this bot (unset by default)."""
    monkeypatch.chdir(tmp_path)
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SLACK_FILE_HOSTS": "127.0.0.1",
        "MEMO_COACH_MODE": "http",
        "DATABASE_URL": database_url,
        "MEMO_COACH_CONFIG_DIR": str(write_config(tmp_path / "config", coach, llm)),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("SLACK_APP_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ADMIN_USER_IDS"):
        monkeypatch.delenv(name, raising=False)
    if admins is not None:
        monkeypatch.setenv("ADMIN_USER_IDS", admins)
    if anthropic is not None:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic.base_url)
    bot = await start_bot(load_runtime(), host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession() as http:
            yield Harness(bot, slack, http)
    finally:
        await wait_for_progress_reports(10)  # background DM posts finish before teardown
        await bot.stop(grace=5)


def running_model_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    slack: FakeSlack,
    anthropic: FakeAnthropic,
    **options: Any,
) -> AbstractAsyncContextManager[Harness]:
    """``running_bot`` on the fake model with QUICK_LLM; ``options`` as for running_bot."""
    return running_bot(
        monkeypatch, tmp_path, database_url, slack, anthropic=anthropic, llm=QUICK_LLM, **options
    )
