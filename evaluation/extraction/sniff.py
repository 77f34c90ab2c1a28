"""Identify what a file really is from its first bytes, whatever its name claims.

Users rename files, and a failed download often leaves a web page where the file should
be. Looking at the content lets us give a precise error instead of a parser traceback.
"""

from __future__ import annotations

import enum

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PDF_MAGIC = b"%PDF-"
_IMAGE_MAGICS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)
_HTML_PREFIXES = (b"<!doctype html", b"<html")
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class ContentKind(enum.Enum):
    """What the bytes look like; ``label`` is how we name it to a user."""

    PDF = "a PDF"
    ZIP = "a ZIP archive"
    OLE = "an older Microsoft Office file"
    HTML = "a web page"
    IMAGE = "an image"
    RTF = "a Rich Text (.rtf) document"
    OTHER = "something else"

    @property
    def label(self) -> str:
        return self.value


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding announced by a byte-order mark and the mark's length, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _head_as_ascii(data: bytes) -> bytes:
    """The first bytes, lower-cased and with BOM/leading whitespace removed, as ASCII.

    UTF-16/32 text is decoded first so a web page saved in those encodings is recognised.
    """
    head = data[:4096]
    found = bom_encoding(head)
    if found is not None:
        encoding, length = found
        text = head[length:].decode(encoding, errors="ignore")
        head = text.encode("ascii", errors="ignore")
    return head.lstrip().lower()


def looks_like_html(data: bytes) -> bool:
    """True for an HTML document, e.g. a sign-in page saved instead of the file."""
    return _head_as_ascii(data).startswith(_HTML_PREFIXES)


def _is_image(data: bytes) -> bool:
    if data.startswith(_IMAGE_MAGICS):
        return True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return True  # HEIC/AVIF photos from phones
    # BMP: "BM" alone would match ordinary text, so also require the zero reserved field.
    return data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00"


def sniff(data: bytes) -> ContentKind:
    """Classify ``data`` by its signature; ``OTHER`` covers text and unknown binaries."""
    if data.startswith(_OLE_MAGIC):
        return ContentKind.OLE
    if data.startswith(_ZIP_MAGICS):
        return ContentKind.ZIP
    if data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip().startswith(_PDF_MAGIC):
        return ContentKind.PDF
    if _is_image(data):
        return ContentKind.IMAGE
    if data.startswith(b"{\\rtf"):
        return ContentKind.RTF
    if looks_like_html(data):
        return ContentKind.HTML
    return ContentKind.OTHER


def ole_is_encrypted_office(data: bytes) -> bool:
    """True for a password-protected .docx/.xlsx/.pptx.

    Office wraps an encrypted OOXML file in an OLE compound file whose directory holds an
    ``EncryptedPackage`` stream (names are stored as UTF-16LE).
    """
    return data.startswith(_OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in data


def ole_is_word_document(data: bytes) -> bool:
    """True for a legacy Word 97-2003 (.doc) file: it has a ``WordDocument`` stream."""
    return data.startswith(_OLE_MAGIC) and "WordDocument".encode("utf-16-le") in data
