"""Split a memo into sentences with exact offsets and measure them.

Every later rule works on these sentences, so offsets here are what makes every quote
the evaluator shows verbatim: ``text[s.start:s.end] == s.text`` always holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

Kind = Literal["body", "bullet", "heading", "header"]

_BULLET = re.compile(r"[ \t]*(?:[-*•·‣◦▪+–—]|\d{1,3}[.)]|[a-z][.)]|[A-Z]\))[ \t]+(?=\S)")
_MD_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+(?=\S)")
_HEADER = re.compile(
    r"[ \t]*(?:to|from|cc|date|subject|re|para|de|fecha|asunto|ref)[ \t]*:", re.IGNORECASE
)
_BOLD_LINE = re.compile(r"[ \t]*(?:\*\*|__)[^*_]+(?:\*\*|__):?[ \t]*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_NON_SPACE = re.compile(r"\S")
_WORD = re.compile(r"[^\W_]+(?:[-'’.,][^\W_]+)*")
_ABBREVIATIONS = frozenset(
    (
        *("e.g", "i.e", "dr", "mr", "mrs", "ms", "prof", "vs", "approx", "nº", "fig", "inc"),
        *("ltd", "corp", "dept", "jr", "sr", "sra", "srta", "dra", "p.ej", "ej", "ud", "uds"),
        *("pág", "núm", "aprox", "tel", "ext", "cf", "al"),
    )
)
_HEADING_MAX_WORDS = 10
_HEADER_MAX_WORDS = 30
_PLAIN_HEADING_MAX_WORDS = 6


@dataclass(frozen=True)
class Sentence:
    """One sentence, bullet item, heading or memo header line of the memo."""

    index: int
    start: int
    end: int
    text: str
    kind: Kind
    paragraph: int
    block: int
    words: int

    @property
    def is_prose(self) -> bool:
        """Body sentences and bullet items: what the reader actually reads as content."""
        return self.kind in ("body", "bullet")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_heading(line: str, next_line: str | None) -> bool:
    if _MD_HEADING.match(line) or _BOLD_LINE.fullmatch(line):
        return True
    stripped = line.strip()
    words = count_words(stripped)
    if words == 0 or words > _HEADING_MAX_WORDS or stripped[-1] in ".!?;,…":
        return False
    if stripped.endswith(":"):
        return True
    if next_line is None or (next_line.strip() and not _BULLET.match(next_line)):
        return False
    return words <= _PLAIN_HEADING_MAX_WORDS and stripped[0].isupper()


def _ends_sentence(block: str, match: re.Match[str]) -> bool:
    """A terminal mark ends a sentence unless it closes an abbreviation or initial, or
    the text continues in lower case (``e.g. the``, ``approx. 5``)."""
    before = block[max(0, match.start() - 24) : match.start()]
    token = before.rsplit(None, 1)[-1] if before.strip() else ""
    token = token.lstrip("(\"'“‘¿¡")
    initial = len(token) == 1 and token.isupper()
    if match.group(0).startswith(".") and (token.lower() in _ABBREVIATIONS or initial):
        return False
    following = _NON_SPACE.search(block, match.end())
    return following is None or not following.group(0).islower()


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside one paragraph or bullet, trimmed of surrounding space."""
    block = text[start:end]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _SENTENCE_END.finditer(block):
        if _ends_sentence(block, match):
            spans.append((cursor, match.end()))
            cursor = match.end()
    spans.append((cursor, len(block)))
    trimmed = []
    for a, b in spans:
        piece = block[a:b]
        lead = len(piece) - len(piece.lstrip())
        tail = len(piece.rstrip())
        if tail > lead:
            trimmed.append((start + a + lead, start + a + tail))
    return trimmed


def _lines(text: str) -> list[tuple[int, str]]:
    out = []
    offset = 0
    for line in text.splitlines(keepends=True):
        out.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return out


