"""Property test: whatever text arrives, offline scores stay in range and every quote is
verbatim memo text with exact offsets."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.evaluation.offline_support import assert_sound, evaluate, make_rubric

_WORDS = st.sampled_from(
    (
        "I", "we", "recommend", "should", "please", "approve", "by", "Friday", "14", "June",
        "Q3", "$2.5M", "40%", "risk", "mitigate", "maybe", "leverage", "synergy", "was",
        "approved", "Dr.", "e.g.", "3.5", "the", "budget", "cost", "alternative", "recomiendo",
        "riesgo", "quizás", "aprobación", "coste", "viernes", "—", "🚀", "naïve",
    )
)  # fmt: skip
_SEPARATORS = st.sampled_from([" ", " ", " ", ". ", ", ", "\n", "\n\n", "\n- ", "\n# ", "? "])
_MEMO_LIKE = st.lists(st.tuples(_WORDS, _SEPARATORS), max_size=300).map(
    lambda parts: "".join(word + sep for word, sep in parts)
)
_ANY_TEXT = st.text(max_size=3_000)
_SCALES = st.sampled_from([(1, 5), (1, 10), (0, 3), (0, 10)])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_MEMO_LIKE, _ANY_TEXT), scale=_SCALES)
def test_any_text_gives_in_range_scores_and_verbatim_segments(
    text: str, scale: tuple[int, int]
) -> None:
    criteria = [
        {"key": key, "name": name, "weight": weight, "description": "d"}
        for key, name, weight in (
            ("answer_first", "Answer first", 30),
            ("evidence", "Evidence", 20),
            ("clarity", "Clarity", 20),
            ("ask_next_steps", "Ask", 10),
            ("risks", "Risks", 10),
            ("tone", "Tone", 10),
        )
    ]
    rubric = make_rubric(criteria, *scale)
    result = asyncio.run(evaluate(text, rubric)).result
    assert_sound(text, result)
    assert result.criteria[-1].score is None
    assert all(c.score is not None for c in result.criteria[:-1])
