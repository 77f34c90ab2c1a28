"""Fixtures of the fault tests: the handler tests' fake Slack, and knobs that shorten
the product's waits for in-process bots (the behaviour is the same, only quicker)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import db
from storage.repositories import jobs
from tests.handlers.conftest import slack

__all__ = ["fast_job_retries", "short_busy_timeout", "slack"]

SLOW_MARK = "slow: runs real bot processes or many memos (tens of seconds); still in `make test`"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", SLOW_MARK)


@pytest.fixture
def fast_job_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed job is retried after 0.2 s, 0.4 s, … instead of 5 s, 10 s, …"""

    def quick(attempts: int, base_seconds: float) -> timedelta:
        return timedelta(seconds=0.2 * 2 ** max(attempts - 1, 0))

    monkeypatch.setattr(jobs, "retry_delay", quick)


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> int:
    """SQLite connections made from now on wait 1 s for a lock instead of 5 s."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    return 1000
