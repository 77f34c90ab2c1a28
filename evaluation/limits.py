"""Check that memo text is worth coaching: not empty, not a one-liner, not a book.

Runs on pasted text and on text extracted from files alike, before any evaluator is
paid to read it.
"""

from __future__ import annotations

import itertools
import re

from config.coach import MemoLimits
from evaluation.errors import MemoRejected
from evaluation.extraction.normalize import nfc, normalize_text

# A word is a run of letters/digits (any script; combining accents included), allowing
# inner apostrophes and hyphens: "don't", "co-founder", "l'équipe", "año" are one word.
_WORD = re.compile(r"[^\W_][\w\u0300-\u036f]*(?:['’\-][^\W_][\w\u0300-\u036f]*)*")


def count_words(text: str, up_to: int | None = None) -> int:
    """The number of words in ``text``, counted the same way for English and Spanish;
    at most ``up_to`` (checking a minimum needs no count of a whole memo)."""
    words = _WORD.finditer(nfc(text))
    return sum(1 for _ in itertools.islice(words, up_to))


def check_memo(text: str, limits: MemoLimits) -> str:
    """The cleaned memo text, or MemoRejected saying why it can't be coached."""
    cleaned = normalize_text(text)
    if not cleaned:
        raise MemoRejected("There's no text to coach — paste your memo or share a file.")
    words = count_words(cleaned, up_to=limits.min_words)  # slash-command acks wait for this
    if words < limits.min_words:
        raise MemoRejected(
            f"Your memo has {words:,} word{'' if words == 1 else 's'}; the minimum is "
            f"{limits.min_words:,}. It looks too short to be a memo — paste the whole memo "
            "or share the file."
        )
    if len(cleaned) > limits.max_characters:
        raise MemoRejected(
            f"Your memo is {len(cleaned):,} characters long; the limit is "
            f"{limits.max_characters:,}. Trim it, or split it into parts and send them "
            "one at a time."
        )
    return cleaned
