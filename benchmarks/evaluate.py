"""Benchmark the offline evaluator: time per 1,000 words and peak memory.

Memos of about 300, 1,000 and 5,000 words are built by concatenating the labelled
English test memos, then each is evaluated through the public ``OfflineEvaluator``
interface several times. Prints one table row per size: median wall time, time per
1,000 words, the tracemalloc peak of one evaluation and the process's maximum RSS.

Usage: .venv/bin/python benchmarks/evaluate.py [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from config.bundle import DEFAULTS_DIR  # noqa: E402
from evaluation.memo import Memo, RubricVersion  # noqa: E402
from evaluation.offline import OfflineEvaluator  # noqa: E402
from evaluation.rubric import parse_rubric  # noqa: E402

MEMOS = ROOT / "tests" / "data" / "memos"
SIZES = (300, 1_000, 5_000)
_WORD = re.compile(r"\S+")


def source_memos() -> list[str]:
    """The labelled English memos, strong and weak alternating, in a fixed order."""
    labels = yaml.safe_load((MEMOS / "labels.yaml").read_text(encoding="utf-8"))
    return [
        (MEMOS / memo["file"]).read_text(encoding="utf-8")
        for pair in labels["pairs"]
        if pair["language"] == "en"
        for memo in pair["memos"]
    ]


def build_memo(words: int, sources: list[str]) -> str:
    """About ``words`` words of memo text, cut at a word boundary."""
    text, index = "", 0
    while len(_WORD.findall(text)) < words:
        text += sources[index % len(sources)] + "\n\n"
        index += 1
    cut = list(_WORD.finditer(text))[words - 1].end()
    return text[:cut]


def max_rss_mib() -> float:
    """ru_maxrss is KiB on Linux and bytes on macOS."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


async def measure(text: str, rubric: RubricVersion, runs: int) -> tuple[float, float]:
    """(median seconds, tracemalloc peak in MiB) for evaluating ``text``."""
    evaluator = OfflineEvaluator()
    memo = Memo(text=text)
    await evaluator.evaluate(memo, rubric)  # warm-up: compiled regexes, proselint checks
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await evaluator.evaluate(memo, rubric)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    tracemalloc.reset_peak()
    await evaluator.evaluate(memo, rubric)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(timings), peak / (1024 * 1024)


async def main(runs: int) -> None:
    rubric = RubricVersion(parse_rubric(DEFAULTS_DIR / "rubric.yaml"), 1)
    sources = source_memos()
    header = (
        f"{'memo':>10} {'words':>6} {'chars':>7} {'median ms':>10} {'ms/1k words':>12} "
        f"{'tracemalloc MiB':>16} {'max RSS MiB':>12}"
    )
    print(f"Offline evaluator, median of {runs} runs, Python {sys.version.split()[0]}")
    print(header)
    print("-" * len(header))
    for size in SIZES:
        text = build_memo(size, sources)
        words = len(_WORD.findall(text))
        median, peak = await measure(text, rubric, runs)
        print(
            f"{f'~{size:,}':>10} {words:>6,} {len(text):>7,} {median * 1000:>10.1f} "
            f"{median * 1000 / words * 1000:>12.1f} {peak:>16.1f} {max_rss_mib():>12.1f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per memo size")
    asyncio.run(main(parser.parse_args().runs))
