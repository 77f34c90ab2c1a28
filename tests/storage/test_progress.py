"""user_progress and team_activity."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from storage.db import Database
from storage.models import CriterionScoreRow, Evaluation
from storage.repositories.evaluations import record_evaluation
from storage.repositories.progress import (
    normalise_opportunity,
    team_activity,
    user_progress,
)
from storage.repositories.score_history import CHART_POINTS
from storage.repositories.teams import add_team_member
from tests.storage import factories


async def test_empty_user(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        progress = await user_progress(session, owner.id)
    assert progress.memo_count == 0
    assert progress.overall == []
    assert progress.first_overall is None
    assert progress.criteria == []
    assert progress.strongest is None
    assert progress.weakest is None
    assert progress.recurring_opportunity is None
    assert progress.recent == []


async def test_one_memo(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        evaluation = await factories.evaluated_memo(
            session, owner, {"answer_first": 4.0, "evidence": 2.0}
        )
    async with database.session() as session:
        progress = await user_progress(session, owner.id)
    assert progress.memo_count == 1
    assert [(p.evaluation_id, p.overall_score) for p in progress.overall] == [(evaluation.id, 3.0)]
    assert progress.overall[0].created_at == evaluation.created_at
    assert progress.first_overall == progress.overall[0]
    by_key = {c.key: c for c in progress.criteria}
    assert by_key["answer_first"].first_score == by_key["answer_first"].latest_score == 4.0
    assert by_key["answer_first"].count == 1
    assert by_key["answer_first"].change == 0.0
    assert not by_key["evidence"].retired
    assert progress.strongest is not None
    assert progress.strongest.key == "answer_first"
    assert progress.weakest is not None
    assert progress.weakest.key == "evidence"
    assert progress.recurring_opportunity is None  # once is not recurring
    [recent] = progress.recent
    assert (recent.evaluation_id, recent.overall_score, recent.channel_id) == (
        evaluation.id,
        3.0,
        "C0001",
    )


async def test_many_memos(database: Database) -> None:
    history = [
        {"answer_first": 2.0, "evidence": 3.0},
        {"answer_first": 3.0, "evidence": None},  # evidence not judged this time
        {"answer_first": 5.0, "evidence": 4.0},
        {"answer_first": 4.0, "evidence": None},
    ]
    async with database.transaction() as session:
        owner = await factories.user(session)
        other = await factories.user(session, "U-other")
        await factories.evaluated_memo(session, other, {"answer_first": 1.0, "evidence": 1.0})
        evaluations = [await factories.evaluated_memo(session, owner, s) for s in history]
    async with database.session() as session:
        progress = await user_progress(session, owner.id, recent=2)
    assert progress.memo_count == 4
    assert [p.evaluation_id for p in progress.overall] == [e.id for e in evaluations]
    assert [p.overall_score for p in progress.overall] == [2.5, 3.0, 4.5, 4.0]
    assert progress.first_overall == progress.overall[0]
    answer, evidence = progress.criteria
    assert (answer.key, answer.first_score, answer.latest_score) == ("answer_first", 2.0, 4.0)
    assert (answer.average, answer.count, answer.change) == (3.5, 4, 2.0)
    assert (evidence.first_score, evidence.latest_score) == (3.0, 4.0)
    assert (evidence.average, evidence.count) == (3.5, 2)
    assert [m.evaluation_id for m in progress.recent] == [evaluations[3].id, evaluations[2].id]


async def test_retired_criterion_across_rubric_versions(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        await factories.evaluated_memo(
            session, owner, {"answer_first": 2.0, "brevity": 5.0}, names={"brevity": "Short"}
        )
        await factories.evaluated_memo(
            session,
            owner,
            {"answer_first": 3.0, "clarity": 1.0},
            names={"answer_first": "Lead with the answer"},
            rubric_version=2,
        )
    async with database.session() as session:
        progress = await user_progress(session, owner.id)
    assert [(c.key, c.retired) for c in progress.criteria] == [
        ("answer_first", False),
        ("clarity", False),
        ("brevity", True),  # retired ones last
    ]
    answer = progress.criteria[0]
    assert answer.name == "Lead with the answer"  # the latest name
    # brevity has the best average but is retired: not "strongest".
    assert progress.strongest is not None
    assert progress.strongest.key == "answer_first"
    assert progress.weakest is not None
    assert progress.weakest.key == "clarity"


async def test_recurring_opportunity(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        await factories.evaluated_memo(
            session, owner, opportunities=["Quantify the risk.", "State the ask."]
        )
        await factories.evaluated_memo(
            session, owner, opportunities=["state the ask", "Cut the background."]
        )
        await factories.evaluated_memo(
            session, owner, opportunities=["Cut the background", "State  the ask!"]
        )
        await factories.evaluated_memo(session, owner, opportunities=[])
    async with database.session() as session:
        progress = await user_progress(session, owner.id)
    recurring = progress.recurring_opportunity
    assert recurring is not None
    assert (recurring.text, recurring.count, recurring.out_of) == ("State  the ask!", 3, 4)


def test_normalise_opportunity() -> None:
    assert normalise_opportunity("  State the ASK!! ") == normalise_opportunity("state the ask.")
    assert normalise_opportunity("...") == ""


async def test_progress_over_ten_thousand_evaluations(database: Database) -> None:
    keys = ["answer_first", "evidence", "clarity", "ask", "risks"]
    async with database.transaction() as session:
        owner = await factories.user(session)
        memo = await factories.submission(session, owner)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    total = 10_000
    evaluations = [
        {
            "id": index + 1,
            "submission_id": memo.id,
            "user_id": owner.id,
            "rubric_version": 1,
            "evaluator": "offline",
            "language": "en",
            "overall_score": float(index % 5 + 1),
            "strengths": ["Clear."],
            "opportunities": [f"Opportunity {index % 7}", "Lead with the ask."],
            "segments": [],
            "result_json": {"padding": "x" * 2000},
            "created_at": start + timedelta(minutes=index),
        }
        for index in range(total)
    ]
    scores = [
        {
            "evaluation_id": index + 1,
            "user_id": owner.id,
            "criterion_key": key,
            "criterion_name": key.title(),
            "weight": 20,
            "score": float((index + position) % 5 + 1),
            "created_at": start + timedelta(minutes=index),
        }
        for index in range(total)
        for position, key in enumerate(keys)
    ]
    async with database.transaction() as session:
        await session.execute(insert(Evaluation), evaluations)
        await session.execute(insert(CriterionScoreRow), scores)

    async with database.session() as session:
        progress = await user_progress(session, owner.id)
    assert progress.memo_count == total
    # overall is the newest window only; the very first memo comes apart.
    assert [p.evaluation_id for p in progress.overall] == list(
        range(total - CHART_POINTS + 1, total + 1)
    )
    assert progress.first_overall is not None
    assert (progress.first_overall.evaluation_id, progress.first_overall.overall_score) == (1, 1.0)
    assert {c.count for c in progress.criteria} == {total}
    assert progress.criteria[0].first_score == 1.0  # answer_first at index 0
    assert progress.recurring_opportunity is not None
    assert progress.recurring_opportunity.count == 50
    assert progress.recent[0].evaluation_id == total


async def test_overall_window_and_first_scored_memo(database: Database) -> None:
    """A history longer than the window: the window is the newest memos, the count is
    all of them, and the first is the oldest memo that has an overall score."""
    async with database.transaction() as session:
        owner = await factories.user(session)
        await factories.evaluated_memo(session, owner, {"answer_first": None})  # no overall
        evaluations = [
            await factories.evaluated_memo(session, owner, {"answer_first": score})
            for score in (2.0, 3.0, 4.0, 5.0)
        ]
    async with database.session() as session:
        progress = await user_progress(session, owner.id, points=2)
    assert progress.memo_count == 5
    assert [p.evaluation_id for p in progress.overall] == [e.id for e in evaluations[-2:]]
    assert progress.first_overall is not None
    assert progress.first_overall.evaluation_id == evaluations[0].id
    assert progress.overall_trend == (2.0, 5.0)
    assert progress.latest_overall_score == 5.0


def _expected_criteria(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The per-key summary computed in Python: newest name, first and latest judged
    score, average and count of judged rows; ties in time go by id."""
    expected = []
    for key in sorted({r["criterion_key"] for r in rows}):
        mine = sorted(
            (r for r in rows if r["criterion_key"] == key), key=lambda r: (r["created_at"], r["id"])
        )
        judged = [r["score"] for r in mine if r["score"] is not None]
        expected.append(
            (
                key,
                mine[-1]["criterion_name"],
                judged[0] if judged else None,
                judged[-1] if judged else None,
                sum(judged) / len(judged) if judged else None,
                len(judged),
            )
        )
    return expected


