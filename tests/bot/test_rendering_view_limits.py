"""Arbitrary text (names, first lines, error messages, stored ids) never breaks Slack's
limits or escapes into a ping or a link, in any of the small views."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.rendering.help import render_help
from bot.rendering.memo_modal import MAX_MODAL_ERROR, memo_modal_errors, read_memo_modal
from bot.rendering.notices import (
    render_evaluation_failed,
    render_feedback_in_dm,
    render_rate_limited,
    render_rejected,
)
from bot.rendering.progress_blocks import render_history, render_progress
from bot.rendering.rubric_view import render_rubric
from bot.rendering.status import Stage, first_line_of, render_status
from evaluation.rubric import Criterion, Rubric
from storage.repositories.progress import (
    CriterionProgress,
    RecentMemo,
    RecurringOpportunity,
    ScorePoint,
    UserProgress,
)
from tests.bot.test_rendering_views import HOSTILE, assert_slack_limits

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
chars = st.characters(blacklist_categories=("Cs",))
texts = st.text(chars, max_size=4000) | st.just(HOSTILE)
short = st.text(chars, max_size=200) | st.just(HOSTILE)
named = st.text(chars, min_size=1, max_size=80).filter(str.strip)
scores = st.none() | st.floats(0, 10, allow_nan=False)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.none()
) | st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC))


@SETTINGS
@given(st.sampled_from(Stage), st.none() | texts, short, st.none() | texts)
def test_status_within_limits(
    stage: Stage, first_line: str | None, source_label: str, detail: str | None
) -> None:
    assert_slack_limits(
        render_status(stage, first_line=first_line, source_label=source_label, detail=detail)
    )


@SETTINGS
@given(texts)
def test_first_line_of_is_one_clean_line(text: str) -> None:
    line = first_line_of(text)
    assert "\n" not in line
    assert line == line.strip()


@SETTINGS
@given(texts, st.integers(1, 10**12))
def test_notices_within_limits(message: str, submission_id: int) -> None:
    assert_slack_limits(render_rejected(message))
    assert_slack_limits(render_evaluation_failed(message, submission_id))


@SETTINGS
@given(
    st.integers(1, 10_000),
    moments,
    st.none() | st.sampled_from(["Europe/Madrid", "America/Los_Angeles", "Bogus/Zone", ""]),
)
def test_rate_limited_within_limits(limit: int, retry_at: datetime, tz: str | None) -> None:
    message = render_rate_limited(limit, retry_at, tz)
    assert_slack_limits(message)
    assert f"{limit:,}" in message.text or str(limit) in message.text


@SETTINGS
@given(st.none() | texts | st.text(chars).map(lambda s: "https://" + s))
def test_feedback_in_dm_within_limits(permalink: str | None) -> None:
    assert_slack_limits(render_feedback_in_dm(permalink))


@SETTINGS
@given(texts)
def test_modal_errors_are_short_and_escaped(message: str) -> None:
    error = memo_modal_errors(message)["errors"]["memo_block"]
    assert 0 < len(error) <= MAX_MODAL_ERROR
    assert "<" not in error
    assert ">" not in error


@SETTINGS
@given(st.dictionaries(st.text(max_size=20), st.none() | st.dictionaries(st.text(), st.none())))
def test_read_memo_modal_tolerates_odd_state(values: dict[str, object]) -> None:
    memo, audience = read_memo_modal(values)
    assert isinstance(memo, str)
    assert audience is None or audience.strip()


channel_ids = st.none() | st.sampled_from(["C0123ABC", "D01", "G9"]) | short
thread_ts = st.none() | st.just("1700000000.000100") | short


@st.composite
def recent_memos(draw: st.DrawFn) -> RecentMemo:
    return RecentMemo(
        evaluation_id=draw(st.integers(1, 10**9)),
        created_at=draw(moments),
        overall_score=draw(scores),
        channel_id=draw(channel_ids),
        thread_ts=draw(thread_ts),
    )


@st.composite
def criterion_progress(draw: st.DrawFn) -> CriterionProgress:
    return CriterionProgress(
        key=draw(st.from_regex(r"[a-z][a-z0-9_]{1,10}", fullmatch=True)),
        name=draw(short),
        first_score=draw(scores),
        latest_score=draw(scores),
        average=draw(scores),
        count=draw(st.integers(0, 500)),
        retired=draw(st.booleans()),
    )


@st.composite
def user_progress(draw: st.DrawFn) -> UserProgress:
    overall = [ScorePoint(draw(moments), draw(scores), i) for i in range(draw(st.integers(0, 60)))]
    criteria = draw(st.lists(criterion_progress(), max_size=40))
    recurring = draw(
        st.none()
        | st.builds(
            RecurringOpportunity, text=texts, count=st.integers(2, 50), out_of=st.integers(2, 50)
        )
    )
    return UserProgress(
        user_id=1,
        memo_count=draw(st.integers(0, 10_000)),
        overall=overall,
        first_overall=draw(st.none() | st.sampled_from(overall)) if overall else None,
        criteria=criteria,
        strongest=draw(st.none() | st.sampled_from(criteria)) if criteria else None,
        weakest=draw(st.none() | st.sampled_from(criteria)) if criteria else None,
        recurring_opportunity=recurring,
        recent=draw(st.lists(recent_memos(), max_size=12)),
    )


@SETTINGS
@given(st.none() | user_progress(), st.integers(2, 10))
def test_progress_within_limits(progress: UserProgress | None, scale_max: int) -> None:
    messages = render_progress(progress, scale_max=scale_max)
    assert messages
    for message in messages:
        assert_slack_limits(message)


@SETTINGS
@given(st.lists(recent_memos(), max_size=20))
def test_history_within_limits(recent: list[RecentMemo]) -> None:
    message = render_history(recent)
    assert_slack_limits(message)
    assert json.dumps(message.payload()).count("Open thread") <= 10


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    n = draw(st.integers(1, 12))
    weights = [100 // n] * n
    weights[-1] += 100 - sum(weights)
    guidance = st.text(chars, min_size=1, max_size=3000).filter(str.strip)
    return Rubric(
        name=draw(st.text(chars, min_size=1, max_size=120)),
        description=draw(st.text(chars, max_size=4000)),
        criteria=tuple(
            Criterion(
                key=f"c{i}x",
                name=draw(named),
                weight=weights[i],
                description=draw(st.text(chars, min_size=1, max_size=2000)),
                levels={level: draw(guidance) for level in range(1, 6)},
            )
            for i in range(n)
        ),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubrics(), st.integers(1, 10_000), st.booleans())
def test_rubric_and_help_within_limits(rubric: Rubric, version: int, is_admin: bool) -> None:
    for message in render_rubric(rubric, version):
        assert_slack_limits(message)
    assert_slack_limits(render_help(rubric, version, max_characters=40_000, is_admin=is_admin))
