"""The offline evaluator's building blocks: sentence splitting, proselint offsets,
signals, rewrites and how rubric criteria map to judges and scales."""

from __future__ import annotations

import pytest

from evaluation.offline.analysis import analyse
from evaluation.offline.criteria import judge_for, to_scale
from evaluation.offline.judges import JUDGES
from evaluation.offline.rewrites import apply_rewrites, split_long
from evaluation.offline.signals import Kind
from evaluation.offline.style_lint import lint
from evaluation.offline.text_stats import readability, split_sentences, syllables
from evaluation.rubric import Criterion, Scale

MEMO = """To: Leadership team
Subject: Pricing

# Recommendation

I recommend annual pricing, e.g. at $12.50 per seat. Dr. Smith agrees!
Revenue grew 3.5% vs. last year. It was approved by J. Doe in Q3.

Next steps:
- Ana: draft the contract by Friday 14 June.
- Luis to brief sales. Then report back.
"""


def test_sentences_have_exact_offsets_and_kinds() -> None:
    sentences = split_sentences(MEMO)
    for s in sentences:
        assert MEMO[s.start : s.end] == s.text
    assert [(s.kind, s.text) for s in sentences] == [
        ("header", "To: Leadership team"),
        ("header", "Subject: Pricing"),
        ("heading", "Recommendation"),
        ("body", "I recommend annual pricing, e.g. at $12.50 per seat."),
        ("body", "Dr. Smith agrees!"),
        ("body", "Revenue grew 3.5% vs. last year."),
        ("body", "It was approved by J. Doe in Q3."),
        ("heading", "Next steps:"),
        ("bullet", "Ana: draft the contract by Friday 14 June."),
        ("bullet", "Luis to brief sales."),
        ("bullet", "Then report back."),
    ]


def test_a_short_last_line_without_a_full_stop_is_prose_not_a_heading() -> None:
    kinds = [s.kind for s in split_sentences("We should move now.\n\nPlease approve by Friday")]
    assert kinds == ["body", "body"]


def test_syllables_and_readability() -> None:
    assert syllables("cat", "en") == 1
    assert syllables("recommendation", "en") == 5
    assert syllables("recomendación", "es") == 5
    easy = readability(split_sentences("We sell more. Cats are fun. It is red."), "en")
    hard = readability(
        split_sentences("Organisational transformation necessitates comprehensive prioritisation."),
        "en",
    )
    assert easy is not None
    assert hard is not None
    assert easy > hard
    assert readability((), "en") is None


def test_proselint_spans_point_at_the_phrase() -> None:
    text = "This plan is very unique. We will utilize the the budget."
    findings = lint(text)
    assert findings
    phrases = {text[f.start : f.end] for f in findings}
    assert "very unique" in phrases
    assert "the the" in phrases
    assert lint("") == []


def test_signals_find_numbers_dates_asks_and_risks() -> None:
    text = (
        "I recommend we switch vendors. Costs fell from $2.1M to $1.8M in Q3 2024. "
        "Please approve by 14 June. The main risk is churn; a pilot will mitigate it. "
        "Maybe we should leverage synergies in order to grow."
    )
    a = analyse(text, "en")
    found = {kind: [h.phrase for h in a.signals.of(kind)] for kind in Kind}
    assert found[Kind.QUANTITY] == ["$2.1M", "$1.8M"]
    assert found[Kind.DATE] == ["Q3 2024", "14 June"]
    assert found[Kind.ASK] == ["Please approve"]
    assert "risk" in found[Kind.RISK]
    assert "pilot" in found[Kind.MITIGATION]
    assert found[Kind.HEDGE] == ["Maybe"]
    assert found[Kind.JARGON] == ["leverage", "synergies", "in order to"]
    for hit in a.signals.hits:
        assert text[hit.start : hit.end] == hit.phrase
    assert a.recommendation is not None
    assert a.recommendation.text.startswith("I recommend")
    assert a.asks
    assert a.ask_deadline(a.asks[0])


def test_spanish_signals() -> None:
    text = (
        "Recomiendo externalizar el almacén. Creo que quizás ahorremos 615.000 € al año. "
        "Necesito vuestra aprobación antes del viernes 18 de julio. El riesgo principal "
        "es el servicio; un piloto lo mitiga."
    )
    a = analyse(text, "es")
    assert [h.phrase for h in a.signals.of(Kind.HEDGE)] == ["Creo que", "quizás"]
    assert [h.phrase for h in a.signals.of(Kind.QUANTITY)] == ["615.000 €"]
    assert a.asks
    assert a.ask_deadline(a.asks[0])
    assert a.signals.of(Kind.RISK)
    assert a.signals.of(Kind.MITIGATION)


def test_hedge_and_jargon_rewrite() -> None:
    text = "Maybe we should leverage the new tool in order to cut costs."
    a = analyse(text, "en")
    sentence = a.prose[0]
    hits = list(a.signals.at(0, Kind.HEDGE) + a.signals.at(0, Kind.JARGON))
    assert apply_rewrites(sentence, hits) == "We should use the new tool to cut costs."


def test_long_sentence_split_at_a_clause() -> None:
    text = (
        "The support team has grown from nine to twelve agents this year, and we still miss "
        "our response target on most days because volume keeps rising faster than hiring."
    )
    a = analyse(text, "en")
    split = split_long(a.prose[0], a.lexicon)
    assert split == (
        "The support team has grown from nine to twelve agents this year.",
        "We still miss our response target on most days because volume keeps rising faster "
        "than hiring.",
    )


def _criterion(key: str, name: str, description: str = "Something.") -> Criterion:
    return Criterion(key=key, name=name, weight=10, description=description, levels={1: "a"})


@pytest.mark.parametrize(
    ("key", "name", "description", "judge"),
    [
        ("answer_first", "Anything", "x", "answer_first"),
        ("structure", "Structure", "x", "answer_first"),
        ("main_message", "Recommendation up front", "x", "answer_first"),
        ("support", "Data and facts", "x", "evidence"),
        ("style", "Concise, readable prose", "x", "clarity"),
        ("next", "Next steps", "x", "ask_next_steps"),
        ("cta", "Request", "x", "ask_next_steps"),
        ("feasibility", "Feasibility", "x", "risks"),
        ("riesgos", "Riesgos y costes", "x", "risks"),
        ("tone", "Tone", "Warm and respectful.", None),
        ("empathy", "Empathy", "Mentions the risk once.", None),
        ("other", "Other", "Backed by data, numbers and evidence.", "evidence"),
    ],
)
def test_judge_selection(key: str, name: str, description: str, judge: str | None) -> None:
    assert judge_for(_criterion(key, name, description)) == judge
    assert judge is None or judge in JUDGES


@pytest.mark.parametrize(
    ("level", "low", "high", "expected"),
    [
        (1.0, 1, 5, 1.0), (5.0, 1, 5, 5.0), (3.5, 1, 5, 3.5), (3.0, 1, 10, 5.5),
        (4.5, 1, 10, 9.0), (2.0, 0, 3, 1.0), (5.0, 0, 10, 10.0), (1.0, 2, 4, 2.0),
    ],
)  # fmt: skip
def test_to_scale(level: float, low: int, high: int, expected: float) -> None:
    assert to_scale(level, Scale(min=low, max=high)) == expected
