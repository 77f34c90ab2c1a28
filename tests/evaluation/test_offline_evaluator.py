"""The offline evaluator end to end: ranking of labelled memos, the result contract,
languages, custom rubrics, scales, edge inputs and speed."""

from __future__ import annotations

import json
import re
import time
from string import Formatter

import pytest

from evaluation.memo import Memo
from evaluation.offline import OfflineEvaluator
from evaluation.offline.messages import keys, template
from evaluation.offline.messages import say as message
from evaluation.result import OFFLINE_EVALUATOR, overall_score
from tests.evaluation.offline_support import (
    EXAMPLE_MEMO,
    LabelledMemo,
    assert_sound,
    default_rubric,
    evaluate,
    labelled_memos,
    make_rubric,
)

LABELLED = labelled_memos()
TOPICS = sorted({m.topic for m in LABELLED})


def _pair(topic: str) -> tuple[LabelledMemo, LabelledMemo]:
    pair = {m.label: m for m in LABELLED if m.topic == topic}
    return pair["strong"], pair["weak"]


def test_labelled_set_is_complete() -> None:
    assert len(TOPICS) >= 5
    assert any(m.language == "es" for m in LABELLED)
    for memo in LABELLED:
        words = len(memo.text.split())
        assert 150 <= words <= 600, (memo.file, words)


@pytest.mark.parametrize("topic", TOPICS)
async def test_strong_memo_outscores_its_weak_pair(topic: str) -> None:
    strong, weak = _pair(topic)
    strong_result = (await evaluate(strong.text)).result
    weak_result = (await evaluate(weak.text)).result
    assert strong_result.overall_score is not None
    assert weak_result.overall_score is not None
    assert strong_result.overall_score > weak_result.overall_score
    assert strong_result.language == weak_result.language == strong.language


async def test_every_strong_memo_outscores_every_weak_memo() -> None:
    scores: dict[str, list[float]] = {"strong": [], "weak": []}
    for memo in LABELLED:
        score = (await evaluate(memo.text)).result.overall_score
        assert score is not None
        scores[memo.label].append(score)
    assert min(scores["strong"]) > max(scores["weak"])


@pytest.mark.parametrize("memo", LABELLED, ids=lambda m: m.file)
async def test_labelled_results_are_sound_and_specific(memo: LabelledMemo) -> None:
    result = (await evaluate(memo.text)).result
    assert_sound(memo.text, result)
    assert 1 <= len(result.segments) <= 6
    assert result.strengths or result.opportunities
    if memo.label == "weak":
        assert len(result.opportunities) >= 2
        assert any(s.suggestions for s in result.segments)
    else:
        assert len(result.strengths) >= 2


async def test_example_memo_shows_both_sides() -> None:
    text = EXAMPLE_MEMO.read_text(encoding="utf-8")
    assert 200 <= len(text.split()) <= 400
    result = (await evaluate(text)).result
    assert_sound(text, result)
    assert result.overall_score is not None
    assert 2.5 <= result.overall_score <= 4.2
    assert len(result.strengths) >= 2
    assert len(result.opportunities) >= 2
    assert len(result.segments) >= 4
    assert all(s.questions and s.suggestions for s in result.segments)


async def test_outcome_contract() -> None:
    evaluator = OfflineEvaluator()
    rubric = default_rubric()
    outcome = await evaluator.evaluate(Memo(text=LABELLED[0].text), rubric)
    result = outcome.result
    assert evaluator.name == OFFLINE_EVALUATOR
    assert result.evaluator == OFFLINE_EVALUATOR
    assert result.is_offline
    assert result.rubric_version == rubric.version
    assert result.scale == rubric.rubric.scale
    assert result.overall_score == overall_score(result.criteria)
    assert [c.key for c in result.criteria] == [c.key for c in rubric.rubric.criteria]
    assert [c.weight for c in result.criteria] == [c.weight for c in rubric.rubric.criteria]
    assert outcome.model is None
    assert outcome.usage.model_dump() == {
        "input": 0,
        "output": 0,
        "cache_read": 0,
        "cache_write": 0,
    }
    assert outcome.latency_ms >= 0
    assert outcome.fallback_reason is None


async def test_json_shape() -> None:
    dumped = (await evaluate(LABELLED[1].text)).result.model_dump(mode="json")
    assert set(dumped) == {
        "overall_score", "scale", "evaluator", "rubric_version", "language", "criteria",
        "strengths", "opportunities", "segments",
    }  # fmt: skip
    assert set(dumped["scale"]) == {"min", "max"}
    for criterion in dumped["criteria"]:
        assert set(criterion) == {"key", "name", "weight", "score", "justification"}
    for segment in dumped["segments"]:
        assert set(segment) == {"quote", "start", "end", "comment", "questions", "suggestions"}
        assert 1 <= len(segment["questions"]) <= 2
    assert all(isinstance(s, str) for s in dumped["strengths"] + dumped["opportunities"])


async def test_deterministic_byte_for_byte() -> None:
    text = EXAMPLE_MEMO.read_text(encoding="utf-8")
    first = (await evaluate(text)).result.model_dump_json()
    second = (await OfflineEvaluator().evaluate(Memo(text=text), default_rubric())).result
    assert first == second.model_dump_json()


def _english_fragments() -> list[str]:
    """Fixed English text of every catalogue entry (the part before any placeholder)."""
    fragments = []
    for key in keys():
        english = _fill("en", key)
        fragment = re.split(r"“|\{|\d", english)[0].strip()
        if len(fragment) >= 12:
            fragments.append(fragment)
    return fragments


def _fill(language: str, key: str) -> str:
    """A catalogue entry with every placeholder filled with "{}"."""
    fields = [f for _, f, _, _ in Formatter().parse(template(language, key)) if f]
    return message(language, key, **dict.fromkeys(fields, "{}"))


