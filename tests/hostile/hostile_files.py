"""Hostile and broken memo files, built in memory (nothing binary is committed)."""

from __future__ import annotations

import io
import zipfile

from tests.evaluation.extraction_files import (
    encrypt_pdf,
    make_blank_pdf,
    make_docx,
    make_text_pdf,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def docx_with_many_entries(count: int) -> bytes:
    """A .docx-shaped ZIP of ``count`` tiny entries (an entry-count bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for index in range(count):
            archive.writestr(f"word/media/{index}.bin", b"")
    return buffer.getvalue()


def docx_zip_of_zips() -> bytes:
    """A .docx whose document part is itself a ZIP (a nested bomb shape)."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", "<a/>" * 1000)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", inner.getvalue())
    return outer.getvalue()


def encrypted_pdf() -> bytes:
    return encrypt_pdf(make_text_pdf("A confidential memo."), "secret-password")


def image_only_pdf() -> bytes:
    """Pages with no text layer, as a scan has."""
    return make_blank_pdf(3)


def pdf_over_page_limit(pages: int) -> bytes:
    return make_blank_pdf(pages)


def malformed_pdf() -> bytes:
    """A PDF header, then a body that is not PDF at all."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"


def real_docx() -> bytes:
    return make_docx()


def real_pdf() -> bytes:
    return make_text_pdf("A memo about pricing.", "Second page.")
