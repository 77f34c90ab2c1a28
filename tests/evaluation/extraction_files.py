"""Build real upload files (docx, pdf, zips, OLE-looking blobs) in memory for tests.

Nothing binary is committed: every file is generated here, small and fast.
"""

from __future__ import annotations

import io
import struct
import zipfile

import docx
from pypdf import PdfReader, PdfWriter

MARKER = "ZQXMARKER"  # a string that must never show up in an error message
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGN_IN_PAGE = (
    b"<!DOCTYPE html>\n<html lang='en'><head><title>Sign in</title></head>"
    b"<body><form>" + MARKER.encode() + b"</form></body></html>"
)


def make_docx(*, with_table: bool = True) -> bytes:
    """A Word document: paragraph, blank lines, a 2x2 table, paragraph."""
    document = docx.Document()
    document.add_paragraph(f"Intro paragraph {MARKER} café")
    document.add_paragraph("")
    document.add_paragraph("")
    document.add_paragraph("")
    if with_table:
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Owner"
        table.cell(0, 1).text = "Deadline"
        table.cell(1, 0).text = "Ana Muñoz"
        table.cell(1, 1).text = "Friday"
    document.add_paragraph("Closing paragraph.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_empty_docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def rezip(source: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of the ZIP ``source`` with ``extra`` entries appended."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info, old.read(info))
        for name, payload in (extra or {}).items():
            new.writestr(name, payload)
    return buffer.getvalue()


def make_zip_bomb(declared_mib: int = 200) -> bytes:
    """A .docx-shaped ZIP whose media entry inflates to ``declared_mib`` MiB of zeros.

    Zeros are streamed through the compressor a MiB at a time, so building it needs
    ~0.4 s and a few hundred KB of memory; the result is ~200 KB.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/image1.png", "w", force_zip64=True) as entry:
            chunk = bytes(1024 * 1024)
            for _ in range(declared_mib):
                entry.write(chunk)
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def mark_zip_entries_encrypted(data: bytes) -> bytes:
    """Set the "encrypted" flag on every central-directory entry (legacy ZIP crypto)."""
    out = bytearray(data)
    position = out.find(b"PK\x01\x02")
    while position != -1:
        (flags,) = struct.unpack_from("<H", out, position + 8)
        struct.pack_into("<H", out, position + 8, flags | 0x1)
        position = out.find(b"PK\x01\x02", position + 4)
    return bytes(out)


def make_ole(stream_name: str) -> bytes:
    """An OLE-compound-file-looking blob whose directory names ``stream_name``.

    Enough for signature checks (encrypted Office files have "EncryptedPackage",
    Word 97-2003 files "WordDocument"); not a complete compound file.
    """
    header = OLE_MAGIC + bytes(504)
    directory = stream_name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64)
    return header + directory + MARKER.encode() + bytes(1024)


def make_text_pdf(*pages: str) -> bytes:
    """A PDF with one text line per page, drawn by matplotlib with embedded TrueType
    fonts so pypdf can map glyphs back to text."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    with (
        matplotlib.rc_context({"pdf.fonttype": 42}),
        PdfPages(buffer) as pdf,
    ):
        for text in pages:
            figure = Figure(figsize=(6, 2))
            figure.text(0.05, 0.5, text)
            pdf.savefig(figure)
    return buffer.getvalue()


def make_blank_pdf(page_count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(page_count):
        writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypt_pdf(source: bytes, user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password, owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
