"""benchmarks/slack_load.py still runs end to end: a tiny load against the real bot (a
child process, or two replicas sharing its port on PostgreSQL), from the separate
generator process, printing every row of its table. Figures are not checked here;
timing targets live in the benchmark, not in tests."""

from __future__ import annotations

from pathlib import Path

from tests.benchmarks.running import run_benchmark
from tests.conftest import require_postgres


def _tiny_run(tmp_path: Path, *extra: str) -> str:
    output = run_benchmark(
        "slack_load.py",
        "--skip-naive",
        "--memos=6",
        "--concurrency=4",
        "--in-flight=6",
        "--model-latency=0.05",
        "--burst=5",
        "--bursts=2",
        "--e2e-runs=1",
        "--e2e-latency=0.05",
        "--cache-memos=3",
        "--time-limit=60",
        f"--workdir={tmp_path}",
        *extra,
        timeout=180,
    )
    rows = {line.strip().split("  ")[0]: line for line in output.splitlines()}
    for measure in (
        "ack p99, burst",
        "e2e overhead max, single memo",
        "first visible max, single memo",
        "throughput run, wall time",
        "server CPU per memo",
        "peak RSS of the server process",
        "cache-read share, once warm",
    ):
        assert measure in rows, output
    assert rows["non-200 answers"].split()[-1] == "0.00"
    assert rows["acks over 3 s (Slack times out)"].split()[-1] == "0.00"
    return output


def test_a_tiny_run_prints_the_whole_table(tmp_path: Path) -> None:
    _tiny_run(tmp_path)


async def test_two_replicas_share_the_port_and_the_work(tmp_path: Path) -> None:
    url = await require_postgres()
    output = _tiny_run(tmp_path, f"--database-url={url}", "--replicas=2")
    assert "over 2 bot processes" in output
    for log in ("product.log", "product-2.log"):
        assert "memo coach started" in (tmp_path / log).read_text()
