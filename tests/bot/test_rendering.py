"""Any evaluation renders within Block Kit limits, escaped, with a text fallback."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.rendering import render_evaluation
from bot.rendering.messages import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BUTTON_TEXT,
    MAX_CONTEXT_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
)
from bot.rendering.notices import render_unpostable
from bot.rendering.preview import render_preview
from evaluation.result import CriterionScore, EvaluationResult, Segment
from evaluation.rubric import Scale

HOSTILE = "<!channel> <@U123> <https://evil.example|click> & @here"

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=4000) | st.just(HOSTILE)
short = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)


@st.composite
def evaluations(draw: st.DrawFn) -> EvaluationResult:
    n = draw(st.integers(1, 12))
    criteria = [
        CriterionScore(
            key=f"k{i}",
            name=draw(short),
            weight=draw(st.integers(1, 100)),
            score=draw(st.none() | st.integers(1, 5).map(float)),
            justification=draw(texts),
        )
        for i in range(n)
    ]
    segments = []
    for _ in range(draw(st.integers(0, 30))):
        quote = draw(st.text(min_size=1, max_size=2000).filter(lambda q: q.strip() != ""))
        segments.append(
            Segment(
                quote=quote,
                start=0,
                end=len(quote),
                comment=draw(texts),
                questions=draw(st.lists(texts, max_size=3)),
                suggestions=draw(st.lists(texts, max_size=3)),
            )
        )
    return EvaluationResult(
        overall_score=draw(st.none() | st.floats(1, 5).map(lambda x: round(x, 1))),
        scale=Scale(),
        evaluator=draw(st.sampled_from(["offline", "anthropic:claude-sonnet-5"])),
        rubric_version=draw(st.integers(1, 500)),
        language=draw(st.sampled_from(["en", "es", "fr"])),
        criteria=criteria,
        strengths=draw(st.lists(texts, max_size=6)),
        opportunities=draw(st.lists(texts, max_size=6)),
        segments=segments,
    )


def _texts(block: dict[str, Any]) -> list[str]:
    found = []
    if isinstance(block.get("text"), dict):
        found.append(block["text"]["text"])
    for element in block.get("elements", []):
        text = element.get("text")
        found.append(text["text"] if isinstance(text, dict) else text)
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evaluations(), st.none() | st.integers(1, 10**9), st.none() | short)
def test_renders_within_slack_limits(
    result: EvaluationResult, evaluation_id: int | None, reason: str | None
) -> None:
    messages = render_evaluation(result, evaluation_id=evaluation_id, fallback_reason=reason)
    assert messages
    for message in messages:
        assert message.text.strip()
        assert 1 <= len(message.blocks) <= MAX_BLOCKS_PER_MESSAGE
        json.dumps(message.payload())
        for block in message.blocks:
            kind = block["type"]
            assert kind in {"header", "section", "context", "divider", "actions"}
            for text in _texts(block):
                assert text, block
                assert "<" not in text, "unescaped angle bracket"
                assert ">" not in text, "unescaped angle bracket"
                limit = {
                    "header": MAX_HEADER_TEXT,
                    "section": MAX_SECTION_TEXT,
                    "context": MAX_CONTEXT_TEXT,
                    "actions": MAX_BUTTON_TEXT,
                }[kind]
                assert len(text) <= limit
            if kind == "context":
                assert len(block["elements"]) <= 10


def _result(**overrides: Any) -> EvaluationResult:
    base: dict[str, Any] = {
        "overall_score": 3.6,
        "scale": Scale(),
        "evaluator": "offline",
        "rubric_version": 2,
        "language": "en",
        "criteria": [
            CriterionScore(
                key="a", name="Answer first", weight=60, score=4.0, justification=HOSTILE
            ),
            CriterionScore(key="b", name="Risks", weight=40, score=None, justification="n/a"),
        ],
        "strengths": ["Clear ask"],
        "opportunities": ["Name the risks"],
        "segments": [Segment(quote="We should <b>", start=0, end=13, comment="ok")],
    }
    base.update(overrides)
    return EvaluationResult(**base)


def test_hostile_text_cannot_ping_or_link() -> None:
    payload = json.dumps([m.payload() for m in render_evaluation(_result())])
    assert "<!channel>" not in payload
    assert "<@U123>" not in payload
    assert "&lt;!channel&gt;" in payload
    assert "&lt;https://evil.example|click&gt;" in payload
    assert "@here" not in payload  # broken with a zero-width space
    assert "We should &lt;b&gt;" in payload


def test_offline_label_and_fallback_reason_are_visible() -> None:
    preview = render_preview(render_evaluation(_result(), fallback_reason="model timed out"))
    assert "Offline feedback" in preview
    assert "AI coach was unavailable (model timed out)" in preview
    online = render_preview(render_evaluation(_result(evaluator="anthropic:claude-sonnet-5")))
    assert "Offline" not in online
    assert "anthropic:claude-sonnet-5" in online


def test_header_score_bar_weight_and_unjudged() -> None:
    messages = render_evaluation(_result(), evaluation_id=42)
    blocks = messages[0].blocks
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Memo feedback: 3.6 / 5", "emoji": True},
    }
    preview = render_preview(messages)
    assert "Answer first (weight 60%)" in preview
    assert "▰▰▰▰▱" in preview
    assert "4 / 5" in preview
    assert "not judged" in preview
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "feedback_helpful",
        "feedback_not_helpful",
        "my_progress",
    ]
    assert {e["value"] for e in actions["elements"]} == {"42"}


def test_spanish_labels() -> None:
    preview = render_preview(render_evaluation(_result(language="es")))
    assert "Comentarios sobre tu memo: 3.6 / 5" in preview
    assert "Fortalezas" in preview


def test_long_evaluation_splits_into_numbered_replies() -> None:
    segments = [
        Segment(quote="x" * 900, start=0, end=900, comment="y" * 2500, questions=["q" * 500])
        for _ in range(40)
    ]
    messages = render_evaluation(_result(segments=segments), evaluation_id=1)
    assert len(messages) > 1
    assert messages[0].text.endswith(f"(part 1/{len(messages)})")
    assert messages[-1].blocks[-1]["type"] == "actions"


def test_the_unpostable_notice_says_why_and_where_to_share_instead() -> None:
    for error, why in [
        ("not_in_channel", "no longer a member"),
        ("is_archived", "archived"),
        ("channel_not_found", "no longer exists"),
        ("something_new", "refused my reply"),
    ]:
        notice = render_unpostable("C9", error).payload()
        body = json.dumps(notice)
        assert why in body
        assert "<#C9>" in body
        assert "in a DM" in body
