"""A memo whose job used up its attempts is marked failed, not left "queued" forever
(which kept it pending in every status count and waiting on nothing)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from storage.models import Job
from storage.types import utcnow
from tests.fakes import slack_signing as signing
from tests.fakes.fake_slack import FakeSlack
from tests.faults.support import job_rows, memo_rows
from tests.handlers.harness import running_bot
from tests.handlers.memos import STRONG


async def test_a_job_whose_last_lease_expired_fails_its_memo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str, slack: FakeSlack
) -> None:
    """As if the memo had killed its worker on every attempt (the worker loops stay off
    while the job is rewritten to that state; then a claim skips it and one dispatcher
    tick's sweep marks it failed)."""
    async with running_bot(monkeypatch, tmp_path, sqlite_database_url, slack) as harness:
        workers = harness.bot.workers
        await workers.stop(grace=1)
        assert (await harness.event(signing.dm_message(STRONG, user="U1")))[0] == 200
        database = harness.bot.services.database
        async with database.transaction() as session:
            await session.execute(
                update(Job).values(
                    status="running",
                    stage="evaluate",
                    attempts=workers.max_attempts,
                    lease_owner="a-dead-process",
                    lease_expires_at=utcnow() - timedelta(seconds=1),
                )
            )
        assert await workers._claim("evaluate") is None
        await workers._fail_exhausted_jobs()
        [(_, status, stage, attempts, error)] = await job_rows(database)
    assert (status, stage, attempts) == ("failed", "evaluate", workers.max_attempts)
    assert error == "lease expired on the last attempt"
    assert [row[1:] for row in await memo_rows(sqlite_database_url)] == [("failed", 0)]
