"""The small views (status, notices, help, rubric, privacy, forget me, memo form,
progress): the right words and ids, hostile text escaped, Slack's limits respected."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.rendering.escape import ZERO_WIDTH_SPACE
from bot.rendering.forget_me import (
    ACTION_FORGET_ME_CANCEL,
    ACTION_FORGET_ME_CONFIRM,
    render_forget_me_cancelled,
    render_forget_me_confirm,
    render_forget_me_done,
)
from bot.rendering.help import render_help
from bot.rendering.memo_modal import (
    AUDIENCE_ACTION,
    AUDIENCE_BLOCK,
    MEMO_ACTION,
    MEMO_BLOCK,
    MEMO_MODAL_CALLBACK,
    memo_modal_errors,
    memo_modal_view,
    read_memo_modal,
)
from bot.rendering.messages import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BUTTON_TEXT,
    MAX_CONTEXT_TEXT,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    SlackMessage,
)
from bot.rendering.notices import (
    ACTION_RETRY_SUBMISSION,
    render_evaluation_failed,
    render_feedback_in_dm,
    render_mention_hint,
    render_queued_ack,
    render_rate_limited,
    render_rejected,
    render_thanks_for_feedback,
)
from bot.rendering.preview import render_preview
from bot.rendering.privacy import render_privacy
from bot.rendering.progress_blocks import render_history, render_progress
from bot.rendering.progress_text import progress_as_text
from bot.rendering.rubric_view import render_rubric
from bot.rendering.status import Stage, first_line_of, render_status
from config.coach import CoachConfig
from evaluation.rubric import Criterion, Framework, Rubric
from storage.repositories.progress import (
    CriterionProgress,
    RecentMemo,
    RecurringOpportunity,
    ScorePoint,
    UserProgress,
)

HOSTILE = "<!channel> <@U1> <http://x|y> & @here"
OUR_LINK = re.compile(r"<https://[^\s<>|]+\|[^<>|]+>")
"""The only ``<…>`` allowed: links we build ourselves from checked URLs."""
LIMITS = {
    "header": MAX_HEADER_TEXT,
    "section": MAX_SECTION_TEXT,
    "context": MAX_CONTEXT_TEXT,
    "actions": MAX_BUTTON_TEXT,
}


def _texts(block: dict[str, Any]) -> list[str]:
    found = []
    if isinstance(block.get("text"), dict):
        found.append(block["text"]["text"])
    for element in block.get("elements", []):
        text = element.get("text")
        found.append(text["text"] if isinstance(text, dict) else text)
    return found


def assert_slack_limits(message: SlackMessage) -> None:
    """Everything Slack would reject, or would turn into a ping or a foreign link."""
    assert message.text.strip(), "fallback text is required with blocks"
    assert len(message.text) <= MAX_FALLBACK_TEXT
    assert "<" not in message.text
    assert ">" not in message.text
    assert 1 <= len(message.blocks) <= MAX_BLOCKS_PER_MESSAGE
    json.dumps(message.payload())
    for block in message.blocks:
        kind = block["type"]
        assert kind in {"header", "section", "context", "divider", "actions"}
        if kind == "context":
            assert 1 <= len(block["elements"]) <= 10
        if kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            assert len(block.get("block_id", "")) <= 255
            for element in block["elements"]:
                assert len(element["action_id"]) <= 255
                assert len(element["value"]) <= 2000
        for text in _texts(block):
            assert text.strip(), block
            assert len(text) <= LIMITS[kind], (kind, len(text))
            outside_links = OUR_LINK.sub("", text)
            assert "<" not in outside_links, text
            assert ">" not in outside_links, text


def _payload(messages: SlackMessage | list[SlackMessage]) -> str:
    items = messages if isinstance(messages, list) else [messages]
    return json.dumps([m.payload() for m in items], ensure_ascii=False)


def assert_hostile_escaped(messages: SlackMessage | list[SlackMessage]) -> None:
    payload = _payload(messages)
    assert "<!channel>" not in payload
    assert "<@U1>" not in payload
    assert "<http://x|y>" not in payload
    assert "@here" not in payload
    assert f"@{ZERO_WIDTH_SPACE}here" in payload
    assert "&lt;!channel&gt;" in payload
    assert "&lt;http://x|y&gt;" in payload


def _rubric(
    n: int = 3,
    *,
    name: str = "Business memo",
    description: str = "Get a decision from a busy reader.",
    guidance: str = "Guidance for level {level} of {key}.",
) -> Rubric:
    weights = [100 // n] * n
    weights[-1] += 100 - sum(weights)
    return Rubric(
        name=name,
        description=description,
        frameworks=(
            Framework(key="pyramid", name="Pyramid Principle", description="Answer first."),
        ),
        criteria=tuple(
            Criterion(
                key=f"criterion_{i}",
                name=f"Criterion {i}",
                weight=weights[i],
                description=f"What criterion {i} looks for.",
                levels={
                    level: guidance.format(level=level, key=f"criterion_{i}")
                    for level in range(1, 6)
                },
                frameworks=("pyramid",) if i == 0 else (),
            )
            for i in range(n)
        ),
    )


def _progress(**overrides: Any) -> UserProgress:
    when = datetime(2025, 3, 4, 10, 0)
    answer = CriterionProgress("answer_first", "Answer first", 2.0, 4.0, 3.1, 3, False)
    evidence = CriterionProgress("evidence", "Evidence", 3.0, 3.0, 3.0, 3, False)
    base: dict[str, Any] = {
        "user_id": 1,
        "memo_count": 3,
        "overall": [
            ScorePoint(when, 2.4, 1),
            ScorePoint(when + timedelta(days=1), 3.0, 2),
            ScorePoint(when + timedelta(days=2), 3.8, 3),
        ],
        "first_overall": ScorePoint(when, 2.4, 1),
        "criteria": [
            answer,
            evidence,
            CriterionProgress("tone", "Tone", 2.0, 3.0, 2.5, 2, True),
        ],
        "strongest": answer,
        "weakest": evidence,
        "recurring_opportunity": RecurringOpportunity("Name the risks", 2, 3),
        "recent": [
            RecentMemo(3, when + timedelta(days=2), 3.8, "D0123ABC", "1700000000.000100"),
            RecentMemo(2, when + timedelta(days=1), 3.0, None, None),
        ],
    }
    base.update(overrides)
    return UserProgress(**base)


# --- status -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        (Stage.QUEUED, ":inbox_tray:"),
        (Stage.READING_FILE, ":page_facing_up:"),
        (Stage.SCORING, ":mag: *Scoring against the rubric"),
        (Stage.DONE, ":white_check_mark: *Done* — your feedback is in this thread"),
        (Stage.FAILED, ":warning:"),
        (Stage.REJECTED, "couldn't coach"),
    ],
)
def test_status_shows_stage_and_quote(stage: Stage, words: str) -> None:
    message = render_status(stage, first_line="Q3 hiring plan", source_label="/memo-coach")
    payload = _payload(message)
    assert words in payload
    assert "&gt; Q3 hiring plan" in payload
    assert "via /memo-coach" in payload
    assert "Q3 hiring plan" in message.text
    assert_slack_limits(message)


def test_status_for_a_file_shows_the_file_name_and_detail() -> None:
    message = render_status(
        Stage.REJECTED,
        first_line=None,
        source_label="plan <@U1>.pdf",
        detail="This PDF has no text layer <!channel>.",
    )
    payload = _payload(message)
    assert "plan &lt;@U1&gt;.pdf" in payload
    assert "no text layer &lt;!channel&gt;" in payload
    assert "&gt; " not in payload.split("plan")[0]  # no quote block for files
    assert_slack_limits(message)


def test_status_truncates_a_long_first_line_and_escapes_it() -> None:
    message = render_status(Stage.SCORING, first_line=HOSTILE + " " + "x" * 400, source_label="DM")
    quote = message.blocks[0]["text"]["text"]
    assert len(quote) < 260
    assert quote.endswith("…")
    assert_hostile_escaped(message)
    assert_slack_limits(message)


def test_truncation_keeps_text_after_an_ampersand() -> None:
    message = render_status(
        Stage.QUEUED, first_line="R&D budget " + "words " * 60, source_label="DM"
    )
    quote = message.blocks[0]["text"]["text"]
    assert quote.startswith("&gt; R&amp;D budget words")
    assert len(quote) > 140


def test_first_line_of_strips_markdown_and_blank_lines() -> None:
    text = "\n  \n## **Q3 hiring** plan: [see doc](https://x) for snake_case_name\nmore"
    assert first_line_of(text) == "Q3 hiring plan: see doc for snake_case_name"
    assert first_line_of("> - _Recommendation_: hire `four`") == "Recommendation: hire four"
    assert first_line_of("1. First point") == "First point"
    assert first_line_of("   \n\n") == ""


# --- notices ----------------------------------------------------------------------


def test_rejected_escapes_the_user_message() -> None:
    message = render_rejected(f"Your memo is too short. {HOSTILE}")
    assert "Your memo is too short." in _payload(message)
    assert "/memo-coach help" in _payload(message)
    assert_hostile_escaped(message)
    assert_slack_limits(message)


def test_rate_limited_uses_the_users_time_zone() -> None:
    retry_at = datetime(2025, 3, 1, 13, 32, tzinfo=UTC)
    madrid = render_rate_limited(20, retry_at, "Europe/Madrid")
    assert "20 memos per hour" in _payload(madrid)
    assert "at *14:32*" in _payload(madrid)
    assert "14:32" in madrid.text
    unknown = render_rate_limited(1, retry_at, None)
    assert "1 memo per hour" in _payload(unknown)
    assert "13:32 UTC" in _payload(unknown)
    bad_zone = render_rate_limited(5, retry_at.replace(tzinfo=None), "Not/AZone")
    assert "13:32 UTC" in _payload(bad_zone)
    for message in (madrid, unknown, bad_zone):
        assert_slack_limits(message)


def test_evaluation_failed_offers_a_retry_button() -> None:
    message = render_evaluation_failed(f"timeout {HOSTILE}", 42)
    actions = next(b for b in message.blocks if b["type"] == "actions")
    [retry] = actions["elements"]
    assert retry["action_id"] == ACTION_RETRY_SUBMISSION == "retry_submission"
    assert retry["value"] == "42"
    assert "Try again" in retry["text"]["text"]
    assert_hostile_escaped(message)
    assert_slack_limits(message)


def test_feedback_in_dm_links_only_https_permalinks() -> None:
    link = "https://acme.slack.com/archives/D1/p1700000000000100?thread_ts=1.2&cid=D1"
    with_link = render_feedback_in_dm(link)
    text = with_link.blocks[0]["text"]["text"]
    assert "Your feedback is in your DMs with Memo Coach" in text
    assert "<https://acme.slack.com/archives/D1/p1700000000000100?thread_ts=1.2&amp;cid=D1|" in text
    for bad in (None, "", "http://acme.slack.com/x", "https://x|<!channel>", "javascript:x"):
        message = render_feedback_in_dm(bad)
        assert "<" not in _payload(message)
        assert "Your feedback is in your DMs" in message.text
        assert_slack_limits(message)


def test_mention_hint_explains_files_and_public_commands() -> None:
    message = render_mention_hint()
    payload = _payload(message)
    for words in (".docx, .pdf, .txt or .md", "/memo-coach", "DM", "`help`", "`privacy`"):
        assert words in payload, words
    assert_slack_limits(message)


def test_queued_ack_and_thanks() -> None:
    ack = render_queued_ack()
    assert ack == "Got it — coaching your memo. Feedback will arrive in your DMs."
    assert "glad it helped" in render_thanks_for_feedback(True).text
    assert "Thanks for telling me" in render_thanks_for_feedback(False).text
    assert_slack_limits(render_thanks_for_feedback(True))
    assert_slack_limits(render_thanks_for_feedback(False))


# --- help, rubric, privacy --------------------------------------------------------


def test_help_lists_ways_commands_and_criteria() -> None:
    rubric = _rubric()
    message = render_help(rubric, 7, max_characters=40_000, is_admin=False)
    preview = render_preview([message])
    for words in (
        "/memo-coach <your memo>",
        "opens a form",
        "direct message",
        ".docx, .pdf, .txt or .md",
        "@mention",
        "Coach this memo",
        "/memo-coach progress",
        "/memo-coach history",
        "/memo-coach rubric",
        "/memo-coach privacy",
        "/memo-coach forget me",
        "40,000 characters",
        "Criterion 0 — 33%",
        "Criterion 2 — 34%",
        "Pyramid Principle",
        "v7",
    ):
        assert words in preview, words
    assert "admin help" not in preview
    assert "`/memo-coach admin help`" in _payload(
        render_help(rubric, 7, max_characters=40_000, is_admin=True)
    )
    assert_slack_limits(message)


def test_help_escapes_rubric_text() -> None:
    message = render_help(_rubric(name=f"Memo {HOSTILE}"), 1, max_characters=1000, is_admin=True)
    assert_hostile_escaped(message)
    assert_slack_limits(message)


def test_rubric_shows_every_criterion_with_guidance() -> None:
    messages = render_rubric(_rubric(), 4)
    preview = render_preview(messages)
    assert "Rubric: Business memo" in preview
    assert "Version 4" in preview
    assert "1–5" in preview
    assert "Pyramid Principle — Answer first." in preview
    assert "Criterion 1 · criterion_1 · weight 33%" in preview
    assert "Frameworks: Pyramid Principle" in preview
    assert "5 – Guidance for level 5 of criterion_2." in preview
    assert preview.index("5 – Guidance") < preview.index("1 – Guidance")
    for message in messages:
        assert_slack_limits(message)


def test_rubric_escapes_admin_text() -> None:
    rubric = _rubric(
        name=f"Memo {HOSTILE}",
        description=f"About {HOSTILE}",
        guidance=f"Level {{level}} {HOSTILE}",
    )
    messages = render_rubric(rubric, 1)
    assert_hostile_escaped(messages)
    assert "&lt;http://x|y&gt;" in messages[0].blocks[0]["text"]["text"]
    for message in messages:
        assert_slack_limits(message)


def test_twelve_criteria_with_long_guidance_split_across_messages() -> None:
    long = ("Guidance {level} for {key}: " + "the reader sees evidence " * 100).strip()
    rubric = _rubric(12, guidance=long)
    messages = render_rubric(rubric, 9)
    assert len(messages) > 1
    for i, message in enumerate(messages, start=1):
        assert message.text.endswith(f"(part {i}/{len(messages)})")
        assert_slack_limits(message)
    payload = _payload(messages)
    for criterion in rubric.criteria:
        assert f"`{criterion.key}`" in payload
        for level in range(1, 6):
            assert f"Guidance {level} for {criterion.key}:" in payload


def test_privacy_reflects_configuration() -> None:
    coach = CoachConfig.model_validate({"retention": {"memo_text_days": 30}})
    message = render_privacy(coach, evaluator_label="Anthropic's API (model claude-sonnet-5)")
    preview = render_preview([message], width=1000)
    for words in (
        "memo text, for 30 days",
        "deleted automatically",
        "scores, feedback and comments",
        "You see your own feedback",
        "manager's digest shows your scores, trends and criterion names",
        "never your memo text or quotes",
        "Debug storage is off",
        "Anthropic's API (model claude-sonnet-5)",
        "/memo-coach forget me",
    ):
        assert words in preview, words
    debug = render_privacy(
        CoachConfig(debug_storage=True),
        evaluator_label="nowhere: scored by rules on our server",
    )
    debug_preview = render_preview([debug], width=1000)
    assert "Debug storage is *on*" in _payload(debug)
    assert "last raw prompt" in debug_preview
    assert "nowhere: scored by rules on our server" in debug_preview
    no_digest = render_privacy(
        CoachConfig.model_validate({"digest": {"enabled": False}}), evaluator_label="x"
    )
    assert "Manager digests are turned off" in render_preview([no_digest], width=1000)
    assert_slack_limits(message)
    hostile = render_privacy(CoachConfig(), evaluator_label=HOSTILE)
    assert_hostile_escaped(hostile)
    assert_slack_limits(hostile)


# --- forget me --------------------------------------------------------------------


def test_forget_me_confirm_buttons_and_explanation() -> None:
    message = render_forget_me_confirm()
    actions = next(b for b in message.blocks if b["type"] == "actions")
    confirm, cancel = actions["elements"]
    assert confirm["action_id"] == ACTION_FORGET_ME_CONFIRM == "forget_me_confirm"
    assert confirm["value"] == "confirm"
    assert confirm["style"] == "danger"
    assert cancel["action_id"] == ACTION_FORGET_ME_CANCEL == "forget_me_cancel"
    preview = render_preview([message])
    for words in ("memos", "evaluations", "scores", "progress", "audit log", "can't be undone"):
        assert words in preview, words
    assert_slack_limits(message)


def test_forget_me_done_and_cancelled() -> None:
    done = render_forget_me_done(3, 1)
    assert "3 memos and 1 evaluation" in done.text
    assert "nothing of yours" in render_forget_me_done(0, 0).text
    assert "nothing was deleted" in render_forget_me_cancelled().text
    for message in (done, render_forget_me_done(0, 0), render_forget_me_cancelled()):
        assert_slack_limits(message)


# --- memo modal -------------------------------------------------------------------


def test_memo_modal_view() -> None:
    view = memo_modal_view(private_metadata='{"channel": "C1"}')
    assert view["type"] == "modal"
    assert view["callback_id"] == MEMO_MODAL_CALLBACK == "memo_modal"
    assert view["title"]["text"] == "Memo Coach"
    assert len(view["title"]["text"]) <= 24
    assert view["submit"]["text"] == "Coach my memo"
    assert view["close"]["text"] == "Cancel"
    assert view["private_metadata"] == '{"channel": "C1"}'
    memo, audience = (b for b in view["blocks"] if b["type"] == "input")
    assert (memo["block_id"], memo["element"]["action_id"]) == ("memo_block", "memo_input")
    assert memo["element"]["multiline"] is True
    assert memo["element"]["max_length"] == 3000
    assert "3,000 characters" in memo["hint"]["text"]
    assert "file" in memo["hint"]["text"]
    assert (audience["block_id"], audience["element"]["action_id"]) == (
        "audience_block",
        "audience_input",
    )
    assert audience["optional"] is True
    assert audience["label"]["text"] == "Audience and purpose"
    assert "Leadership team" in audience["element"]["placeholder"]["text"]
    for text in (view["submit"]["text"], view["close"]["text"]):
        assert len(text) <= 24
    for block in view["blocks"]:
        placeholder = block.get("element", {}).get("placeholder")
        if placeholder:
            assert len(placeholder["text"]) <= 150
    json.dumps(view)
    with pytest.raises(ValueError, match="private_metadata"):
        memo_modal_view(private_metadata="x" * 3001)


def test_read_memo_modal() -> None:
    values = {
        MEMO_BLOCK: {MEMO_ACTION: {"type": "plain_text_input", "value": "  My memo\ntext  "}},
        AUDIENCE_BLOCK: {AUDIENCE_ACTION: {"type": "plain_text_input", "value": " Board "}},
    }
    assert read_memo_modal(values) == ("My memo\ntext", "Board")
    values[AUDIENCE_BLOCK][AUDIENCE_ACTION]["value"] = None
    assert read_memo_modal(values) == ("My memo\ntext", None)
    assert read_memo_modal({}) == ("", None)


def test_memo_modal_errors() -> None:
    short = memo_modal_errors("Too short")
    assert short == {"response_action": "errors", "errors": {"memo_block": "Too short"}}
    long = memo_modal_errors(HOSTILE + " " + "word " * 100)
    error = long["errors"]["memo_block"]
    assert len(error) <= 150
    assert error.endswith("…")
    assert "<" not in error


# --- progress ---------------------------------------------------------------------


def test_progress_view() -> None:
    messages = render_progress(_progress())
    [message] = messages
    preview = render_preview(messages)
    for words in (
        "Your progress",
        "3 memos",
        "2.4 → 3.8 / 5 ↑",
        "Answer first: 2 → 4 ↑",
        "Evidence: 3 → 3",
        "Tone: 2 → 3 ↑ (retired)",
        "Strongest: Answer first",
        "Most room to grow: Evidence",
        "Keeps coming up (in 2 of your last 3 memos): Name the risks",
        "Recent memos",
    ):
        assert words in preview, words
    assert "▃▅▆" in preview or any(c in preview for c in "▁▂▃▄▅▆▇█")
    payload = _payload(message)
    assert (
        "<https://slack.com/app_redirect?channel=D0123ABC&amp;message_ts=1700000000.000100"
        "|Open thread>" in payload
    )
    assert payload.count("app_redirect") == 1  # no link without a known thread
    assert_slack_limits(message)


def test_progress_trend_starts_at_the_first_memo_not_the_window() -> None:
    """``overall`` holds only the newest memos; first → latest still spans everything."""
    when = datetime(2025, 3, 4, 10, 0)
    window = [ScorePoint(when + timedelta(days=i), 4.0, 900 + i) for i in range(200)]
    progress = _progress(memo_count=1099, overall=window, first_overall=ScorePoint(when, 1.5, 1))
    [message] = render_progress(progress)
    preview = render_preview([message])
    assert "1,099 memos" in preview
    assert "1.5 → 4 / 5 ↑" in preview
    assert "latest overall 4 / 5" in message.text
    assert "Overall: first 1.5, latest 4.0 ↑" in progress_as_text("local", progress)


def test_progress_one_scored_memo_shows_no_trend() -> None:
    """An unscored memo does not make a trend: first and latest are the same memo."""
    when = datetime(2025, 3, 4, 10, 0)
    only = ScorePoint(when, 3.2, 7)
    progress = _progress(
        memo_count=2, overall=[ScorePoint(when, None, 6), only], first_overall=only
    )
    preview = render_preview(render_progress(progress))
    assert "Overall: 3.2 / 5 — send another memo to start seeing a trend." in preview


def test_progress_empty_state() -> None:
    for progress in (
        None,
        _progress(memo_count=0, overall=[], first_overall=None, criteria=[], recent=[]),
    ):
        [message] = render_progress(progress)
        assert "No memos yet" in message.text
        assert "No memos yet" in render_preview([message])
        assert_slack_limits(message)
    assert "No memos yet" in render_history([]).text


def test_progress_escapes_names_and_opportunity() -> None:
    progress = _progress(
        criteria=[CriterionProgress("a", f"Name {HOSTILE}", 1.0, 2.0, 1.5, 2, False)],
        recurring_opportunity=RecurringOpportunity(f"Do {HOSTILE}", 3, 5),
        recent=[RecentMemo(1, datetime(2025, 1, 1), 2.0, "C1|<!channel>", "1.2")],
    )
    messages = render_progress(progress)
    assert_hostile_escaped(messages)
    assert "app_redirect" not in _payload(messages)
    for message in messages:
        assert_slack_limits(message)


def test_history_lists_the_last_ten_with_links() -> None:
    recent = [
        RecentMemo(i, datetime(2025, 1, i + 1), 3.0, "C0ABC", f"17000000{i:02d}.000100")
        for i in range(15)
    ]
    message = render_history(recent)
    payload = _payload(message)
    assert payload.count("Open thread") == 10
    assert "1 Jan 2025" in payload
    assert "Your last 10 memos" in message.text
    assert_slack_limits(message)


# --- preview ----------------------------------------------------------------------


def test_preview_displays_every_view() -> None:
    messages: list[SlackMessage] = [
        render_status(Stage.SCORING, first_line="Hire four engineers", source_label="DM"),
        render_rejected("Too short."),
        render_rate_limited(20, datetime(2025, 1, 1, 9, 0, tzinfo=UTC), None),
        render_evaluation_failed("timeout", 1),
        render_feedback_in_dm(None),
        render_thanks_for_feedback(True),
        render_help(_rubric(), 1, max_characters=40_000, is_admin=True),
        *render_rubric(_rubric(), 1),
        render_privacy(CoachConfig(), evaluator_label="Anthropic's API"),
        render_forget_me_confirm(),
        render_forget_me_done(1, 1),
        render_forget_me_cancelled(),
        *render_progress(_progress()),
        render_history(_progress().recent),
    ]
    preview = render_preview(messages)
    for words in (
        "│ Hire four engineers",
        "Scoring against the rubric",
        "[ :arrows_counterclockwise: Try again ]",
        "[ Delete my data ]  [ Cancel ]",
        "Rubric: Business memo",
        "Your progress",
    ):
        assert words in preview, words
    assert "&lt;" not in preview  # entities are decoded for display