async def test_criteria_match_a_reference_with_ties_gaps_and_renames(database: Database) -> None:
    """Shared timestamps (broken by id), unjudged rows at either end, renamed criteria and
    a never-judged one all summarise as a straightforward reading of the rows would."""
    rng = random.Random(11)
    keys = ["answer_first", "evidence", "never_judged", "ask"]
    async with database.transaction() as session:
        owner = await factories.user(session)
        other = await factories.user(session, "U-other")
        memo = await factories.submission(session, owner)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = [start + timedelta(hours=rng.randrange(6)) for _ in range(40)]  # many ties
    evaluations, scores = [], []
    for index, when in enumerate(times):
        evaluation_id = index + 1
        evaluations.append(
            {
                "id": evaluation_id,
                "submission_id": memo.id,
                "user_id": owner.id if index % 8 else other.id,
                "rubric_version": 1,
                "evaluator": "offline",
                "language": "en",
                "overall_score": 3.0,
                "strengths": [],
                "opportunities": [],
                "segments": [],
                "result_json": {},
                "created_at": when,
            }
        )
        for key in keys:
            judged = key != "never_judged" and rng.random() < 0.6
            scores.append(
                {
                    "id": len(scores) + 1,
                    "evaluation_id": evaluation_id,
                    "user_id": evaluations[-1]["user_id"],
                    "criterion_key": key,
                    "criterion_name": f"{key} v{rng.randrange(5)}",
                    "weight": 25,
                    "score": float(rng.randrange(1, 6)) if judged else None,
                    "created_at": when,
                }
            )
    async with database.transaction() as session:
        await session.execute(insert(Evaluation), evaluations)
        await session.execute(insert(CriterionScoreRow), scores)
    async with database.session() as session:
        progress = await user_progress(session, owner.id)
    got = sorted(
        (c.key, c.name, c.first_score, c.latest_score, c.average, c.count)
        for c in progress.criteria
    )
    expected = _expected_criteria([r for r in scores if r["user_id"] == owner.id])
    assert [g[:4] + g[5:] for g in got] == [e[:4] + e[5:] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert (g[4] is None) == (e[4] is None)
        assert g[4] is None or abs(g[4] - e[4]) < 1e-9
    never = next(c for c in progress.criteria if c.key == "never_judged")
    assert (never.first_score, never.latest_score, never.count) == (None, None, 0)


async def test_team_activity_this_week(database: Database) -> None:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        manager = await factories.user(session, "UM", display_name="Manager")
        ana = await factories.user(session, "UA", display_name="Ana")
        bo = await factories.user(session, "UB", display_name="Bo")
        outsider = await factories.user(session, "UX", display_name="Outsider")
        for member in (ana, bo):
            await add_team_member(session, manager.id, member.id)
        await factories.evaluated_memo(session, ana, {"answer_first": 4.0})
        await factories.evaluated_memo(session, ana, {"answer_first": 2.0})
        await factories.evaluated_memo(session, outsider, {"answer_first": 5.0})
        old = await factories.evaluated_memo(session, bo, {"answer_first": 5.0})
        old.created_at = now - timedelta(days=30)
    async with database.session() as session:
        activity = await team_activity(session, manager.id, since=now - timedelta(days=7))
    assert [(a.display_name, a.memo_count, a.average_overall) for a in activity] == [
        ("Ana", 2, 3.0),
        ("Bo", 0, None),
    ]
    assert activity[0].slack_user_id == "UA"


async def test_recent_memos_carry_the_thread(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        memo = await factories.submission(session, owner, channel_id="C7", thread_ts="7.7")
        await record_evaluation(session, memo, factories.outcome(), store_debug=False)
    async with database.session() as session:
        progress = await user_progress(session, owner.id)
    assert (progress.recent[0].channel_id, progress.recent[0].thread_ts) == ("C7", "7.7")
