"""One rule-based judge per kind of criterion, each scoring on a canonical 1-5 scale.

Levels follow the default rubric's guidance so a 3 here means what a 3 means there;
`criteria.py` maps them onto whatever scale the rubric uses. Every justification
names the counts and phrases that produced the level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from evaluation.offline.analysis import Analysis
from evaluation.offline.messages import quote, say
from evaluation.offline.signals import Hit, Kind

MIN_LEVEL, MAX_LEVEL = 1.0, 5.0
_STRUCTURE_HEADINGS, _STRUCTURE_BULLETS, _STRUCTURE_PARAGRAPHS = 2, 3, 3
_SHORT_PARAGRAPH_WORDS = 40
TOO_LONG_WORDS = 1200
_LOW_READABILITY = {"en": 30.0, "es": 45.0}


@dataclass(frozen=True)
class Judgement:
    level: float
    justification: str


Judge = Callable[[Analysis], Judgement]


def _clamp(level: float) -> float:
    return max(MIN_LEVEL, min(MAX_LEVEL, level))


def _phrases(hits: list[Hit], limit: int = 3) -> str:
    """The first ``limit`` distinct phrases (case-insensitive), quoted."""
    seen: dict[str, str] = {}
    for hit in hits:
        seen.setdefault(hit.phrase.lower(), hit.phrase)
        if len(seen) == limit:
            break
    return ", ".join(quote(p, 40) for p in seen.values())


def figure_examples(hits: list[Hit], limit: int = 2) -> str:
    """The most telling figures: ones with a unit, currency or % before bare numbers."""
    bare = [h.phrase.replace(",", "").replace(".", "").isdigit() for h in hits]
    ranked = [h for _, _, h in sorted(zip(bare, range(len(hits)), hits, strict=True))]
    return _phrases(ranked, limit)


def _empty(a: Analysis) -> Judgement:
    return Judgement(MIN_LEVEL, say(a.language, "no_prose"))


def structured(a: Analysis) -> bool:
    """Grouped support: headings, a list, or several short paragraphs."""
    s = a.stats
    short_paragraphs = s.paragraphs >= _STRUCTURE_PARAGRAPHS and (
        s.word_count / s.paragraphs <= _SHORT_PARAGRAPH_WORDS
    )
    return s.headings >= _STRUCTURE_HEADINGS or s.bullets >= _STRUCTURE_BULLETS or short_paragraphs


def answer_first(a: Analysis) -> Judgement:
    if not a.prose:
        return _empty(a)
    lang, first, rec = a.language, a.prose[0], a.recommendation
    parts: list[str] = []
    if rec is None:
        return Judgement(MIN_LEVEL, say(lang, "af_none", quote=quote(first.text)))
    if a.signals.has(first.index, Kind.BACKGROUND) and rec is not first:
        parts.append(say(lang, "af_background_opener", quote=quote(first.text)))
    position, total = a.position(rec), len(a.prose)
    if position <= len(a.lead):
        level = 5.0 if structured(a) else 4.0
        level -= 1.0 if parts else 0.0
        parts.insert(0, say(lang, "af_lead", position=position, quote=quote(rec.text)))
    elif position <= len(a.opening) or rec.paragraph == first.paragraph:
        level = 3.0
        parts.append(say(lang, "af_first_paragraph", position=position, quote=quote(rec.text)))
    else:
        level = 2.5 if position <= total / 2 else 2.0
        parts.append(say(lang, "af_buried", position=position, total=total, quote=quote(rec.text)))
    hedges = list(a.signals.at(rec.index, Kind.HEDGE))
    if hedges:
        level = min(level, 3.5) if position <= len(a.lead) else level - 0.5
        parts.append(say(lang, "af_hedged", phrases=_phrases(hedges)))
    key = "af_structured" if structured(a) else "af_unstructured"
    stats = a.stats
    parts.append(
        say(lang, key, headings=stats.headings, bullets=stats.bullets, paragraphs=stats.paragraphs)
    )
    return Judgement(_clamp(level), " ".join(parts))


def evidence(a: Analysis) -> Judgement:
    if not a.prose:
        return _empty(a)
    lang, sig = a.language, a.signals
    quantities = a.prose_hits(Kind.QUANTITY)
    numeric, in_context = a.numeric, a.numeric_in_context
    vague = [h for h in a.prose_hits(Kind.VAGUE) if not sig.has(h.sentence, Kind.QUANTITY)]
    support = a.prose_hits(Kind.SOURCE) + a.prose_hits(Kind.ASSUMPTION)
    if not quantities:
        level, parts = 1.0, [say(lang, "ev_none")]
    else:
        density = len(numeric) / len(a.prose)
        level = (
            4.0 if density >= 0.35 else 3.5 if density >= 0.2 else 3.0 if density >= 0.1 else 2.0
        )
        level = min(level, 2.5) if len(quantities) < 3 else level
        level += 0.5 if len(in_context) >= 0.6 * len(numeric) else 0.0
        parts = [
            say(
                lang,
                "ev_counts",
                count=len(quantities),
                numeric=len(numeric),
                total=len(a.prose),
                example=figure_examples(quantities),
            ),
            say(lang, "ev_context", context=len(in_context), numeric=len(numeric)),
        ]
    if support:
        level += 0.5 if quantities else 0.0
        parts.append(say(lang, "ev_support", phrases=_phrases(support)))
    elif quantities:
        parts.append(say(lang, "ev_no_support"))
    if vague:
        level -= 1.0 if len(vague) >= 4 else 0.5 if len(vague) >= 2 else 0.0
        parts.append(say(lang, "ev_vague", count=len(vague), phrases=_phrases(vague)))
    return Judgement(_clamp(level), " ".join(parts))


def _step(value: float, limits: tuple[float, float], penalties: tuple[float, float]) -> float:
    """Penalty for a measure above a soft and a hard limit."""
    return penalties[1] if value > limits[1] else penalties[0] if value > limits[0] else 0.0


def clarity(a: Analysis) -> Judgement:
    if not a.prose:
        return _empty(a)
    lang, stats, long_at = a.language, a.stats, a.lexicon.long_sentence_words
    words = max(stats.word_count, 1)
    passive = a.prose_hits(Kind.PASSIVE)
    hedges = a.prose_hits(Kind.HEDGE)
    wordy = a.prose_hits(Kind.JARGON) + a.prose_hits(Kind.STYLE)
    level = MAX_LEVEL
    level -= _step(stats.average_words, (long_at - 5, long_at + 5), (0.5, 1.5))
    level -= _step(len(stats.long_sentences) / len(a.prose), (0.15, 0.35), (0.5, 1.0))
    level -= _step(len({h.sentence for h in passive}) / len(a.prose), (0.15, 0.3), (0.5, 1.0))
    level -= _step(len(hedges) * 100 / words, (0.8, 2.0), (0.5, 1.0))
    level -= _step(len(wordy) * 100 / words, (0.8, 2.0), (0.5, 1.0))
    level -= 0.5 if stats.word_count > TOO_LONG_WORDS else 0.0
    longest = stats.longest.words if stats.longest else 0
    level -= 0.5 if longest > a.lexicon.very_long_sentence_words else 0.0
    parts = [
        say(
            lang,
            "cl_length",
            average=stats.average_words,
            longest=longest,
            long=len(stats.long_sentences),
            total=len(a.prose),
            limit=long_at,
        )
    ]
    for key, hits in (("cl_passive", passive), ("cl_hedges", hedges), ("cl_wordy", wordy)):
        if hits:
            parts.append(say(lang, key, count=len(hits), phrases=_phrases(hits)))
    if not (passive or hedges or wordy):
        parts.append(say(lang, "cl_clean"))
    if stats.readability is not None:
        low = stats.readability < _LOW_READABILITY[lang]
        level -= 0.5 if low else 0.0
        parts.append(say(lang, "cl_readability", score=round(stats.readability)))
    if stats.word_count > TOO_LONG_WORDS:
        parts.append(say(lang, "cl_too_long", words=stats.word_count))
    return Judgement(_clamp(level), " ".join(parts))


def ask_next_steps(a: Analysis) -> Judgement:
    if not a.prose:
        return _empty(a)
    lang = a.language
    steps = a.steps
    owned = [s for s in steps if a.has_owner(s)]
    dated = [s for s in steps if a.has_deadline(s)]
    complete = [s for s in steps if a.has_owner(s) and a.has_deadline(s)]
    steps_ok = bool(steps) and len(complete) * 2 >= len(steps)
    parts: list[str] = []
    if not a.asks:
        level = 2.5 if steps_ok else 2.0 if steps or a.soft_asks else 1.0
        if a.soft_asks:
            parts.append(say(lang, "ask_soft", quote=quote(a.soft_asks[0].text)))
        else:
            parts.append(say(lang, "ask_none"))
    else:
        timed = [s for s in a.asks if a.ask_deadline(s)]
        ask = timed[0] if timed else a.asks[0]
        parts.append(say(lang, "ask_found", quote=quote(ask.text)))
        if timed:
            level = 4.0 + (0.5 if ask in a.opening else 0.0) + (0.5 if steps_ok else 0.0)
            parts.append(say(lang, "ask_deadline"))
        else:
            level = 3.5 if steps_ok else 3.0
            parts.append(say(lang, "ask_no_deadline"))
        if ask not in a.opening:
            parts.append(say(lang, "ask_late"))
    if steps:
        parts.append(
            say(lang, "steps_counts", steps=len(steps), owners=len(owned), dates=len(dated))
        )
    else:
        parts.append(say(lang, "steps_none"))
    return Judgement(_clamp(level), " ".join(parts))


def risks(a: Analysis) -> Judgement:
    if not a.prose:
        return _empty(a)
    found = {
        k: list(a.signals.of(k)) for k in (Kind.RISK, Kind.MITIGATION, Kind.COST, Kind.ALTERNATIVE)
    }
    risk, mitigation, cost, alternative = found.values()
    risk_count = a.risk_mentions
    total = sum(len(v) for v in found.values()) + risk_count - len(risk)
    if total == 0:
        return Judgement(MIN_LEVEL, say(a.language, "risk_none"))
    if not risk:
        level = 2.5 if cost and (mitigation or alternative) else 2.0
    elif total == 1:
        level = 2.0
    elif not (mitigation or alternative):
        level = 3.0
    elif not cost:
        level = 3.5
    else:
        both = bool(mitigation and alternative)
        level = 4.0 + (0.5 if both else 0.0) + (0.5 if both and risk_count >= 2 else 0.0)
    rows = (
        ("risk_risks", risk_count, risk),
        ("risk_mitigations", len(mitigation), mitigation),
        ("risk_costs", len(cost), cost),
        ("risk_alternatives", len(alternative), alternative),
    )
    parts = [
        say(a.language, key, count=count, phrases=_phrases(hits))
        if count
        else say(a.language, key + "_none")
        for key, count, hits in rows
    ]
    return Judgement(_clamp(level), " ".join(parts))


JUDGES: dict[str, Judge] = {
    "answer_first": answer_first,
    "evidence": evidence,
    "clarity": clarity,
    "ask_next_steps": ask_next_steps,
    "risks": risks,
}
