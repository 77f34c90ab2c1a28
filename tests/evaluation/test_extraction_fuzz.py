"""Property: whatever the bytes, extract_text returns text or raises ExtractionError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.coach import FileLimits
from evaluation.errors import ExtractionError
from evaluation.extraction import SUPPORTED_EXTENSIONS, extract_text, normalize_text
from tests.evaluation.extraction_files import OLE_MAGIC, make_docx, make_text_pdf

LIMITS = FileLimits(max_bytes=64 * 1024, pdf_max_pages=5)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Prefixes that steer random bytes past the sniffers into the real parsers.
PREFIXES = [
    b"",
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    OLE_MAGIC,
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"<!DOCTYPE html>",
]
REAL_FILES = {".pdf": make_text_pdf("Fuzz me"), ".docx": make_docx()}


def outcome(data: bytes, filename: str) -> str | None:
    """The extracted text, or None for an ExtractionError; anything else fails the test."""
    try:
        text = extract_text(data, filename, LIMITS)
    except ExtractionError as error:
        message = error.user_message
    else:
        assert isinstance(text, str)
        assert text == normalize_text(text)
        return text
    assert message.startswith("I couldn't read")
    return None


@FUZZ
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=4096),
    extension=st.sampled_from(SUPPORTED_EXTENSIONS),
)
def test_random_bytes_never_escape(prefix: bytes, body: bytes, extension: str) -> None:
    outcome(prefix + body, f"upload{extension}")


@FUZZ
@given(
    extension=st.sampled_from(sorted(REAL_FILES)),
    cut=st.floats(min_value=0.0, max_value=1.0),
    edits=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_damaged_real_files_never_escape(
    extension: str, cut: float, edits: list[tuple[float, int]]
) -> None:
    data = bytearray(REAL_FILES[extension])
    for where, value in edits:
        data[min(int(where * len(data)), len(data) - 1)] = value
    outcome(bytes(data[: max(1, int(cut * len(data)))]), f"real{extension}")


@pytest.mark.parametrize("extension", sorted(REAL_FILES))
def test_undamaged_real_files_extract(extension: str) -> None:
    assert outcome(REAL_FILES[extension], f"real{extension}")


@settings(max_examples=300, deadline=None, database=None)
@given(st.text() | st.text(st.characters(max_codepoint=127)))  # ASCII has its own path
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\r" not in once
    assert "\n\n\n" not in once
    controls = [c for c in once if c not in "\t\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]
    assert controls == []
