"""Shared helpers for the offline evaluator tests: memos, rubrics and invariants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from config.bundle import DEFAULTS_DIR
from evaluation.memo import Memo, RubricVersion
from evaluation.offline import OfflineEvaluator
from evaluation.result import EvaluationOutcome, EvaluationResult, overall_score
from evaluation.rubric import Rubric, parse_rubric

MEMOS = Path(__file__).resolve().parents[1] / "data" / "memos"
EXAMPLE_MEMO = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "example_memo.md"


@dataclass(frozen=True)
class LabelledMemo:
    topic: str
    file: str
    label: str
    language: str

    @property
    def text(self) -> str:
        return (MEMOS / self.file).read_text(encoding="utf-8")


def labelled_memos() -> list[LabelledMemo]:
    raw = yaml.safe_load((MEMOS / "labels.yaml").read_text(encoding="utf-8"))
    return [
        LabelledMemo(pair["topic"], memo["file"], memo["label"], pair["language"])
        for pair in raw["pairs"]
        for memo in pair["memos"]
    ]


def default_rubric() -> RubricVersion:
    return RubricVersion(parse_rubric(DEFAULTS_DIR / "rubric.yaml"), 3)


def make_rubric(criteria: list[dict[str, Any]], low: int = 1, high: int = 5) -> RubricVersion:
    """A valid rubric from (key, name, weight, description) dicts, any scale."""
    levels = {level: f"Guidance for level {level}." for level in range(low, high + 1)}
    data = {
        "name": "Custom",
        "scale": {"min": low, "max": high},
        "criteria": [{**c, "levels": levels} for c in criteria],
    }
    return RubricVersion(Rubric.model_validate(data), 7)


async def evaluate(text: str, rubric: RubricVersion | None = None) -> EvaluationOutcome:
    return await OfflineEvaluator().evaluate(Memo(text=text), rubric or default_rubric())


def assert_sound(text: str, result: EvaluationResult) -> None:
    """The invariants every offline result keeps, whatever the memo."""
    scale = result.scale
    for criterion in result.criteria:
        assert criterion.score is None or scale.min <= criterion.score <= scale.max
        assert criterion.score is None or (criterion.score * 2).is_integer()
        assert criterion.justification.strip()
    assert result.overall_score == overall_score(result.criteria)
    spans = [(s.start, s.end) for s in result.segments]
    assert len(set(spans)) == len(spans)
    assert spans == sorted(spans)
    for segment in result.segments:
        assert text[segment.start : segment.end] == segment.quote
        assert segment.quote.strip()
        assert segment.comment.strip()
    assert len(result.strengths) <= 4
    assert len(result.opportunities) <= 4
    assert len(result.segments) <= 6
