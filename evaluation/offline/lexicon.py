"""The word lists behind every rule, one instance per language.

Keeping the lists as data (not code) means adding a phrase never touches a rule, and
both languages are forced to provide the same kinds of signal.
"""

from __future__ import annotations

from dataclasses import dataclass

Rewrite = tuple[str, str | None]
"""(regex, replacement): "" means delete the phrase, None means no safe rewrite."""


@dataclass(frozen=True)
class Lexicon:
    """Regex fragments (case-insensitive, matched on word boundaries) per signal."""

    recommend: tuple[str, ...]
    background: tuple[str, ...]
    hedges: tuple[Rewrite, ...]
    jargon: tuple[Rewrite, ...]
    vague: tuple[str, ...]
    passive: str
    ask: tuple[str, ...]
    soft_ask: tuple[str, ...]
    deadline: tuple[str, ...]
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    owner: tuple[str, ...]
    next_steps: tuple[str, ...]
    risk: tuple[str, ...]
    mitigation: tuple[str, ...]
    cost: tuple[str, ...]
    alternative: tuple[str, ...]
    source: tuple[str, ...]
    assumption: tuple[str, ...]
    comparison: tuple[str, ...]
    split_after: tuple[str, ...]
    """Conjunctions a long sentence can be split at (the word starts the new sentence)."""
    clause_start: str
    """Regex for words that start a new clause; "and"/"y" splits need one after them."""
    drop_on_split: tuple[str, ...]
    """Conjunctions dropped, not capitalised, when a sentence is split there."""
    long_sentence_words: int
    very_long_sentence_words: int


def lexicon_for(language: str) -> Lexicon:
    """The lexicon for a memo language; English for anything unsupported."""
    if language == "es":
        from evaluation.offline.lexicon_es import SPANISH

        return SPANISH
    from evaluation.offline.lexicon_en import ENGLISH

    return ENGLISH