async def test_spanish_memo_gets_spanish_feedback() -> None:
    strong, weak = _pair("almacen")
    for memo in (strong, weak):
        result = (await evaluate(memo.text)).result
        assert result.language == "es"
        feedback = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
        for fragment in _english_fragments():
            assert fragment not in feedback, fragment
        assert any(word in feedback for word in ("frase", "petición", "riesgo", "Riesgos"))


def test_catalogue_is_complete_in_both_languages() -> None:
    for key in keys():
        english = _fill("en", key)
        spanish = _fill("es", key)
        assert english.strip()
        assert spanish.strip()
        assert english != spanish or not re.search(r"[a-z]{4}", english), key
        fields = [
            {f for _, f, _, _ in Formatter().parse(template(lang, key)) if f}
            for lang in ("en", "es")
        ]
        assert fields[0] == fields[1], key


async def test_unknown_criterion_is_left_unjudged_and_honest() -> None:
    rubric = make_rubric(
        [
            {"key": "tone", "name": "Tone and empathy", "weight": 30,
             "description": "Warm, respectful tone suited to the audience."},
            {"key": "data_support", "name": "Data", "weight": 40,
             "description": "Claims are supported by data."},
            {"key": "concise", "name": "Concise writing", "weight": 30,
             "description": "Short and plain."},
        ]
    )  # fmt: skip
    result = (await evaluate(LABELLED[0].text, rubric)).result
    tone, data, concise = result.criteria
    assert tone.score is None
    assert "cannot judge" in tone.justification
    assert "API key" in tone.justification
    assert data.score is not None
    assert concise.score is not None
    expected = (data.score * 40 + concise.score * 30) / 70
    assert result.overall_score == overall_score(result.criteria)
    assert result.overall_score == pytest.approx(expected, abs=0.05)


async def test_only_unknown_criteria_gives_no_overall() -> None:
    rubric = make_rubric(
        [{"key": "tone", "name": "Tone", "weight": 100, "description": "Warm and kind."}]
    )
    result = (await evaluate(LABELLED[0].text, rubric)).result
    assert result.criteria[0].score is None
    assert result.overall_score is None


async def test_custom_criteria_are_matched_by_keywords() -> None:
    rubric = make_rubric(
        [
            {"key": "structure", "name": "Structure", "weight": 20,
             "description": "Conclusion first."},
            {"key": "facts", "name": "Supporting evidence", "weight": 20, "description": "x"},
            {"key": "readability", "name": "Readability", "weight": 20, "description": "x"},
            {"key": "call_to_action", "name": "Call to action", "weight": 20, "description": "x"},
            {"key": "feasibility", "name": "Feasibility", "weight": 20, "description": "x"},
        ]
    )  # fmt: skip
    text = EXAMPLE_MEMO.read_text(encoding="utf-8")
    custom = (await evaluate(text, rubric)).result
    default = (await evaluate(text)).result
    assert [c.score for c in custom.criteria] == [c.score for c in default.criteria]
    assert [c.justification for c in custom.criteria] == [c.justification for c in default.criteria]


@pytest.mark.parametrize(("low", "high"), [(1, 10), (0, 3), (0, 10), (2, 4)])
async def test_other_scales_stay_in_range(low: int, high: int) -> None:
    criteria = [
        {"key": key, "name": key, "weight": 20, "description": "d"}
        for key in ("answer_first", "evidence", "clarity", "ask_next_steps", "risks")
    ]
    rubric = make_rubric(criteria, low, high)
    for memo in LABELLED[:4]:
        result = (await evaluate(memo.text, rubric)).result
        assert result.scale.min == low
        assert result.scale.max == high
        assert_sound(memo.text, result)
    strong = (await evaluate(_pair("pricing")[0].text, rubric)).result
    weak = (await evaluate(_pair("pricing")[1].text, rubric)).result
    assert strong.overall_score is not None
    assert weak.overall_score is not None
    assert strong.overall_score > weak.overall_score


EDGE_INPUTS = {
    "one sentence": "Please approve the new vendor contract by Friday 14 June.",
    "only bullets": "- cut costs\n- hire two people\n- 30% faster\n* launch in Q3\n• done",
    "no punctuation": "we need to talk about the budget " * 40,
    "emoji and unicode": "🚀 Recomendamos lanzar 🎉 el piloto — ¿por qué? ¡Porque sí! "
    "数据 مرحبا 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 naïve café\u200b\u00a0e\u0301 \ufeffend.",
    "forty thousand characters": (EXAMPLE_MEMO.read_text(encoding="utf-8") + "\n\n") * 200,
    "headings only": "# Plan\n\n## Risks\n\n## Next steps\n",
    "crlf and tabs": "Background:\r\n\tWe should move.\r\n\r\n- Ana: ship it by May 3.\r\n",
    "empty": "",
    "whitespace": "   \n\n\t  ",
    "punctuation only": "... !!! ??? ; : — -- ()",
    "markdown bold": "**Recommendation:** switch vendors.\n\n**Ask:** approve by 1 July.",
}


@pytest.mark.parametrize("name", list(EDGE_INPUTS))
async def test_edge_inputs_do_not_crash(name: str) -> None:
    text = EDGE_INPUTS[name][:40_000]
    outcome = await evaluate(text)
    assert_sound(text, outcome.result)


async def test_forty_thousand_characters_well_under_a_second() -> None:
    text = EDGE_INPUTS["forty thousand characters"][:40_000]
    await evaluate(text[:2_000])  # warm-up: regex compilation, proselint registration
    started = time.perf_counter()
    outcome = await evaluate(text)
    assert time.perf_counter() - started < 1.0
    assert outcome.latency_ms < 1_000
