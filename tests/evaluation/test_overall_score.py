"""The overall score is computed in code: weighted mean of judged criteria, rounded to 0.1."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.result import CriterionScore, overall_score


def c(weight: int, score: float | None) -> CriterionScore:
    return CriterionScore(key=f"k{weight}", name="n", weight=weight, score=score, justification="")


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ([c(25, 4), c(20, 3), c(20, 4), c(20, 3), c(15, 4)], 3.6),
        ([c(50, 5), c(50, 4)], 4.5),
        ([c(30, 3), c(70, 4)], 3.7),
        ([c(50, 3), c(25, 4), c(25, 4)], 3.5),
        ([c(60, 3), c(40, None)], 3.0),
        ([c(100, None)], None),
        ([], None),
        ([c(1, 1), c(99, 5)], 5.0),
    ],
)
def test_weighted_mean(criteria: list[CriterionScore], expected: float | None) -> None:
    assert overall_score(criteria) == expected


def test_half_rounds_up_not_to_even() -> None:
    # 3.25 and 3.35 are exact halves; banker's rounding would give 3.2 and 3.4
    assert overall_score([c(50, 3), c(25, 3.5), c(25, 3.5)]) == 3.3  # 3.25
    assert overall_score([c(50, 3.5), c(50, 3.2)]) == 3.4  # 3.35


@given(st.lists(st.tuples(st.integers(1, 100), st.integers(1, 5)), min_size=1, max_size=8))
def test_bounded_by_min_and_max(pairs: list[tuple[int, int]]) -> None:
    result = overall_score([c(w, s) for w, s in pairs])
    assert result is not None
    assert min(s for _, s in pairs) <= result <= max(s for _, s in pairs)
    assert round(result, 1) == result