def _blocks(text: str) -> list[tuple[int, int, Kind, int]]:
    """(start, end, kind, paragraph) for every header, heading, bullet and paragraph."""
    lines = _lines(text)
    blocks: list[tuple[int, int, Kind, int]] = []
    pending: tuple[int, int, Kind] | None = None
    paragraph = 0
    preamble = True  # memo header lines (To:, Subject:...) only count at the very top
    for position, (offset, line) in enumerate(lines):
        next_line = lines[position + 1][1] if position + 1 < len(lines) else None
        if not line.strip():
            if pending:
                blocks.append((*pending, paragraph))
            pending = None
            paragraph += 1
            continue
        line_end = offset + len(line.rstrip())
        first = offset + len(line) - len(line.lstrip())
        bullet = _BULLET.match(line)
        header = (
            preamble
            and not bullet
            and bool(_HEADER.match(line))
            and count_words(line) <= _HEADER_MAX_WORDS
        )
        preamble = header
        if pending and (bullet or header or _is_heading(line, next_line)):
            blocks.append((*pending, paragraph))
            pending = None
        if header:
            blocks.append((first, line_end, "header", paragraph))
        elif not bullet and _is_heading(line, next_line):
            marker = _MD_HEADING.match(line)
            start = offset + marker.end() if marker else first
            blocks.append((start, line_end, "heading", paragraph))
            paragraph += 1
        elif bullet:
            pending = (offset + bullet.end(), line_end, "bullet")
        elif pending:
            pending = (pending[0], line_end, pending[2])
        else:
            pending = (first, line_end, "body")
    if pending:
        blocks.append((*pending, paragraph))
    return blocks


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """All sentences of ``text`` in order, with exact offsets."""
    sentences: list[Sentence] = []
    for block, (start, end, kind, paragraph) in enumerate(_blocks(text)):
        spans = [(start, end)] if kind in ("header", "heading") else _split_block(text, start, end)
        for a, b in spans:
            piece = text[a:b]
            if piece.strip():
                sentences.append(
                    Sentence(
                        len(sentences), a, b, piece, kind, paragraph, block, count_words(piece)
                    )
                )
    return tuple(sentences)


@lru_cache(maxsize=16_384)
def syllables(word: str, language: str) -> int:
    """Syllable estimate: vowel groups, with English silent-e and Spanish hiatus rules."""
    w = word.lower()
    if not any(ch.isalpha() for ch in w):
        return 1
    if language == "es":
        groups = re.findall(r"[aeiouáéíóúü]+", w)
        strong = "aeoáéóíú"
        extra = sum(1 for g in groups for x, y in pairwise(g) if x in strong and y in strong)
        return max(1, len(groups) + extra)
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def readability(sentences: tuple[Sentence, ...], language: str) -> float | None:
    """Flesch reading ease (English) or Fernández-Huerta (Spanish), 0-100, higher is
    easier; None when there is nothing to measure."""
    words = [w for s in sentences for w in words_of(s.text)]
    if not words or not sentences:
        return None
    syllable_count = sum(syllables(w, language) for w in words)
    per_sentence = len(words) / len(sentences)
    per_word = syllable_count / len(words)
    if language == "es":
        score = 206.84 - 60.0 * per_word - 102.0 * len(sentences) / len(words)
    else:
        score = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    return round(max(0.0, min(100.0, score)), 1)


@dataclass(frozen=True)
class TextStats:
    """The sentences of a memo and the length measures the clarity rules use."""

    sentences: tuple[Sentence, ...]
    prose: tuple[Sentence, ...]
    word_count: int
    average_words: float
    longest: Sentence | None
    long_sentences: tuple[Sentence, ...]
    headings: int
    bullets: int
    paragraphs: int
    readability: float | None


def measure(text: str, language: str, long_sentence_words: int) -> TextStats:
    """Split ``text`` and compute sentence-length and readability measures."""
    sentences = split_sentences(text)
    prose = tuple(s for s in sentences if s.is_prose)
    word_count = sum(s.words for s in prose)
    longest = max(prose, key=lambda s: (s.words, -s.start), default=None)
    return TextStats(
        sentences=sentences,
        prose=prose,
        word_count=word_count,
        average_words=round(word_count / len(prose), 1) if prose else 0.0,
        longest=longest,
        long_sentences=tuple(s for s in prose if s.words > long_sentence_words),
        headings=sum(1 for s in sentences if s.kind == "heading"),
        bullets=len({s.block for s in prose if s.kind == "bullet"}),
        paragraphs=len({s.paragraph for s in prose}),
        readability=readability(prose, language),
    )
