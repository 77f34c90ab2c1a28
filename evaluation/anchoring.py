"""Tie quotes back to the memo: a quote shown to a user is always verbatim memo text.

Models (and people) reproduce quotes with curly quotes straightened, dashes changed or
whitespace collapsed. We match on a normalised form and map the hit back to the exact
characters of the memo, so ``memo[start:end] == quote`` always holds; a quote that
cannot be found is dropped rather than shown unverified.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from evaluation.result import Segment

_CHAR_FOLDS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
}
_TRIM = " \t\r\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


def _normalise(text: str) -> tuple[str, list[int]]:
    """Fold quotes/dashes, collapse whitespace, casefold; return the text and, for each
    output character, the index of the source character it came from."""
    out: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if previous_space:
                continue
            previous_space = True
            out.append(" ")
            origin.append(index)
            continue
        previous_space = False
        for folded in _CHAR_FOLDS.get(char, char).casefold():
            out.append(folded)
            origin.append(index)
    return "".join(out), origin


def anchor_quote(memo: str, quote: str, *, hint: int = 0) -> tuple[int, int] | None:
    """Return (start, end) of ``quote`` in ``memo``, or None when it is not there.

    Exact matches win; otherwise a normalised match. ``hint`` prefers an occurrence at
    or after that offset when the quote appears more than once.
    """
    candidate = quote.strip(_TRIM) if quote.strip(_TRIM) else quote
    if not candidate.strip():
        return None
    for needle in (quote, candidate):
        found = memo.find(needle, hint) if hint else -1
        if found < 0:
            found = memo.find(needle)
        if found >= 0 and needle:
            return found, found + len(needle)
    norm_memo, origin = _normalise(memo)
    norm_quote, _ = _normalise(candidate)
    norm_quote = norm_quote.strip()
    if not norm_quote:
        return None
    start_at = next((k for k, i in enumerate(origin) if i >= hint), 0) if hint else 0
    found = norm_memo.find(norm_quote, start_at)
    if found < 0:
        found = norm_memo.find(norm_quote)
    if found < 0:
        return None
    start = origin[found]
    end = origin[found + len(norm_quote) - 1] + 1
    return start, end


@dataclass(frozen=True)
class DraftSegment:
    """A segment as an evaluator proposed it, before its quote is verified."""

    quote: str
    comment: str
    questions: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


def anchor_segments(memo: str, drafts: Iterable[DraftSegment]) -> list[Segment]:
    """Verified segments in memo order; unverifiable or repeated quotes are dropped."""
    segments: dict[tuple[int, int], Segment] = {}
    for draft in drafts:
        span = anchor_quote(memo, draft.quote)
        if span is None or span in segments:
            continue
        start, end = span
        segments[span] = Segment(
            quote=memo[start:end],
            start=start,
            end=end,
            comment=draft.comment,
            questions=list(draft.questions),
            suggestions=list(draft.suggestions),
        )
    return [segments[span] for span in sorted(segments)]
