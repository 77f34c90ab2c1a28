"""record_evaluation, feedback and the latest evaluation."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.repositories.evaluations import (
    criterion_scores,
    evaluation_result,
    get_evaluation,
    last_debug_evaluation,
    last_evaluation_for_user,
    record_evaluation,
    set_feedback,
)
from tests.storage import factories


async def test_record_evaluation_stores_result_and_scores(database: Database) -> None:
    outcome = factories.outcome({"answer_first": 4.0, "evidence": None, "clarity": 2.0})
    async with database.transaction() as session:
        owner = await factories.user(session)
        memo = await factories.submission(session, owner)
        evaluation = await record_evaluation(session, memo, outcome, store_debug=False)

    async with database.session() as session:
        stored = await get_evaluation(session, evaluation.id)
        scores = await criterion_scores(session, evaluation.id)
    assert stored is not None
    result = outcome.result
    assert (stored.submission_id, stored.user_id) == (memo.id, owner.id)
    assert stored.overall_score == result.overall_score == 3.0
    assert (stored.evaluator, stored.model, stored.language) == (
        "anthropic:claude-test",
        "claude-test",
        "en",
    )
    assert stored.rubric_version == 1
    assert stored.strengths == ["Clear numbers."]
    assert stored.opportunities == ["Lead with the ask."]
    assert stored.segments[0]["quote"] == "We should launch in May."
    assert (stored.input_tokens, stored.output_tokens) == (1000, 200)
    assert (stored.cache_read_tokens, stored.cache_write_tokens) == (800, 100)
    assert stored.latency_ms == 1234
    assert stored.raw_prompt is None
    assert stored.raw_response is None
    assert stored.feedback is None
    assert stored.created_at.tzinfo is UTC
    assert evaluation_result(stored) == result

    assert [(s.criterion_key, s.criterion_name, s.weight, s.score) for s in scores] == [
        ("answer_first", "Answer First", 33, 4.0),
        ("evidence", "Evidence", 33, None),
        ("clarity", "Clarity", 33, 2.0),
    ]
    assert {s.user_id for s in scores} == {owner.id}
    assert {s.created_at for s in scores} == {stored.created_at}


async def test_debug_storage_keeps_raw_prompt_and_response(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        memo = await factories.submission(session, owner)
        assert await last_debug_evaluation(session) is None
        kept = await record_evaluation(session, memo, factories.outcome(), store_debug=True)
        await record_evaluation(session, memo, factories.outcome(), store_debug=False)
    assert kept.raw_prompt == "PROMPT with the memo"
    assert kept.raw_response == '{"scores": []}'
    async with database.session() as session:
        debug = await last_debug_evaluation(session)
    assert debug is not None
    assert debug.id == kept.id


async def test_feedback(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session, "U1")
        other = await factories.user(session, "U2")
        evaluation = await factories.evaluated_memo(session, owner)
    async with database.transaction() as session:
        assert not await set_feedback(session, evaluation.id, "helpful", user_id=other.id)
        assert await set_feedback(session, evaluation.id, "not_helpful", user_id=owner.id)
        assert not await set_feedback(session, evaluation.id + 100, "helpful")
    async with database.session() as session:
        stored = await get_evaluation(session, evaluation.id)
        assert stored is not None
        assert stored.feedback == "not_helpful"
        assert await set_feedback(session, evaluation.id, None)
        assert stored.feedback is None
        with pytest.raises(IntegrityError):
            await set_feedback(session, evaluation.id, "meh")  # type: ignore[arg-type]


async def test_last_evaluation_for_user(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session, "U1")
        other = await factories.user(session, "U2")
        assert await last_evaluation_for_user(session, owner.id) is None
        await factories.evaluated_memo(session, owner, {"answer_first": 1.0})
        latest = await factories.evaluated_memo(session, owner, {"answer_first": 5.0})
        await factories.evaluated_memo(session, other)
    async with database.session() as session:
        found = await last_evaluation_for_user(session, owner.id)
    assert found is not None
    assert found.id == latest.id
    assert found.overall_score == 5.0
