"""Explain a file whose content is not what its name says (e.g. a PDF named .txt).

A renamed file is the user's most fixable mistake, so say what the file really is.
"""

from __future__ import annotations

from evaluation.errors import ExtractionError
from evaluation.extraction.messages import (
    fail,
    legacy_word,
    password_protected,
    paste_instead,
    web_page,
)
from evaluation.extraction.sniff import (
    ContentKind,
    ole_is_encrypted_office,
    ole_is_word_document,
)

_WORD_MAIN_PART = b"word/document.xml"


def wrong_content(filename: str, claimed: str, kind: ContentKind, data: bytes) -> ExtractionError:
    """The error for ``data`` of ``kind`` uploaded under a name that claims ``claimed``.

    ``claimed`` reads like "a text file" or "a PDF". ``kind`` must not be ``OTHER``.
    """
    if kind is ContentKind.HTML:
        return web_page(filename)
    if kind is ContentKind.OLE:
        if ole_is_encrypted_office(data):
            return password_protected(filename)
        if ole_is_word_document(data):
            return legacy_word(filename)
    if kind is ContentKind.PDF:
        return _renamed(filename, claimed, "a PDF", ".pdf")
    if kind is ContentKind.ZIP and _WORD_MAIN_PART in data:
        return _renamed(filename, claimed, "a Word document", ".docx")
    if kind is ContentKind.IMAGE:
        return fail(
            filename,
            f"it is named like {claimed} but is actually an image, and I can't read text "
            "from pictures.",
            paste_instead("Share the original document (.docx or PDF) instead"),
        )
    return fail(
        filename,
        f"it is named like {claimed} but is actually {kind.label}.",
        paste_instead("Save the memo as .docx or PDF and share that"),
    )


def _renamed(filename: str, claimed: str, actual: str, extension: str) -> ExtractionError:
    return fail(
        filename,
        f"it is named like {claimed} but is actually {actual}.",
        paste_instead(f"Rename it to end in {extension} and share it again"),
    )
