"""check_memo: empty, too short and too long memos get clear messages; others pass."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.coach import MemoLimits
from evaluation.errors import MemoRejected
from evaluation.limits import check_memo, count_words

LIMITS = MemoLimits(min_words=5, max_characters=500)
MARKER = "ZQXMARKER"


def rejection(text: str, limits: MemoLimits = LIMITS) -> str:
    with pytest.raises(MemoRejected) as caught:
        check_memo(text, limits)
    assert MARKER not in caught.value.user_message
    return caught.value.user_message


@pytest.mark.parametrize("text", ["", "   ", "\n\t\r\n", "\x00\x07 \x0c"])
def test_empty(text: str) -> None:
    assert rejection(text) == "There's no text to coach — paste your memo or share a file."


def test_too_short_says_count_and_minimum() -> None:
    message = rejection(f"Hi team, {MARKER}.")
    assert "Your memo has 3 words; the minimum is 5." in message
    assert "too short to be a memo" in message


def test_one_word_is_singular() -> None:
    assert "has 1 word;" in rejection(MARKER)


def test_too_long_says_length_and_limit_and_suggests_splitting() -> None:
    message = rejection(f"{MARKER} word " * 100, MemoLimits(min_words=5, max_characters=500))
    assert "1,499 characters long; the limit is 500" in message
    assert "Trim it, or split it" in message


def test_exact_limits_pass() -> None:
    assert check_memo("one two three four five", LIMITS) == "one two three four five"
    text = ("word " * 100)[:500]
    assert check_memo(text, LIMITS) == text.strip()


def test_returns_cleaned_text() -> None:
    raw = "\n\n  Hello team,\r\n\r\n\r\n\r\nWe ship on Friday.   \n\n"
    assert check_memo(raw, LIMITS) == "Hello team,\n\nWe ship on Friday."


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("El año pasado, l'équipe y el co-fundador decidieron.", 8),
        ("Don't stop — we're at 42% of Q3's goal.", 8),
        ("Niño, acción, pingüino, ¿qué?", 4),
        ("日本語 テキスト", 2),
        ("", 0),
        ("— ... !!", 0),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_counting_can_stop_at_a_minimum() -> None:
    text = "one two three four five"
    assert [count_words(text, up_to=n) for n in (0, 3, 5, 9)] == [0, 3, 5, 5]


def test_decomposed_accents_count_as_one_word() -> None:
    text = "Decisión rápida: añadir más café"
    assert count_words(unicodedata.normalize("NFD", text)) == count_words(text) == 5


def test_spanish_memo_passes() -> None:
    memo = "Propuesta: reducir el gasto en un diez por ciento durante el próximo año fiscal."
    assert check_memo(memo, MemoLimits(min_words=10)) == memo


@settings(max_examples=200, deadline=None, database=None)
@given(st.text())
def test_check_memo_returns_text_or_rejects(text: str) -> None:
    try:
        cleaned = check_memo(text, LIMITS)
    except MemoRejected as error:
        message = error.user_message
    else:
        assert count_words(cleaned) >= LIMITS.min_words
        assert len(cleaned) <= LIMITS.max_characters
        return
    assert message
