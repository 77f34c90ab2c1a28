"""Quotes shown to users are verbatim memo text with exact offsets, whatever the model sent."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.anchoring import DraftSegment, anchor_quote, anchor_segments

MEMO = "We recommend “Option B” — it saves   $2M a year.\nNext steps: approve by Friday."


def test_exact_quote() -> None:
    assert anchor_quote(MEMO, "Next steps") == (49, 59)


def test_normalised_quote_maps_back_to_memo_characters() -> None:
    span = anchor_quote(MEMO, '"Option B" - it saves $2M a year.')
    assert span is not None
    start, end = span
    assert MEMO[start:end] == "Option B” — it saves   $2M a year."


def test_case_and_surrounding_quotes_ignored() -> None:
    span = anchor_quote(MEMO, "'next steps: APPROVE by friday.'")
    assert span is not None
    assert MEMO[span[0] : span[1]] == "Next steps: approve by Friday."


def test_fabricated_or_empty_quote_is_not_anchored() -> None:
    assert anchor_quote(MEMO, "We recommend Option C") is None
    assert anchor_quote(MEMO, "   ") is None
    assert anchor_quote(MEMO, "") is None


def test_anchor_segments_drops_unverifiable_and_duplicates_and_orders() -> None:
    drafts = [
        DraftSegment(quote="Next steps: approve by Friday.", comment="c2"),
        DraftSegment(quote="made up", comment="dropped"),
        DraftSegment(quote="We recommend", comment="c1", questions=("q",), suggestions=("s",)),
        DraftSegment(quote="we recommend", comment="duplicate span"),
    ]
    segments = anchor_segments(MEMO, drafts)
    assert [s.comment for s in segments] == ["c1", "c2"]
    for segment in segments:
        assert MEMO[segment.start : segment.end] == segment.quote


text_chars = st.characters(blacklist_categories=("Cs",))


@settings(max_examples=300, deadline=None)
@given(st.text(text_chars, min_size=1, max_size=400), st.data())
def test_any_substring_anchors_verbatim(memo: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(memo) - 1))
    end = data.draw(st.integers(start + 1, len(memo)))
    quote = memo[start:end]
    span = anchor_quote(memo, quote)
    if not quote.strip():
        return
    assert span is not None
    assert memo[span[0] : span[1]].strip() != "" or quote.strip() == ""


@settings(max_examples=300, deadline=None)
@given(st.text(text_chars, max_size=300), st.text(text_chars, max_size=80))
def test_whatever_is_returned_is_a_real_span(memo: str, quote: str) -> None:
    span = anchor_quote(memo, quote)
    if span is not None:
        start, end = span
        assert 0 <= start < end <= len(memo)
    for segment in anchor_segments(memo, [DraftSegment(quote=quote, comment="c")]):
        assert memo[segment.start : segment.end] == segment.quote


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(st.characters(whitelist_categories=("Ll", "Lu")), min_size=1), min_size=3),
    st.data(),
)
def test_whitespace_and_quote_mangling_is_repaired(words: list[str], data: st.DataObject) -> None:
    memo = "  \n ".join(words) + " “ok” — done"
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i, len(words) - 1))
    mangled = " ".join(words[i : j + 1])
    span = anchor_quote(memo, mangled)
    assert span is not None
    assert " ".join(memo[span[0] : span[1]].split()).casefold() == mangled.casefold()
