"""Tidy extracted text so every source (typed, .docx, .pdf) reaches the coach the same way.

Parsers leave Windows line ends, page-feed characters, stray control bytes and
decomposed accents behind; the evaluator and quote anchoring want plain, NFC text with
paragraphs separated by one blank line.
"""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = str.maketrans(
    {
        "\x0b": "\n",  # vertical tab: Word's manual line break in some exports
        "\x0c": "\n\n",  # form feed: a page break
        "\x85": "\n",  # NEL
        "\u2028": "\n",  # line separator
        "\u2029": "\n\n",  # paragraph separator
        "\ufeff": None,  # stray byte-order marks / zero-width no-break spaces
    }
)
_HAS_LINE_BREAKS = re.compile("[" + re.escape("".join(map(chr, _LINE_BREAKS))) + "]")
"""Any character of the table: str.translate with it costs ~60 µs per KB of text even
when there is nothing to replace, and a typed memo rarely has one (slash-command acks
wait for this)."""
# C0/C1 controls except \t and \n, DEL, and lone surrogates (invalid in any encoding).
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Control characters that never occur in text (whitespace controls excluded).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Unify line ends, drop control characters, NFC-normalise, and trim blank space.

    Runs of blank lines collapse to a single blank line (a paragraph break).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _HAS_LINE_BREAKS.search(text):
        text = text.translate(_LINE_BREAKS)
    text = _UNWANTED.sub("", text)
    text = unicodedata.normalize("NFC", text)
    # Split and rstrip rather than a regex: a regex here backtracks quadratically on
    # long runs of spaces in the middle of a line.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


def control_share(text: str) -> float:
    """The fraction of characters that are control characters other than whitespace.

    Real text has next to none; binary data decoded by luck has many.
    """
    if not text:
        return 0.0
    return (len(text) - len(_BINARY_CONTROLS.sub("", text))) / len(text)
