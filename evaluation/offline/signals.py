"""Find every rule signal (hedge, number, ask, risk...) in a memo's sentences.

Signals are matched per sentence so a pattern never spans two sentences, and every hit
keeps exact memo offsets so it can be quoted. The judges only count and compare hits.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from evaluation.offline import style_lint
from evaluation.offline.lexicon import Lexicon, Rewrite
from evaluation.offline.text_stats import Sentence, TextStats


class Kind(StrEnum):
    RECOMMEND = "recommend"
    BACKGROUND = "background"
    HEDGE = "hedge"
    JARGON = "jargon"
    STYLE = "style"
    VAGUE = "vague"
    PASSIVE = "passive"
    ASK = "ask"
    SOFT_ASK = "soft_ask"
    DEADLINE = "deadline"
    DATE = "date"
    YEAR = "year"
    QUANTITY = "quantity"
    OWNER = "owner"
    NEXT_STEPS = "next_steps"
    RISK = "risk"
    MITIGATION = "mitigation"
    COST = "cost"
    ALTERNATIVE = "alternative"
    SOURCE = "source"
    ASSUMPTION = "assumption"
    COMPARISON = "comparison"


@dataclass(frozen=True)
class Hit:
    """One match. ``rewrite``: replacement text, "" to delete, None if no safe rewrite."""

    kind: Kind
    start: int
    end: int
    phrase: str
    sentence: int
    rewrite: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Signals:
    hits: tuple[Hit, ...]
    _by_kind: dict[Kind, tuple[Hit, ...]] = field(repr=False)
    _by_sentence: dict[tuple[int, Kind], tuple[Hit, ...]] = field(repr=False)

    def of(self, kind: Kind) -> tuple[Hit, ...]:
        return self._by_kind.get(kind, ())

    def at(self, sentence: int, kind: Kind) -> tuple[Hit, ...]:
        return self._by_sentence.get((sentence, kind), ())

    def has(self, sentence: int, *kinds: Kind) -> bool:
        return any((sentence, kind) in self._by_sentence for kind in kinds)


_END = r"(?:(?<=\s)|(?![\w]))"
"""A phrase ends at a word boundary, or right after the space it swallowed."""


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![\w@])(?:{body}){_END}", re.IGNORECASE)


Rewrites = tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str | None], ...]]
"""One pattern matching any entry (a cheap pre-check), then each entry on its own."""


@dataclass(frozen=True)
class _Compiled:
    phrases: dict[Kind, re.Pattern[str]]
    rewrites: dict[Kind, Rewrites]
    passive: re.Pattern[str]
    dates: re.Pattern[str]
    year: re.Pattern[str]
    number: re.Pattern[str]


_PHRASE_FIELDS = {
    Kind.RECOMMEND: "recommend",
    Kind.BACKGROUND: "background",
    Kind.VAGUE: "vague",
    Kind.ASK: "ask",
    Kind.SOFT_ASK: "soft_ask",
    Kind.DEADLINE: "deadline",
    Kind.OWNER: "owner",
    Kind.NEXT_STEPS: "next_steps",
    Kind.RISK: "risk",
    Kind.MITIGATION: "mitigation",
    Kind.COST: "cost",
    Kind.ALTERNATIVE: "alternative",
    Kind.SOURCE: "source",
    Kind.ASSUMPTION: "assumption",
    Kind.COMPARISON: "comparison",
}
_cache: dict[str, _Compiled] = {}


def _rewrites(entries: tuple[Rewrite, ...]) -> Rewrites:
    each = tuple((_alternation([pattern]), replacement) for pattern, replacement in entries)
    return _alternation(pattern for pattern, _ in entries), each


def _date_patterns(lexicon: Lexicon) -> re.Pattern[str]:
    months = "|".join(lexicon.months)
    full_months = "|".join(m for m in lexicon.months if len(m) > 3 and m != "may")
    weekdays = "|".join(lexicon.weekdays)
    dates = (
        r"\b(?:Q[1-4]|H[12]|T[1-4])(?:\s?(?:FY)?\s?'?\d{2,4})?\b",
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+)?(?:{months})\b(?:\s+(?:de\s+)?\d{{4}})?",
        rf"\b(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",
        r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
        r"\b\d{4}-\d{2}-\d{2}\b",
        rf"\b(?:{weekdays})\b",
        rf"\b(?:in|by|before|until|end of|en|antes de|para|a finales de|hasta)\s+"
        rf"(?:{full_months})\b(?!\s+\d)",
    )
    return re.compile("|".join(f"(?:{d})" for d in dates), re.IGNORECASE)


def _compile(lexicon: Lexicon, language: str) -> _Compiled:
    """Compile a lexicon once per language (regex compilation dominates small memos)."""
    cached = _cache.get(language)
    if cached is None:
        cached = _Compiled(
            phrases={k: _alternation(getattr(lexicon, f)) for k, f in _PHRASE_FIELDS.items()},
            rewrites={
                Kind.HEDGE: _rewrites(lexicon.hedges),
                Kind.JARGON: _rewrites(lexicon.jargon),
            },
            passive=re.compile(lexicon.passive, re.IGNORECASE),
            dates=_date_patterns(lexicon),
            year=re.compile(r"(?<![\w.,])(?:19[5-9]\d|20[0-4]\d)(?![\w%])"),
            number=re.compile(
                r"(?:[$€£]\s?)?(?<![\w.,])\d+(?:[.,]\d+)*(?:\s?[%€£]|[kKmM](?!\w)|bn(?!\w))?"
            ),
        )
        _cache[language] = cached
    return cached


class _Covered:
    """Character positions already claimed, so overlap checks stay linear on long memos."""

    def __init__(self) -> None:
        self._positions: set[int] = set()

    def overlaps(self, span: tuple[int, int]) -> bool:
        return any(i in self._positions for i in range(*span))

    def claim(self, span: tuple[int, int]) -> None:
        self._positions.update(range(*span))


def _sentence_hits(sentence: Sentence, compiled: _Compiled) -> list[Hit]:
    text, offset, index = sentence.text, sentence.start, sentence.index
    hits: list[Hit] = []

    def add(kind: Kind, match: re.Match[str], rewrite: str | None = None) -> tuple[int, int]:
        phrase = match.group(0).rstrip()
        start = offset + match.start()
        hits.append(Hit(kind, start, start + len(phrase), phrase, index, rewrite))
        return match.span()

    for kind, pattern in compiled.phrases.items():
        for match in pattern.finditer(text):
            add(kind, match)
    for kind, (any_entry, rewrites) in compiled.rewrites.items():
        if not any_entry.search(text):
            continue
        taken = _Covered()
        for pattern, replacement in rewrites:
            for match in pattern.finditer(text):
                if not taken.overlaps(match.span()):
                    taken.claim(add(kind, match, replacement))
    for match in compiled.passive.finditer(text):
        add(Kind.PASSIVE, match)
    dated = _Covered()
    for match in compiled.dates.finditer(text):
        dated.claim(add(Kind.DATE, match))
    for kind, pattern in ((Kind.YEAR, compiled.year), (Kind.QUANTITY, compiled.number)):
        for match in pattern.finditer(text):
            if not dated.overlaps(match.span()):
                dated.claim(add(kind, match))
    return hits


def _style_hits(text: str, sentences: tuple[Sentence, ...]) -> list[Hit]:
    """proselint findings mapped onto the sentence that contains them."""
    starts = [s.start for s in sentences]
    hits = []
    for finding in style_lint.lint(text):
        position = bisect_right(starts, finding.start) - 1
        if position < 0 or finding.end > sentences[position].end:
            continue
        note = f"{finding.check}: {finding.message}"
        hits.append(
            Hit(
                Kind.STYLE,
                finding.start,
                finding.end,
                text[finding.start : finding.end],
                sentences[position].index,
                finding.replacement,
                note,
            )
        )
    return hits


def detect(text: str, stats: TextStats, lexicon: Lexicon, language: str) -> Signals:
    """Every signal in every non-header sentence, in memo order."""
    compiled = _compile(lexicon, language)
    sentences = tuple(s for s in stats.sentences if s.kind != "header")
    hits = [hit for s in sentences for hit in _sentence_hits(s, compiled)]
    if language == "en":
        own = _Covered()
        for hit in hits:
            if hit.kind in (Kind.HEDGE, Kind.JARGON):
                own.claim((hit.start, hit.end))
        hits += [h for h in _style_hits(text, sentences) if not own.overlaps((h.start, h.end))]
    hits.sort(key=lambda h: (h.start, h.end, h.kind.value))
    by_kind: dict[Kind, list[Hit]] = {}
    by_sentence: dict[tuple[int, Kind], list[Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit)
        by_sentence.setdefault((hit.sentence, hit.kind), []).append(hit)
    return Signals(
        tuple(hits),
        {k: tuple(v) for k, v in by_kind.items()},
        {k: tuple(v) for k, v in by_sentence.items()},
    )
