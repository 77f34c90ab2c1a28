"""Concrete rewrites shown as suggestions: a sentence without its hedges, a long
sentence split at a conjunction, a passive turned round.

A rewrite is only offered when it is mechanical and safe; otherwise the caller falls
back to a generic instruction.
"""

from __future__ import annotations

import re

from evaluation.offline.lexicon import Lexicon
from evaluation.offline.signals import Hit
from evaluation.offline.text_stats import Sentence, count_words

MAX_SHOWN = 220
_MIN_PART_WORDS = 6
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_COMMA = re.compile(r",\s*,")
_IRREGULAR_PAST = {
    "made": "made", "done": "did", "given": "gave", "taken": "took", "seen": "saw",
    "shown": "showed", "written": "wrote", "built": "built", "sent": "sent", "paid": "paid",
    "held": "held", "kept": "kept", "left": "left", "told": "told", "found": "found",
    "brought": "brought", "bought": "bought", "chosen": "chose", "driven": "drove",
    "spent": "spent", "set": "set", "put": "put", "cut": "cut", "run": "ran", "won": "won",
    "lost": "lost", "met": "met", "led": "led", "sold": "sold", "begun": "began",
    "broken": "broke", "spoken": "spoke", "grown": "grew", "drawn": "drew", "known": "knew",
    "hidden": "hid", "forgotten": "forgot", "understood": "understood",
    "overlooked": "overlooked", "frozen": "froze",
}  # fmt: skip


def _tidy(text: str, capitalise: bool) -> str:
    text = _DOUBLE_COMMA.sub(",", _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)))
    text = text.strip().lstrip(",;: ")
    if capitalise and text:
        text = text[0].upper() + text[1:]
    return text


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """Whitespace collapsed, cut at a word with an ellipsis when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",;:") + "…"


def apply_rewrites(sentence: Sentence, hits: list[Hit]) -> str | None:
    """The sentence with every hit that has a safe rewrite replaced; None if none does."""
    usable = sorted((h for h in hits if h.rewrite is not None), key=lambda h: h.start)
    if not usable:
        return None
    text, cursor, pieces = sentence.text, 0, []
    for hit in usable:
        start, end = hit.start - sentence.start, hit.end - sentence.start
        if start < cursor:
            continue
        replacement = hit.rewrite or ""
        if replacement and hit.phrase[:1].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        pieces += [text[cursor:start], replacement]
        cursor = end
    pieces.append(text[cursor:])
    rewritten = _tidy("".join(pieces), capitalise=text[:1].isupper())
    return rewritten if rewritten and rewritten != text.strip() else None


def split_long(sentence: Sentence, lexicon: Lexicon) -> tuple[str, str] | None:
    """Split at the conjunction nearest the middle, each part a sentence of its own."""
    text = sentence.text
    joined = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in lexicon.split_after)
    pattern = re.compile(rf"(?:{joined})(?=\s)", re.IGNORECASE)
    clause = re.compile(lexicon.clause_start, re.IGNORECASE)
    middle, candidates = len(text) / 2, []
    for match in pattern.finditer(text):
        head, tail = text[: match.start()], text[match.end() :]
        connector = match.group(0).strip(" ,;").lower()
        needs_clause = connector in lexicon.drop_on_split
        if needs_clause and not clause.match(tail.lstrip()):
            continue
        if min(count_words(head), count_words(tail)) >= _MIN_PART_WORDS:
            bare = match.group(0)[:1].isspace()
            candidates.append((bare, abs(match.start() - middle), match.start(), match))
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c[:3])[3]
    first = text[: best.start()].rstrip(" ,;:") + "."
    connector = best.group(0).strip(" ,;").lower()
    tail = text[best.end() :].strip()
    if connector and connector not in lexicon.drop_on_split:
        tail = f"{connector} {tail}"
    part = MAX_SHOWN * 3 // 4
    return shorten(first, part), shorten(tail[:1].upper() + tail[1:], part)


def active_verb(phrase: str, language: str) -> str | None:
    """'was approved' -> 'approved' (English only; Spanish needs conjugation)."""
    if language != "en":
        return None
    participle = phrase.split()[-1].lower()
    return _IRREGULAR_PAST.get(participle, participle if participle.endswith("ed") else None)
