"""A bot on SQLite checkpoints the WAL itself, off the commit path: its commits never do
(one in about ten bursts of 100 commands paid ~20 ms for it), and what they write still
reaches the database file within a couple of seconds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runners import WAL_CHECKPOINT_SECONDS
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, running_bot
from tests.handlers.memos import STRONG


def _size(path: Path) -> int:
    return path.stat().st_size


async def test_the_bot_copies_the_wal_into_the_database_file_in_the_background(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str
) -> None:
    database_file = Path(sqlite_database_url.removeprefix("sqlite:///"))
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as slack,
        running_bot(monkeypatch, tmp_path, sqlite_database_url, slack) as bot,
    ):
        async with bot.bot.services.database.engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA wal_autocheckpoint")) == 0
        await asyncio.sleep(WAL_CHECKPOINT_SECONDS * 1.5)  # start-up's writes copied
        size_before = _size(database_file)
        for number in range(20):  # new pages: 20 memos of ~2 KB
            status, _ = await bot.command(STRONG, user_id=f"U{number}")
            assert status == 200
        await bot.settled()
        deadline = asyncio.get_running_loop().time() + WAL_CHECKPOINT_SECONDS * 5
        while _size(database_file) == size_before:
            assert asyncio.get_running_loop().time() < deadline, "the WAL was never copied"
            await asyncio.sleep(0.1)
