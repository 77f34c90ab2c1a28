"""benchmarks/ack_path.py still runs: a few tiny bursts through the real Bolt app, both
ways of checkpointing on SQLite and then on PostgreSQL, every row printed. Figures are not
checked here."""

from __future__ import annotations

import pytest

from tests.benchmarks.running import run_benchmark
from tests.conftest import require_postgres


@pytest.mark.postgres
async def test_a_tiny_run_prints_every_row() -> None:
    await require_postgres()  # else the PostgreSQL pass prints a line saying it skipped
    output = run_benchmark("ack_path.py", "--bursts=3", "--burst=5")
    rows = [(line[:12].strip(), line[12:70].strip()) for line in output.splitlines()[1:]]
    measures = ("burst of 5, median", "burst of 5, p90", "burst of 5, slowest")
    measures += ("CPU per command, all threads",)
    assert rows == [
        ("sqlite", f"{how}: {measure}")
        for how in ("checkpoints in commits", "checkpoints by the bot")
        for measure in measures
    ] + [("sqlite", "checkpoints by the bot: one checkpoint, median")] + [
        ("postgresql", f"as the bot runs: {measure}") for measure in measures
    ], output
