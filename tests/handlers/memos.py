"""Memo texts and files for the integration tests, built in memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

MEMOS = Path(__file__).resolve().parents[1] / "data" / "memos"
STRONG = (MEMOS / "pricing_strong.md").read_text()
WEAK = (MEMOS / "pricing_weak.md").read_text()


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bomb_docx() -> bytes:
    """A .docx whose one entry inflates to 200 MB of zeros (about 200 KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()
