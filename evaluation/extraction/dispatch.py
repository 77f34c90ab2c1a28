"""Pick the reader for an upload by its extension, after the checks every file gets.

The extension decides which reader runs; each reader then sniffs the content, so a
renamed or substituted file gets a precise error rather than a parser failure.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from config.coach import FileLimits
from evaluation.errors import ExtractionError
from evaluation.extraction.docx import extract_docx
from evaluation.extraction.messages import SUPPORTED_TYPES_TEXT, fail, human_size, paste_instead
from evaluation.extraction.normalize import normalize_text
from evaluation.extraction.pdf import extract_pdf
from evaluation.extraction.plain_text import extract_plain_text

logger = logging.getLogger(__name__)

Reader = Callable[[bytes, str, FileLimits], str]


def _plain(data: bytes, filename: str, limits: FileLimits) -> str:
    return extract_plain_text(data, filename)


_READERS: dict[str, Reader] = {
    ".txt": _plain,
    ".md": _plain,
    ".markdown": _plain,
    ".docx": extract_docx,
    ".pdf": extract_pdf,
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(_READERS)

_SHOWABLE_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
# (extensions, what happened, what to do); "{ext}" becomes the file's extension.
_UNSUPPORTED_GROUPS = (
    (
        ".doc .dot",
        "it is in the older Word format ({ext}).",
        "Open it in Word, use Save As → Word Document (.docx) and share that",
    ),
    (
        ".docm .dotx .dotm .rtf .odt .pages .wpd",
        "{ext} files aren't supported.",
        "Save it as .docx or PDF and share that",
    ),
    (
        ".ppt .pptx .pptm .pps .ppsx .key .odp",
        "presentations ({ext}) aren't supported.",
        "Export it as PDF and share that",
    ),
    (
        ".xls .xlsx .xlsm .csv .tsv .ods .numbers",
        "spreadsheets ({ext}) aren't supported.",
        "Put the memo in a document (.docx or PDF) and share that",
    ),
    (
        ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .heic .heif .svg",
        "it is an image ({ext}), and I can't read text from pictures.",
        "Share the original document (.docx or PDF) instead",
    ),
    (".html .htm", "web pages ({ext}) aren't supported.", "Save it as PDF and share that"),
)
_UNSUPPORTED = {
    extension: (what, action)
    for extensions, what, action in _UNSUPPORTED_GROUPS
    for extension in extensions.split()
}
_UNKNOWN_TYPE = ("{ext} files aren't supported.", "Save it as .docx or PDF and share that")


def extract_text(data: bytes, filename: str, limits: FileLimits) -> str:
    """The normalised text of an uploaded file.

    Raises ExtractionError, with a message for the user, for anything that goes wrong;
    no other exception escapes, whatever the bytes are.
    """
    extension = file_extension(filename)
    reader = _READERS.get(extension)
    if reader is None:
        raise _unsupported(filename, extension)
    if not data:
        raise fail(
            filename,
            "the file is empty (0 bytes) — maybe the upload didn't finish.",
            paste_instead("Share it again"),
        )
    if len(data) > limits.max_bytes:
        raise _too_big(filename, len(data), limits.max_bytes)
    try:
        text = normalize_text(reader(data, filename, limits))
    except ExtractionError:
        raise
    except Exception:  # a safety net: readers already translate what they expect
        logger.exception("unexpected error extracting a %s file", extension)
        raise fail(
            filename,
            "something unexpected went wrong while reading it.",
            paste_instead("Save it again (or as PDF) and share that"),
        ) from None
    if not text:
        raise fail(filename, "it has no text in it.", paste_instead("Check it's the right file"))
    return text


async def extract_text_async(data: bytes, filename: str, limits: FileLimits) -> str:
    """``extract_text`` in a worker thread: parsing a PDF can take seconds, and the bot's
    event loop must keep serving other users meanwhile."""
    return await asyncio.to_thread(extract_text, data, filename, limits)


def file_extension(filename: str) -> str:
    """The lower-cased extension with its dot (``".docx"``), or ``""`` when there is none."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".")
    stem, dot, extension = base.rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""


def _unsupported(filename: str, extension: str) -> ExtractionError:
    if not extension:
        what = "it has no file extension, so I can't tell what kind of file it is."
        action = "Save it as .docx, .pdf or .txt and share that"
    else:
        what, action = _UNSUPPORTED.get(extension, _UNKNOWN_TYPE)
        if _SHOWABLE_EXTENSION.fullmatch(extension):
            what = what.format(ext=extension)
        else:  # don't echo odd, user-chosen text back
            what = "this type of file isn't supported."
    error = fail(filename, what, paste_instead(action))
    return ExtractionError(f"{error.user_message} I can read {SUPPORTED_TYPES_TEXT} files.")


def _too_big(filename: str, size: int, limit: int) -> ExtractionError:
    shown_size, shown_limit = human_size(size), human_size(limit)
    if shown_size == shown_limit:  # "10 MB, over the 10 MB limit" would look like a bug
        shown_size = f"{size:,} bytes"
        shown_limit = f"{limit:,}-byte"
    return fail(
        filename,
        f"it is {shown_size}, over the {shown_limit} limit for files.",
        paste_instead("Share a smaller file (e.g. without images, or only the relevant pages)"),
    )
