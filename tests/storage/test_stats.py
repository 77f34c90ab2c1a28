"""`admin stats` aggregates: counts, evaluator mix, latency and tokens in a time window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage.db import Database
from storage.models import Evaluation, Submission
from storage.repositories.evaluations import record_evaluation
from storage.repositories.stats import TokenTotals, usage_since
from storage.repositories.submissions import set_submission_status
from storage.types import utcnow
from tests.storage import factories


async def test_usage_since_aggregates_the_window(database: Database) -> None:
    async with database.transaction() as session:
        ana = await factories.user(session, "UANA")
        bo = await factories.user(session, "UBO")
        model = await factories.evaluated_memo(session, ana)
        fallback = factories.outcome()
        fallback = fallback.model_copy(
            update={
                "result": fallback.result.model_copy(update={"evaluator": "offline"}),
                "usage": fallback.usage.model_copy(
                    update={"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
                ),
                "latency_ms": 66,
                "fallback_reason": "model down",
            }
        )
        await record_evaluation(
            session, await factories.submission(session, bo), fallback, store_debug=False
        )
        rejected = await factories.submission(session, bo)
        await set_submission_status(session, rejected.id, "rejected")
        await set_submission_status(session, model.submission_id, "done")
        old = await factories.evaluated_memo(session, ana)
    async with database.transaction() as session:
        long_ago = utcnow() - timedelta(days=30)
        await session.execute(
            update(Evaluation).where(Evaluation.id == old.id).values(created_at=long_ago)
        )
        await session.execute(
            update(Submission).where(Submission.id == old.submission_id).values(created_at=long_ago)
        )

    async with database.session() as session:
        stats = await usage_since(session, utcnow() - timedelta(days=7))
    assert (stats.memos, stats.users) == (3, 2)
    assert stats.by_status == {"done": 1, "received": 1, "rejected": 1}
    assert [(u.evaluator, u.evaluations, u.fallbacks) for u in stats.evaluators] == [
        ("anthropic:claude-test", 1, 0),
        ("offline", 1, 1),
    ]
    assert stats.evaluators[0].average_latency_ms == 1234
    assert stats.average_latency_ms == (1234 + 66) / 2
    assert stats.tokens == TokenTotals(input=1000, output=200, cache_read=800, cache_write=100)
    assert (stats.evaluations, stats.fallbacks) == (2, 1)


async def test_an_empty_week(database: Database) -> None:
    async with database.session() as session:
        stats = await usage_since(session, utcnow() - timedelta(days=7))
    assert (stats.memos, stats.users, stats.evaluations) == (0, 0, 0)
    assert stats.average_latency_ms is None
    assert stats.tokens.total == 0
