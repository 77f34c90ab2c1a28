"""benchmarks/ack_path.py still runs: a few tiny bursts through the real Bolt app, both
ways of checkpointing, every row printed. Figures are not checked here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_prints_every_row() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ack_path.py"), "--bursts=3", "--burst=5"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    cases = [line[12:70].strip() for line in result.stdout.splitlines()[1:]]
    assert cases == [
        f"{how}: {measure}"
        for how in ("checkpoints in commits", "checkpoints by the bot")
        for measure in (
            "burst of 5, median",
            "burst of 5, p90",
            "burst of 5, slowest",
            "CPU per command, all threads",
        )
    ] + ["checkpoints by the bot: one checkpoint, median"], result.stdout
