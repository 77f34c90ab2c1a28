"""Turn a PDF into text, one paragraph break per page.

pypdf is forgiving (``strict=False``) so slightly malformed real-world PDFs still open,
but on hostile input it can raise almost anything, including RecursionError. Every
failure becomes an ExtractionError here.
"""

from __future__ import annotations

import io
import logging

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from config.coach import FileLimits
from evaluation.errors import ExtractionError
from evaluation.extraction.messages import fail, password_protected, paste_instead
from evaluation.extraction.mismatch import wrong_content
from evaluation.extraction.normalize import normalize_text
from evaluation.extraction.sniff import ContentKind, sniff

logger = logging.getLogger(__name__)


def extract_pdf(data: bytes, filename: str, limits: FileLimits) -> str:
    """The text of a PDF's pages, separated by blank lines."""
    kind = sniff(data)
    if kind is ContentKind.OTHER:
        raise _damaged(filename)
    if kind is not ContentKind.PDF:
        raise wrong_content(filename, "a PDF", kind, data)
    try:
        return _read(data, filename, limits)
    except ExtractionError:
        raise
    except (DependencyError, NotImplementedError, FileNotDecryptedError) as exc:
        # An encryption scheme we cannot handle (e.g. AES without `cryptography`).
        logger.info("unsupported PDF encryption: %s", type(exc).__name__)
        raise fail(
            filename,
            "it is protected with encryption I can't open.",
            paste_instead("Save a copy without protection (e.g. print it to PDF) and share that"),
        ) from None
    except Exception as exc:  # PdfReadError, PdfStreamError, RecursionError, KeyError...
        logger.info("pypdf could not read a PDF: %s", type(exc).__name__)
        raise _damaged(filename) from None


def _read(data: bytes, filename: str, limits: FileLimits) -> str:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        # Only an empty user password is tried: such files open without asking anyone.
        raise password_protected(filename)
    page_count = len(reader.pages)
    if page_count > limits.pdf_max_pages:
        raise fail(
            filename,
            f"it has {page_count:,} pages; the limit is {limits.pdf_max_pages:,}.",
            paste_instead("Share only the pages you want coached (export them as a new PDF)"),
        )
    text = "\n\n".join(page.extract_text() for page in reader.pages)
    if not normalize_text(text):
        raise fail(
            filename,
            "it has no text I can extract — it looks like a scan or an image-only PDF.",
            paste_instead("Export it as text from the app that made it (or run OCR on it)"),
        )
    return text


def _damaged(filename: str) -> ExtractionError:
    return fail(
        filename,
        "it is damaged or incomplete, so it can't be opened as a PDF (maybe the upload was "
        "cut short, or it isn't really a PDF).",
        paste_instead("Export or save the PDF again and share that"),
    )
