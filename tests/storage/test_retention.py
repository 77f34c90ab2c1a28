"""Forget me, and the memo text retention limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.db import Database
from storage.models import CriterionScoreRow, Evaluation, Job, Submission, TeamMembership
from storage.repositories.evaluations import record_evaluation
from storage.repositories.jobs import enqueue_jobs
from storage.repositories.retention import delete_user_data, purge_memo_texts
from storage.repositories.teams import add_team_member
from storage.repositories.users import get_user
from storage.types import utcnow
from tests.storage import factories


async def _count(database: Database, entity: type[object]) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(entity)) or 0)


async def test_delete_user_data_removes_only_that_users_memos(database: Database) -> None:
    async with database.transaction() as session:
        leaving = await factories.user(session, "U-leaving")
        staying = await factories.user(session, "U-staying")
        await add_team_member(session, staying.id, leaving.id)
        for owner in (leaving, leaving, staying):
            evaluation = await factories.evaluated_memo(session, owner)
            await enqueue_jobs(session, [evaluation.submission_id], utcnow())
    async with database.transaction() as session:
        deleted = await delete_user_data(session, leaving.id)
    assert (deleted.submissions, deleted.evaluations, deleted.jobs) == (2, 2, 2)
    assert deleted.criterion_scores == 4
    assert await _count(database, Submission) == 1
    assert await _count(database, Evaluation) == 1
    assert await _count(database, CriterionScoreRow) == 2
    assert await _count(database, Job) == 1
    assert await _count(database, TeamMembership) == 1  # configuration, not memo data
    async with database.session() as session:
        assert await get_user(session, leaving.id) is not None
        assert (await delete_user_data(session, leaving.id)).submissions == 0


async def test_purge_memo_texts_keeps_scores(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        old = await factories.submission(session, owner, memo_text="old memo")
        new = await factories.submission(session, owner, memo_text="new memo")
        old_evaluation = await record_evaluation(
            session, old, factories.outcome(), store_debug=True
        )
        new_evaluation = await record_evaluation(
            session, new, factories.outcome(), store_debug=True
        )
        old.created_at = datetime.now(UTC) - timedelta(days=400)
    cutoff = datetime.now(UTC) - timedelta(days=365)
    async with database.transaction() as session:
        assert await purge_memo_texts(session, cutoff) == 1
    async with database.transaction() as session:
        assert await purge_memo_texts(session, cutoff) == 0  # idempotent
    async with database.session() as session:
        purged = await session.get(Submission, old.id)
        kept = await session.get(Submission, new.id)
        purged_evaluation = await session.get(Evaluation, old_evaluation.id)
        kept_evaluation = await session.get(Evaluation, new_evaluation.id)
    assert purged is not None
    assert kept is not None
    assert purged_evaluation is not None
    assert kept_evaluation is not None
    assert purged.memo_text is None
    assert purged.memo_chars == len("old memo")
    assert kept.memo_text == "new memo"
    assert (purged_evaluation.raw_prompt, purged_evaluation.raw_response) == (None, None)
    assert purged_evaluation.overall_score == old_evaluation.overall_score
    assert kept_evaluation.raw_prompt == "PROMPT with the memo"
    assert await _count(database, CriterionScoreRow) == 4
