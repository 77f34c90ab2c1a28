"""benchmarks/slack_load.py still runs end to end: a tiny load against the real bot (a
child process), from the separate generator process, printing every row of its table.
Figures are not checked here; timing targets live in the benchmark, not in tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_prints_the_whole_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "slack_load.py"),
            "--skip-naive",
            "--memos=6",
            "--concurrency=3",
            "--in-flight=6",
            "--model-latency=0.05",
            "--burst=5",
            "--bursts=2",
            "--e2e-runs=1",
            "--e2e-latency=0.05",
            "--cache-memos=3",
            "--time-limit=60",
            f"--workdir={tmp_path}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    rows = {line.split("  ")[0].strip(): line for line in result.stdout.splitlines()}
    for measure in (
        "ack p99, burst",
        "e2e overhead max, single memo",
        "first visible max, single memo",
        "throughput run, wall time",
        "peak RSS of the server process",
        "cache-read share, once warm",
    ):
        assert measure in rows, result.stdout
    assert rows["non-200 answers"].split()[-1] == "0.00"
    assert rows["acks over 3 s (Slack times out)"].split()[-1] == "0.00"
