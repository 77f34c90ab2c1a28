"""The facts the judges, feedback and segments share, computed once per memo.

Raw signals say "this sentence contains 'please approve'"; facts say "the ask is in
sentence 2 and has a deadline". Keeping them here means every consumer reads the same
interpretation of the memo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evaluation.offline.lexicon import Lexicon, lexicon_for
from evaluation.offline.signals import Hit, Kind, Signals, detect
from evaluation.offline.text_stats import Sentence, TextStats, measure

_LEAD_SENTENCES = 2
_OPENING_SENTENCES = 3
_NAME = re.compile(r"(?<![\w@])[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+(?:\s[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)?")
_NAME_FOLLOWER = re.compile(r"\s*(?::|\(|—|–|-\s|will\b|to\b|owns\b|leads\b|va\b|se\b|lidera\b)")
_NAME_LEADER = re.compile(r"(?:\(|—|–|\s-|\bby|\bowner|\bwith|\bcon|\bpor)\s*$", re.IGNORECASE)
"""A capitalised word names a person only next to these: 'Ana will', '(Ana)', '— Ana'."""
_OWNER_LABEL = re.compile(r"[^:\n]{2,40}:\s")
"""'Ana:' or 'Finance (Luis):' opening a step names its owner."""
_NOT_NAMES = frozenset(
    (
        *("we", "i", "they", "you", "it", "this", "that", "the", "our", "these", "those"),
        *("next", "then", "nosotros", "yo", "el", "la", "los", "las", "este", "esta"),
        *("estos", "nuestro", "nuestra", "luego", "después"),
    )
)


@dataclass(frozen=True)
class Analysis:
    text: str
    language: str
    lexicon: Lexicon
    stats: TextStats
    signals: Signals
    recommendation: Sentence | None
    """The first prose sentence that states a recommendation, decision or request."""
    asks: tuple[Sentence, ...]
    soft_asks: tuple[Sentence, ...]
    steps: tuple[Sentence, ...]
    """Sentences under a "Next steps" heading (or dated bullet items without one)."""

    @property
    def prose(self) -> tuple[Sentence, ...]:
        return self.stats.prose

    def position(self, sentence: Sentence) -> int:
        """1-based position among prose sentences."""
        return self.prose.index(sentence) + 1

    def prose_hits(self, kind: Kind) -> list[Hit]:
        prose = {s.index for s in self.prose}
        return [h for h in self.signals.of(kind) if h.sentence in prose]

    def has_deadline(self, sentence: Sentence) -> bool:
        return self.signals.has(sentence.index, Kind.DATE, Kind.DEADLINE)

    def ask_deadline(self, ask: Sentence) -> bool:
        """A deadline in the ask itself or the sentence right after it."""
        following = self.stats.sentences[ask.index + 1 : ask.index + 2]
        return self.has_deadline(ask) or any(self.has_deadline(s) for s in following)

    def has_owner(self, sentence: Sentence) -> bool:
        if self.signals.has(sentence.index, Kind.OWNER) or _OWNER_LABEL.match(sentence.text):
            return True
        months = set(self.lexicon.months) | set(self.lexicon.weekdays)
        for match in _NAME.finditer(sentence.text):
            word = match.group(0).split()[0].lower()
            if word in months or word in _NOT_NAMES:
                continue
            before = sentence.text[max(0, match.start() - 8) : match.start()]
            if _NAME_FOLLOWER.match(sentence.text, match.end()) or _NAME_LEADER.search(before):
                return True
        return False

    def under(self, kind: Kind) -> tuple[Sentence, ...]:
        """Prose sentences in sections whose heading carries ``kind`` (e.g. "Risks")."""
        inside, out = False, []
        for sentence in self.stats.sentences:
            if sentence.kind == "heading":
                inside = self.signals.has(sentence.index, kind)
            elif inside and sentence.is_prose:
                out.append(sentence)
        return tuple(out)

    @property
    def risk_mentions(self) -> int:
        """Risk words, plus items listed under a "Risks" heading that name none."""
        listed = {
            s.block for s in self.under(Kind.RISK) if not self.signals.has(s.index, Kind.RISK)
        }
        return len(self.signals.of(Kind.RISK)) + len(listed)

    @property
    def numeric(self) -> tuple[Sentence, ...]:
        """Prose sentences with at least one figure (dates and years excluded)."""
        return tuple(s for s in self.prose if self.signals.has(s.index, Kind.QUANTITY))

    @property
    def numeric_in_context(self) -> tuple[Sentence, ...]:
        """Figures with a comparison point: two figures, a comparison word or a date."""
        sig = self.signals
        return tuple(
            s
            for s in self.numeric
            if len(sig.at(s.index, Kind.QUANTITY)) > 1
            or sig.has(s.index, Kind.COMPARISON, Kind.DATE, Kind.YEAR)
        )

    @property
    def opening(self) -> tuple[Sentence, ...]:
        return self.prose[:_OPENING_SENTENCES]

    @property
    def lead(self) -> tuple[Sentence, ...]:
        return self.prose[:_LEAD_SENTENCES]


def _steps(stats: TextStats, signals: Signals) -> tuple[Sentence, ...]:
    in_section = False
    section: list[Sentence] = []
    for sentence in stats.sentences:
        if sentence.kind == "heading":
            in_section = signals.has(sentence.index, Kind.NEXT_STEPS) and sentence.words <= 4
        elif in_section and sentence.is_prose:
            section.append(sentence)
    bullets = tuple(s for s in section if s.kind == "bullet")
    if section:
        return bullets or tuple(section)
    return tuple(
        s
        for s in stats.prose
        if s.kind == "bullet" and signals.has(s.index, Kind.DATE, Kind.DEADLINE)
    )


def analyse(text: str, language: str) -> Analysis:
    """Measure, detect and interpret ``text`` written in ``language``."""
    lexicon = lexicon_for(language)
    lang = "es" if language == "es" else "en"
    stats = measure(text, lang, lexicon.long_sentence_words)
    signals = detect(text, stats, lexicon, lang)
    judged = [s for s in stats.sentences if s.kind != "header"]
    recommendation = next(
        (s for s in stats.prose if signals.has(s.index, Kind.RECOMMEND, Kind.ASK)), None
    )
    return Analysis(
        text=text,
        language=lang,
        lexicon=lexicon,
        stats=stats,
        signals=signals,
        recommendation=recommendation,
        asks=tuple(s for s in judged if signals.has(s.index, Kind.ASK)),
        soft_asks=tuple(s for s in judged if signals.has(s.index, Kind.SOFT_ASK)),
        steps=_steps(stats, signals),
    )
