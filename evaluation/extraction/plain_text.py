"""Decode a .txt / .md upload into text.

Only unambiguous encodings are accepted: UTF-8 (with or without BOM) and UTF-16/32 with a
BOM. Guessing a legacy code page silently garbles accents, so we ask for UTF-8 instead.
"""

from __future__ import annotations

from evaluation.errors import ExtractionError
from evaluation.extraction.messages import fail, paste_instead
from evaluation.extraction.mismatch import wrong_content
from evaluation.extraction.normalize import control_share
from evaluation.extraction.sniff import ContentKind, bom_encoding, sniff

# Above this share of non-whitespace control characters the "text" is really binary.
_BINARY_SHARE = 0.10
_UTF16_SAMPLE = 4096


def extract_plain_text(data: bytes, filename: str) -> str:
    """The decoded text of a plain-text or Markdown file (not yet normalised)."""
    kind = sniff(data)
    if kind is not ContentKind.OTHER:
        raise wrong_content(filename, "a text file", kind, data)
    text = _decode(data, filename)
    if control_share(text) > _BINARY_SHARE:
        raise _binary(filename)
    return text


def _decode(data: bytes, filename: str) -> str:
    found = bom_encoding(data)
    if found is not None:
        encoding, bom_length = found
        try:
            return data[bom_length:].decode(encoding)
        except UnicodeDecodeError:
            label = encoding.upper()[:6]  # "UTF-8", "UTF-16", "UTF-32"
            raise _bad_encoding(
                filename, f"it is marked as {label} text but isn't valid {label}."
            ) from None
    if b"\x00" in data:
        if _looks_like_utf16_without_bom(data):
            raise _bad_encoding(filename, "it is saved as UTF-16 without a byte-order mark.")
        raise _binary(filename)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if control_share(data.decode("latin-1")) > _BINARY_SHARE:
            raise _binary(filename) from None
        raise _bad_encoding(
            filename,
            "it isn't saved as UTF-8 text (it looks like an older encoding such as "
            "Windows-1252 or Latin-1).",
        ) from None


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a NUL in every other byte, all on the same side."""
    sample = data[: _UTF16_SAMPLE - _UTF16_SAMPLE % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    high, low = max(even_nuls, odd_nuls), min(even_nuls, odd_nuls)
    if high < 0.6 * pairs or low > 0.05 * pairs:
        return False
    # NULs first in each pair means big-endian. Decoded, it must still read as text.
    encoding = "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"
    return control_share(sample.decode(encoding, errors="replace")) <= _BINARY_SHARE


def _bad_encoding(filename: str, what: str) -> ExtractionError:
    return fail(
        filename,
        what,
        paste_instead(
            "Save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and share it again"
        ),
    )


def _binary(filename: str) -> ExtractionError:
    return fail(
        filename,
        "it doesn't contain text — it looks like a binary file (a program, image or "
        "other data) with a text-file name.",
        paste_instead("Share the memo itself as .txt, .docx or PDF"),
    )
