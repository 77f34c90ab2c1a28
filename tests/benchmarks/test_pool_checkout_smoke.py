"""benchmarks/pool_checkout.py still runs: a few transactions each way, every row printed.
Figures are not checked here."""

from __future__ import annotations

import pytest

from tests.benchmarks.running import run_benchmark
from tests.conftest import require_postgres


@pytest.mark.postgres
async def test_a_tiny_run_prints_every_row() -> None:
    await require_postgres()  # else it prints a line saying it skipped
    output = run_benchmark("pool_checkout.py", "--transactions=20")
    cases = [line[12:70].strip() for line in output.splitlines()[1:]]
    assert cases == 2 * [
        "pool_pre_ping: per transaction, wall / CPU",
        "the bot's, stale ones only: per transaction, wall / CPU",
    ], output
