"""Vet a .docx's ZIP container before any part of it is decompressed or parsed.

A .docx is a ZIP archive, and a small ZIP can declare gigabytes of content (a "zip
bomb") or hundreds of thousands of entries. The central directory tells us both without
inflating anything, and ``zipfile`` never inflates an entry past its declared size, so
checking the declared figures here bounds the work python-docx does afterwards.
"""

from __future__ import annotations

import io
import logging
import zipfile

from config.coach import FileLimits
from evaluation.errors import ExtractionError
from evaluation.extraction.messages import fail, human_size, password_protected, paste_instead

logger = logging.getLogger(__name__)

WORD_MAIN_PART = "word/document.xml"
# Real Office XML compresses about 5-20x; Apache POI flags entries above 100x. Small
# entries are exempt because their ratio says nothing about the total work.
_MAX_RATIO = 100
_RATIO_EXEMPT_BYTES = 1024 * 1024
_OTHER_PACKAGES = (
    ("xl/workbook.xml", "an Excel workbook"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("mimetype", "an OpenDocument file"),
)


def check_docx_archive(data: bytes, filename: str, limits: FileLimits) -> None:
    """Raise ExtractionError unless ``data`` is a sane ZIP holding a Word document."""
    infos = _read_directory(data, filename)
    if len(infos) > limits.docx_max_entries:
        raise fail(
            filename,
            f"it has an unusual number of internal parts ({len(infos):,}; the limit is "
            f"{limits.docx_max_entries:,}), so I won't open it.",
            paste_instead("Save it again from Word (or export it as PDF) and share that"),
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise password_protected(filename)
    for info in infos:
        if info.file_size > _RATIO_EXEMPT_BYTES and (
            info.file_size > _MAX_RATIO * max(info.compress_size, 1)
        ):
            raise fail(
                filename,
                "it is compressed in a suspicious way (part of it would expand more than "
                f"{_MAX_RATIO}-fold, like a 'zip bomb'), so I won't open it.",
                paste_instead("Save it again from Word (or export it as PDF) and share that"),
            )
    total = sum(info.file_size for info in infos)
    if total > limits.docx_max_uncompressed_bytes:
        raise fail(
            filename,
            f"it would expand to {human_size(total)} when opened, over the "
            f"{human_size(limits.docx_max_uncompressed_bytes)} limit.",
            paste_instead(
                "Remove or compress large images (or export it as PDF) and share it again"
            ),
        )
    names = {info.filename for info in infos}
    if WORD_MAIN_PART not in names:
        raise _not_word(filename, names)


def _read_directory(data: bytes, filename: str) -> list[zipfile.ZipInfo]:
    """The archive's entries, read from the central directory only."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.infolist()
    except Exception as exc:  # BadZipFile, but also OSError/ValueError/EOFError on junk
        logger.info("unreadable .docx archive: %s", type(exc).__name__)
        raise damaged_docx(filename) from None


def _not_word(filename: str, names: set[str]) -> ExtractionError:
    actual = next(
        (label for part, label in _OTHER_PACKAGES if part in names),
        "a ZIP archive that isn't a Word document",
    )
    return fail(
        filename,
        f"it is named like a Word document but is actually {actual}.",
        paste_instead("Save the memo as .docx or PDF and share that"),
    )


def damaged_docx(filename: str) -> ExtractionError:
    """A .docx that cannot be opened: cut short, corrupt, or not really a .docx."""
    return fail(
        filename,
        "it is damaged or incomplete, so it can't be opened as a Word document (maybe the "
        "upload was cut short, or it isn't really a .docx).",
        paste_instead("Open it in Word, save it again as .docx and share that"),
    )
