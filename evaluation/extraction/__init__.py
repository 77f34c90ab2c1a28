"""Turn uploaded files (.txt, .md, .docx, .pdf) into memo text, safely.

Everything that can go wrong surfaces as ``evaluation.errors.ExtractionError`` with a
message meant for the user. No Slack types here: the bot passes bytes and a file name.
"""

from __future__ import annotations

from evaluation.extraction.dispatch import (
    SUPPORTED_EXTENSIONS,
    extract_text,
    extract_text_async,
    file_extension,
)
from evaluation.extraction.normalize import normalize_text

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "extract_text",
    "extract_text_async",
    "file_extension",
    "normalize_text",
]
