"""Cheap, deterministic language detection: enough to answer in the memo's language."""

from __future__ import annotations

import re

SUPPORTED_LANGUAGES = {"en": "English", "es": "Spanish"}

_STOPWORDS = {
    "en": frozenset(
        {
            "the",
            "and",
            "of",
            "to",
            "a",
            "in",
            "is",
            "that",
            "for",
            "it",
            "with",
            "as",
            "on",
            "be",
            "this",
            "are",
            "we",
            "by",
            "our",
            "will",
            "not",
            "have",
            "from",
            "or",
            "at",
            "which",
            "an",
            "should",
            "would",
            "can",
        }
    ),
    "es": frozenset(
        {
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "que",
            "y",
            "en",
            "un",
            "una",
            "es",
            "por",
            "para",
            "con",
            "se",
            "no",
            "su",
            "al",
            "lo",
            "como",
            "más",
            "pero",
            "sus",
            "le",
            "ya",
            "este",
            "esta",
            "nuestro",
            "nuestra",
            "debemos",
        }
    ),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str) -> str:
    """Return 'en' or 'es' by stop-word counts; English when unsure."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(text[:20_000].lower()):
        for language, words in _STOPWORDS.items():
            if word in words:
                counts[language] += 1
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] > counts["en"] else "en"
