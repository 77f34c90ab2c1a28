"""extract_text on real files built in memory: happy paths and every rejection."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest

from config.coach import FileLimits
from evaluation.errors import ExtractionError
from evaluation.extraction import (
    SUPPORTED_EXTENSIONS,
    extract_text,
    extract_text_async,
    file_extension,
    normalize_text,
)
from tests.evaluation.extraction_files import (
    MARKER,
    OLE_MAGIC,
    SIGN_IN_PAGE,
    encrypt_pdf,
    make_blank_pdf,
    make_docx,
    make_empty_docx,
    make_ole,
    make_text_pdf,
    make_zip,
    make_zip_bomb,
    mark_zip_entries_encrypted,
    rezip,
)

LIMITS = FileLimits()
MEMO = f"Subject: Q3 plan {MARKER}\n\nWe should ship on Friday. Año, café, niño.\n"


def rejection(data: bytes, filename: str, limits: FileLimits = LIMITS) -> str:
    """The user message for a rejected file, after checks every message must pass."""
    with pytest.raises(ExtractionError) as caught:
        extract_text(data, filename, limits)
    message = caught.value.user_message
    assert MARKER not in message, "error messages must never quote the file's content"
    shown = filename.replace("\\", "/").rsplit("/", 1)[-1]
    assert f"“{shown}”" in message, "error messages name the file"
    assert "paste the text" in message, "every message offers pasting as a way out"
    return message


@pytest.fixture(scope="module")
def text_pdf() -> bytes:
    return make_text_pdf(f"Quarterly plan {MARKER} café", "Second page text")


@pytest.fixture(scope="module")
def docx_file() -> bytes:
    return make_docx()


# --- plain text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (MEMO.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + MEMO.encode("utf-8"), "utf-8 with BOM"),
        (MEMO.encode("utf-16"), "utf-16 with native BOM"),
        (b"\xfe\xff" + MEMO.encode("utf-16-be"), "utf-16-be with BOM"),
        (b"\xff\xfe" + MEMO.encode("utf-16-le"), "utf-16-le with BOM"),
    ],
)
def test_text_encodings_accepted(data: bytes, label: str) -> None:
    assert extract_text(data, "memo.txt", LIMITS) == MEMO.strip(), label


@pytest.mark.parametrize("name", ["memo.md", "memo.MARKDOWN", "Memo.TXT", "dir/sub\\memo.md"])
def test_markdown_and_case_insensitive_extensions(name: str) -> None:
    text = extract_text(b"# Title\r\n\r\n- point one  \r\n- point two\r\n", name, LIMITS)
    assert text == "# Title\n\n- point one\n- point two"


def test_latin1_text_asks_for_utf8() -> None:
    message = rejection(MEMO.encode("latin-1"), "memo.txt")
    assert "UTF-8" in message
    assert "Save it as UTF-8" in message


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_asks_for_utf8(encoding: str) -> None:
    message = rejection(MEMO.encode(encoding), "memo.txt")
    assert "UTF-16 without a byte-order mark" in message


def test_invalid_utf16_after_bom() -> None:
    message = rejection(b"\xff\xfe" + b"\x00\xd8" + b"a\x00", "memo.txt")
    assert "isn't valid UTF-16" in message


@pytest.mark.parametrize(
    "data",
    [
        MARKER.encode() + b"\x00\x01\x02\x03" * 50,  # NUL bytes
        b"\x00\x01" * 100,  # NULs in every other byte, like UTF-16, but not text
        (MARKER + "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20).encode(),  # no NUL
        bytes(range(256)) * 4,  # not UTF-8 either, but clearly binary
    ],
)
def test_binary_named_txt(data: bytes) -> None:
    message = rejection(data, "notes.txt")
    assert "binary" in message


def test_empty_file() -> None:
    assert "empty (0 bytes)" in rejection(b"", "memo.txt")


def test_whitespace_only_text_has_no_text() -> None:
    assert "no text" in rejection(b" \r\n\t\n  ", "memo.txt")


def test_oversized_file_names_size_and_limit() -> None:
    limits = FileLimits(max_bytes=10 * 1024 * 1024)
    message = rejection(MARKER.encode() * (11 * 1024 * 1024 // len(MARKER)), "big.txt", limits)
    assert "it is 11 MB, over the 10 MB limit" in message


def test_oversized_by_a_few_bytes_shows_exact_numbers() -> None:
    message = rejection(b"a" * 2049, "big.txt", FileLimits(max_bytes=2048))
    assert "2,049 bytes" in message
    assert "2,048-byte limit" in message


@pytest.mark.parametrize("name", ["memo.txt", "memo.md", "memo.docx", "memo.pdf"])
@pytest.mark.parametrize(
    "page", [SIGN_IN_PAGE, b"\n  <html><body>" + MARKER.encode(), "\ufeff<HTML>".encode()]
)
def test_html_sign_in_page(name: str, page: bytes) -> None:
    message = rejection(page, name)
    assert "web page (perhaps a sign-in page)" in message
    assert "Download the document" in message


def test_html_in_utf16_is_recognised() -> None:
    assert "web page" in rejection("<!doctype html><p>hi</p>".encode("utf-16"), "memo.txt")


def test_pdf_named_txt_says_rename(text_pdf: bytes) -> None:
    message = rejection(text_pdf, "memo.txt")
    assert "actually a PDF" in message
    assert "Rename it to end in .pdf" in message


def test_docx_named_txt_says_rename(docx_file: bytes) -> None:
    assert "Rename it to end in .docx" in rejection(docx_file, "memo.txt")


def test_image_named_txt() -> None:
    message = rejection(b"\x89PNG\r\n\x1a\n" + bytes(100), "memo.txt")
    assert "actually an image" in message


def test_text_starting_with_bm_is_not_a_bitmap() -> None:
    assert extract_text(b"BMW sales memo " + MEMO.encode(), "memo.txt", LIMITS).startswith("BMW")


# --- unsupported types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("deck.pptx", "presentations (.pptx) aren't supported"),
        ("numbers.xlsx", "spreadsheets (.xlsx) aren't supported"),
        ("old.doc", "older Word format (.doc)"),
        ("photo.JPG", "it is an image (.jpg)"),
        ("scan.png", "can't read text from pictures"),
        ("memo.rtf", ".rtf files aren't supported"),
        ("archive.zip", ".zip files aren't supported"),
        ("README", "no file extension"),
        ("weird.<<!!>>", "this type of file isn't supported"),
    ],
)
def test_unsupported_type_lists_supported_ones(name: str, expected: str) -> None:
    message = rejection(MARKER.encode(), name)
    assert expected in message
    assert "I can read .txt, .md, .docx and .pdf files." in message


def test_unsupported_type_wins_over_empty_and_size() -> None:
    assert "presentations" in rejection(b"", "deck.pptx")


def test_file_extension() -> None:
    assert file_extension("A.Report.DOCX") == ".docx"
    assert file_extension(".bashrc") == ""
    assert file_extension("memo.pdf. ") == ".pdf"
    assert file_extension("C:\\Users\\me\\memo.md") == ".md"
    assert set(SUPPORTED_EXTENSIONS) == {".txt", ".md", ".markdown", ".docx", ".pdf"}


def test_long_and_multiline_file_names_are_tidied() -> None:
    name = "line one\nline two " + "x" * 200 + ".pptx"
    with pytest.raises(ExtractionError) as caught:
        extract_text(b"x", name, LIMITS)
    message = caught.value.user_message
    assert "\n" not in message
    assert "“line one line two xxx" in message
    assert "…”" in message


# --- docx -------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_order(docx_file: bytes) -> None:
    text = extract_text(docx_file, "Plan.docx", LIMITS)
    assert text == (
        f"Intro paragraph {MARKER} café\n\nOwner | Deadline\nAna Muñoz | Friday\n\n"
        "Closing paragraph."
    )


def test_docx_nested_in_content_control_and_with_line_break() -> None:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("First line")
    paragraph.add_run().add_break()
    paragraph.add_run("second line")
    body = document.element.body
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    sdt = parse_xml(
        f"<w:sdt {namespace}><w:sdtContent><w:p><w:r><w:t>In a control</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    body.insert(len(body) - 1, sdt)  # before the section properties
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text(buffer.getvalue(), "memo.docx", LIMITS) == (
        "First line\nsecond line\n\nIn a control"
    )


def test_docx_without_text() -> None:
    assert "no text" in rejection(make_empty_docx(), "blank.docx")


def test_zip_bomb_docx_is_rejected_before_inflating() -> None:
    bomb = make_zip_bomb(200)
    assert len(bomb) < 1024 * 1024
    message = rejection(bomb, "bomb.docx")
    assert "zip bomb" in message


def test_docx_over_uncompressed_limit(docx_file: bytes) -> None:
    limits = FileLimits(docx_max_uncompressed_bytes=64 * 1024)
    message = rejection(docx_file, "big.docx", limits)
    assert "would expand to" in message
    assert "over the 64 KB limit" in message


def test_docx_with_too_many_entries(docx_file: bytes) -> None:
    crowded = rezip(docx_file, {f"customXml/item{i}.xml": b"<x/>" for i in range(100, 130)})
    message = rejection(crowded, "many.docx", FileLimits(docx_max_entries=40))
    assert "unusual number of internal parts" in message
    assert "the limit is 40" in message


def test_docx_with_encrypted_zip_entries(docx_file: bytes) -> None:
    assert "password-protected" in rejection(mark_zip_entries_encrypted(docx_file), "p.docx")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_docx(docx_file: bytes, fraction: float) -> None:
    message = rejection(docx_file[: int(len(docx_file) * fraction)], "cut.docx")
    assert "damaged or incomplete" in message


def test_docx_with_corrupt_xml(docx_file: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_file)) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries["word/document.xml"] = b"<w:document><unclosed>" + MARKER.encode()
    assert "damaged or incomplete" in rejection(make_zip(entries), "bad.docx")


def test_docx_missing_relationships(docx_file: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_file)) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist()}
    del entries["_rels/.rels"]
    assert "damaged or incomplete" in rejection(make_zip(entries), "norels.docx")


def test_doc_renamed_docx() -> None:
    message = rejection(make_ole("WordDocument"), "old.docx")
    assert "older Word format (.doc)" in message
    assert "Save As → Word Document (.docx)" in message


def test_password_protected_office_file() -> None:
    message = rejection(make_ole("EncryptedPackage"), "secret.docx")
    assert "password-protected" in message
    assert "without the password" in message


def test_other_ole_file_named_docx() -> None:
    assert "older Microsoft Office file" in rejection(OLE_MAGIC + bytes(600), "x.docx")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"xl/workbook.xml": b"<x/>"}, "an Excel workbook"),
        ({"ppt/presentation.xml": b"<x/>"}, "a PowerPoint presentation"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text"}, "an OpenDocument file"),
        ({"notes.txt": MARKER.encode()}, "a ZIP archive that isn't a Word document"),
    ],
)
def test_other_zip_named_docx(entries: dict[str, bytes], expected: str) -> None:
    assert expected in rejection(make_zip(entries), "memo.docx")


def test_random_bytes_named_docx() -> None:
    assert "damaged or incomplete" in rejection(b"\x13\x37" * 300 + MARKER.encode(), "r.docx")


def test_pdf_named_docx(text_pdf: bytes) -> None:
    assert "actually a PDF" in rejection(text_pdf, "memo.docx")


# --- pdf --------------------------------------------------------------------------------


def test_text_pdf_pages_become_paragraphs(text_pdf: bytes) -> None:
    text = extract_text(text_pdf, "Plan.PDF", LIMITS)
    assert text == f"Quarterly plan {MARKER} café\n\nSecond page text"


def test_pdf_over_page_limit() -> None:
    message = rejection(make_blank_pdf(5), "long.pdf", FileLimits(pdf_max_pages=4))
    assert "it has 5 pages; the limit is 4" in message


def test_image_only_pdf_looks_like_a_scan() -> None:
    message = rejection(make_blank_pdf(2), "scan.pdf")
    assert "looks like a scan" in message
    assert "paste the text" in message


def test_pdf_with_user_password(text_pdf: bytes) -> None:
    message = rejection(encrypt_pdf(text_pdf, "s3cret"), "locked.pdf")
    assert "password-protected" in message


def test_pdf_with_empty_user_password_opens(text_pdf: bytes) -> None:
    data = encrypt_pdf(text_pdf, "", owner_password="owner-only")
    assert extract_text(data, "restricted.pdf", LIMITS).startswith("Quarterly plan")


def test_pdf_encryption_we_cannot_handle(text_pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    def needs_cryptography(self: PdfReader, password: str) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", needs_cryptography)
    message = rejection(encrypt_pdf(text_pdf, ""), "aes.pdf")
    assert "encryption I can't open" in message


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.99])
def test_truncated_pdf(text_pdf: bytes, fraction: float) -> None:
    message = rejection(text_pdf[: int(len(text_pdf) * fraction)], "cut.pdf")
    assert "damaged or incomplete" in message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + MARKER.encode() + b"\n%%EOF",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>"
        b"\n%%EOF",
        b"\x8f\x01" * 500 + MARKER.encode(),
    ],
)
def test_corrupt_or_random_pdf(data: bytes) -> None:
    assert "damaged or incomplete" in rejection(data, "bad.pdf")


def test_pdf_parser_crash_becomes_extraction_error(
    text_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PageObject

    def explode(self: PageObject) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(PageObject, "extract_text", explode)
    assert "damaged or incomplete" in rejection(text_pdf, "deep.pdf")


def test_docx_parser_crash_becomes_extraction_error(
    docx_file: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx

    def explode(*args: object) -> None:
        raise KeyError("There is no item named 'word/document.xml' in the archive")

    monkeypatch.setattr(docx, "Document", explode)
    assert "damaged or incomplete" in rejection(docx_file, "odd.docx")


def test_unexpected_reader_error_is_still_an_extraction_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from evaluation.extraction import plain_text

    def explode(data: bytes) -> object:
        raise ZeroDivisionError

    monkeypatch.setattr(plain_text, "sniff", explode)
    assert "something unexpected went wrong" in rejection(MEMO.encode(), "memo.txt")


# --- normalisation and async ------------------------------------------------------------


def test_normalisation() -> None:
    raw = "  Title \r\nline\twith tab   \r\n\r\n\r\n\r\n\rNext\x00 para\x07\x0cpage 2 cafe\u0301\n"
    assert normalize_text(raw) == "Title\nline\twith tab\n\nNext para\n\npage 2 café"


def test_normalisation_of_ascii_text() -> None:
    """ASCII text takes a shorter path (no NFC, a byte-level look for controls)."""
    raw = "  Title \r\nline\twith tab   \r\n\r\n\r\n\rNext\x00 para\x07\x7f\x1b end\n"
    assert normalize_text(raw) == "Title\nline\twith tab\n\nNext para end"
    assert normalize_text("Nothing to change.\n\nTwo paragraphs.") == (
        "Nothing to change.\n\nTwo paragraphs."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x0bb", "a\nb"),
        ("a\x0cb", "a\n\nb"),
        ("a\x85b", "a\nb"),
        ("a\u2028b", "a\nb"),
        ("a\u2029b", "a\n\nb"),
        ("\ufeffa\ufeffb", "ab"),
        ("plain text, nothing to translate", "plain text, nothing to translate"),
    ],
)
def test_unusual_line_breaks_become_newlines(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


async def test_async_runs_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from evaluation.extraction import dispatch

    threads: list[threading.Thread] = []
    real = dispatch.extract_text

    def spy(data: bytes, filename: str, limits: FileLimits) -> str:
        threads.append(threading.current_thread())
        return real(data, filename, limits)

    monkeypatch.setattr(dispatch, "extract_text", spy)
    assert await extract_text_async(MEMO.encode(), "memo.txt", LIMITS) == MEMO.strip()
    assert threads
    assert threads[0] is not threading.main_thread()


async def test_async_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        await extract_text_async(b"", "memo.txt", LIMITS)
