"""Strengths and opportunities: only what the rules actually found, most important first.

Each candidate belongs to a judge; importance is that judge's rubric weight times how
far its level is from the top (opportunities) or how high it is (strengths). A memo
with one genuine strength gets one strength, never padding.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.offline.analysis import Analysis
from evaluation.offline.judges import (
    MAX_LEVEL,
    TOO_LONG_WORDS,
    Judgement,
    figure_examples,
    structured,
)
from evaluation.offline.messages import quote, say
from evaluation.offline.signals import Hit, Kind

MAX_ITEMS = 4
_PER_JUDGE = 2
_UNWEIGHTED = 10
_STRONG_DEFAULT = 4.0
_STRONG_LEVEL = {"clarity": 4.5}
"""Clarity at 4 still has findings worth fixing; only call it a strength near the top.
Short sentences are no achievement in a memo of a dozen words, hence the length check."""
_TOO_SHORT_WORDS = 120
_LENGTH_IMPORTANCE = 30.0
"""As important as a mid-weight criterion two levels short of the top."""


@dataclass(frozen=True)
class _Item:
    judge: str
    importance: float
    text: str


def _phrases(hits: list[Hit], limit: int = 3) -> str:
    unique = list(dict.fromkeys(h.phrase.lower() for h in hits))
    return ", ".join(quote(p, 40) for p in unique[:limit])


def _pick(items: list[_Item]) -> list[str]:
    ranked = sorted(enumerate(items), key=lambda pair: (-pair[1].importance, pair[0]))
    chosen: list[str] = []
    per_judge: dict[str, int] = {}
    for _, item in ranked:
        if per_judge.get(item.judge, 0) < _PER_JUDGE and item.text not in chosen:
            chosen.append(item.text)
            per_judge[item.judge] = per_judge.get(item.judge, 0) + 1
    return chosen[:MAX_ITEMS]


def strengths(a: Analysis, levels: dict[str, Judgement], weights: dict[str, int]) -> list[str]:
    lang, items = a.language, []

    def add(judge: str, text: str) -> None:
        level = levels[judge].level
        if judge == "clarity" and a.stats.word_count < _TOO_SHORT_WORDS:
            return
        if level >= _STRONG_LEVEL.get(judge, _STRONG_DEFAULT):
            items.append(_Item(judge, weights.get(judge, _UNWEIGHTED) * level, text))

    if a.recommendation is not None and a.recommendation in a.lead:
        add("answer_first", say(lang, "st_answer_first", quote=quote(a.recommendation.text)))
    quantities = a.prose_hits(Kind.QUANTITY)
    evidence = say(
        lang,
        "st_evidence",
        count=len(quantities),
        numeric=len(a.numeric),
        context=len(a.numeric_in_context),
        example=figure_examples(quantities),
    )
    add("evidence", evidence)
    issues = len(
        a.prose_hits(Kind.PASSIVE)
        + a.prose_hits(Kind.HEDGE)
        + a.prose_hits(Kind.JARGON)
        + a.prose_hits(Kind.STYLE)
    )
    key = "st_clarity" if issues else "st_clarity_clean"
    add("clarity", say(lang, key, average=a.stats.average_words, issues=issues))
    timed = [s for s in a.asks if a.ask_deadline(s)]
    if timed:
        add("ask_next_steps", say(lang, "st_ask", quote=quote(timed[0].text)))
    complete = [s for s in a.steps if a.has_owner(s) and a.has_deadline(s)]
    if a.steps and len(complete) * 2 >= len(a.steps):
        owners = sum(1 for s in a.steps if a.has_owner(s))
        dates = sum(1 for s in a.steps if a.has_deadline(s))
        add("ask_next_steps", say(lang, "st_steps", steps=len(a.steps), owners=owners, dates=dates))
    add(
        "risks",
        say(
            lang,
            "st_risks",
            risks=a.risk_mentions,
            mitigations=len(a.signals.of(Kind.MITIGATION)),
            alternatives=len(a.signals.of(Kind.ALTERNATIVE)),
        ),
    )
    long_enough = a.stats.word_count >= _TOO_SHORT_WORDS
    if structured(a) and (a.stats.headings or a.stats.bullets) and long_enough:
        items.append(
            _Item(
                "structure",
                _UNWEIGHTED,
                say(lang, "st_structure", headings=a.stats.headings, bullets=a.stats.bullets),
            )
        )
    return _pick(items)


def _answer_items(a: Analysis) -> list[tuple[float, str]]:
    lang, rec = a.language, a.recommendation
    if rec is None:
        return [(1.0, say(lang, "op_no_answer", quote=quote(a.prose[0].text)))]
    out = []
    if rec not in a.lead:
        out.append((1.0, say(lang, "op_buried", position=a.position(rec), quote=quote(rec.text))))
    hedges = list(a.signals.at(rec.index, Kind.HEDGE))
    if hedges:
        out.append((0.6, say(lang, "op_hedged_answer", phrases=_phrases(hedges))))
    return out


def _evidence_items(a: Analysis) -> list[tuple[float, str]]:
    lang, sig = a.language, a.signals
    numeric, context = a.numeric, a.numeric_in_context
    vague = [h for h in a.prose_hits(Kind.VAGUE) if not sig.has(h.sentence, Kind.QUANTITY)]
    out = []
    if not numeric:
        out.append((1.0, say(lang, "op_no_numbers")))
    else:
        if len(context) * 2 < len(numeric):
            out.append((0.6, say(lang, "op_context", context=len(context), numeric=len(numeric))))
        if not (a.prose_hits(Kind.SOURCE) or a.prose_hits(Kind.ASSUMPTION)):
            out.append((0.4, say(lang, "op_no_support")))
    if vague:
        out.append((0.8, say(lang, "op_vague", count=len(vague), phrases=_phrases(vague))))
    return out


def _clarity_items(a: Analysis) -> list[tuple[float, str]]:
    lang, stats, out = a.language, a.stats, []
    if stats.long_sentences:
        longest = stats.longest.words if stats.longest else 0
        out.append(
            (
                0.5 + 0.1 * len(stats.long_sentences),
                say(
                    lang,
                    "op_long",
                    count=len(stats.long_sentences),
                    limit=a.lexicon.long_sentence_words,
                    longest=longest,
                ),
            )
        )
    for kind, key in ((Kind.HEDGE, "op_hedges"), (Kind.PASSIVE, "op_passive")):
        hits = a.prose_hits(kind)
        if len(hits) >= 2:
            out.append(
                (0.3 + 0.1 * len(hits), say(lang, key, count=len(hits), phrases=_phrases(hits)))
            )
    wordy = a.prose_hits(Kind.JARGON) + a.prose_hits(Kind.STYLE)
    if len(wordy) >= 2:
        out.append(
            (
                0.3 + 0.1 * len(wordy),
                say(lang, "op_jargon", count=len(wordy), phrases=_phrases(wordy)),
            )
        )
    return out


def _length_items(a: Analysis) -> list[_Item]:
    words = a.stats.word_count
    if words > TOO_LONG_WORDS:
        return [_Item("length", _LENGTH_IMPORTANCE, say(a.language, "op_too_long", words=words))]
    if words < _TOO_SHORT_WORDS:
        return [_Item("length", _LENGTH_IMPORTANCE, say(a.language, "op_too_short", words=words))]
    return []


def _ask_items(a: Analysis) -> list[tuple[float, str]]:
    lang, out = a.language, []
    timed = [s for s in a.asks if a.ask_deadline(s)]
    if not a.asks and a.soft_asks:
        out.append((1.0, say(lang, "op_soft_ask", quote=quote(a.soft_asks[0].text))))
    elif not a.asks:
        out.append((1.0, say(lang, "op_no_ask")))
    elif not timed:
        out.append((0.8, say(lang, "op_no_deadline", quote=quote(a.asks[0].text))))
    elif not any(s in a.opening for s in a.asks):
        out.append((0.4, say(lang, "op_ask_late")))
    if not a.steps:
        out.append((0.6, say(lang, "op_no_steps")))
    else:
        no_owner = sum(1 for s in a.steps if not a.has_owner(s))
        no_date = sum(1 for s in a.steps if not a.has_deadline(s))
        if no_owner or no_date:
            out.append(
                (
                    0.5,
                    say(
                        lang,
                        "op_steps_incomplete",
                        steps=len(a.steps),
                        no_owner=no_owner,
                        no_date=no_date,
                    ),
                )
            )
    return out


def _risk_items(a: Analysis) -> list[tuple[float, str]]:
    lang, sig = a.language, a.signals
    if not (sig.of(Kind.RISK) or sig.of(Kind.COST)):
        return [(1.0, say(lang, "op_no_risks"))]
    checks = (
        (Kind.MITIGATION, "op_no_mitigation", 0.8),
        (Kind.ALTERNATIVE, "op_no_alternatives", 0.6),
        (Kind.COST, "op_no_cost", 0.5),
    )
    return [(weight, say(lang, key)) for kind, key, weight in checks if not sig.of(kind)]


_OPPORTUNITIES = {
    "answer_first": _answer_items,
    "evidence": _evidence_items,
    "clarity": _clarity_items,
    "ask_next_steps": _ask_items,
    "risks": _risk_items,
}


def opportunities(a: Analysis, levels: dict[str, Judgement], weights: dict[str, int]) -> list[str]:
    if not a.prose:
        return []
    items = _length_items(a)
    for judge, build in _OPPORTUNITIES.items():
        gap = MAX_LEVEL - levels[judge].level
        if gap <= 0:
            continue
        weight = weights.get(judge, _UNWEIGHTED)
        items += [_Item(judge, weight * gap * severity, text) for severity, text in build(a)]
    return _pick(items)
