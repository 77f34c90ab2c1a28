"""Pieces shared by the user-facing error messages: how to name a file and a size.

Messages name the file so the user knows which upload failed, but never quote its
content; the file name itself is tidied so it cannot smuggle line breaks or pages of text.
"""

from __future__ import annotations

import unicodedata

from evaluation.errors import ExtractionError

SUPPORTED_TYPES_TEXT = ".txt, .md, .docx and .pdf"
_MAX_NAME_CHARS = 80
_PASTE = "or paste the text into a message"


def display_name(filename: str) -> str:
    """The file's base name, without control characters, shortened and quoted."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in base)
    base = " ".join(base.split())
    if not base:
        return "your file"
    if len(base) > _MAX_NAME_CHARS:
        base = base[: _MAX_NAME_CHARS - 1] + "…"
    return f"“{base}”"


def human_size(size: int) -> str:
    """``10485760`` → ``"10 MB"``; ``1536`` → ``"1.5 KB"`` (binary units, as OSes show)."""
    if size < 1024:
        return f"{size} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def fail(filename: str, what: str, todo: str) -> ExtractionError:
    """An error saying what happened to ``filename`` and what the user can do about it.

    ``what`` completes "I couldn't read <file>: ..."; ``todo`` is the advice sentence(s).
    """
    return ExtractionError(f"I couldn't read {display_name(filename)}: {what} {todo}")


def paste_instead(action: str) -> str:
    """Advice that always offers pasting the text as the fallback."""
    return f"{action}, {_PASTE}."


def web_page(filename: str) -> ExtractionError:
    """A web page (often a sign-in page) was saved or sent in place of the file."""
    return fail(
        filename,
        "it is a web page (perhaps a sign-in page), not the document itself.",
        paste_instead("Download the document to your computer and upload that file directly"),
    )


def password_protected(filename: str) -> ExtractionError:
    """Encrypted files cannot be opened without a password we will never ask for."""
    return fail(
        filename,
        "it is password-protected.",
        paste_instead("Save a copy without the password and share that"),
    )


def legacy_word(filename: str) -> ExtractionError:
    """Word 97-2003 files need converting; we only parse the modern format."""
    return fail(
        filename,
        "it is in the older Word format (.doc).",
        paste_instead("Open it in Word, use Save As → Word Document (.docx) and share that"),
    )
