"""Turn a .docx into text: body paragraphs and table cells, in document order.

The container is vetted by ``zip_guard`` first; only then does python-docx parse it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import docx
from docx.oxml.ns import qn

from config.coach import FileLimits
from evaluation.errors import ExtractionError
from evaluation.extraction.messages import fail, legacy_word, password_protected, paste_instead
from evaluation.extraction.mismatch import wrong_content
from evaluation.extraction.sniff import (
    ContentKind,
    ole_is_encrypted_office,
    ole_is_word_document,
    sniff,
)
from evaluation.extraction.zip_guard import check_docx_archive, damaged_docx

logger = logging.getLogger(__name__)

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT = qn("w:sdt"), qn("w:sdtContent")
# Runs directly in the paragraph, in hyperlinks, and in tracked insertions / fields.
_RUNS = "w:r | w:hyperlink | w:ins/w:r | w:smartTag/w:r | w:fldSimple/w:r | w:customXml/w:r"
_CELL_SEPARATOR = " | "


def extract_docx(data: bytes, filename: str, limits: FileLimits) -> str:
    """The text of a Word document, paragraphs separated by blank lines."""
    kind = sniff(data)
    if kind is ContentKind.OLE:
        raise _ole_error(data, filename)
    if kind is ContentKind.OTHER:
        raise damaged_docx(filename)
    if kind is not ContentKind.ZIP:
        raise wrong_content(filename, "a Word document", kind, data)
    check_docx_archive(data, filename, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n\n".join(_blocks(document.element.body))
    except Exception as exc:  # BadZipFile, KeyError, XMLSyntaxError, ValueError...
        logger.info("python-docx could not read a .docx: %s", type(exc).__name__)
        raise damaged_docx(filename) from None


def _ole_error(data: bytes, filename: str) -> ExtractionError:
    """OLE is how Office stores both encrypted .docx files and legacy .doc files."""
    if ole_is_encrypted_office(data):
        return password_protected(filename)
    if ole_is_word_document(data):
        return legacy_word(filename)
    return fail(
        filename,
        "it is named like a Word document but is actually an older Microsoft Office file.",
        paste_instead("Open it in Office, save it as .docx and share that"),
    )


def _blocks(container: Any) -> Iterator[str]:
    """Paragraph texts and table rows directly inside ``container``, in order."""
    for child in container.iterchildren():
        if child.tag == _P:
            yield _paragraph_text(child)
        elif child.tag == _TBL:
            rows = [row for row in _table_rows(child) if row]
            if rows:
                yield "\n".join(rows)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def _paragraph_text(paragraph: Any) -> str:
    return "".join(str(run.text) for run in paragraph.xpath(_RUNS))


def _table_rows(table: Any) -> Iterator[str]:
    """One line per row, non-empty cells joined by `` | ``.

    Cells covered by a vertical merge are empty in the XML, so they drop out.
    """
    for row in table.iterchildren(_TR):
        cells = (_cell_text(cell) for cell in row.iterchildren(_TC))
        yield _CELL_SEPARATOR.join(cell for cell in cells if cell)


def _cell_text(cell: Any) -> str:
    return " ".join(" ".join(block.split()) for block in _blocks(cell) if block.strip())
