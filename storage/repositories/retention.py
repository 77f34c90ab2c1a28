"""Forgetting: a user's "forget me", and the retention limit on memo texts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CriterionScoreRow, Evaluation, Job, Submission
from storage.repositories._sql import affected


@dataclass(frozen=True)
class DeletedUserData:
    submissions: int
    evaluations: int
    criterion_scores: int
    jobs: int


async def delete_user_data(session: AsyncSession, user_id: int) -> DeletedUserData:
    """Delete the user's memos, evaluations, scores and jobs (children first, so it does
    not depend on ON DELETE CASCADE). The user row, team links and audit log remain."""
    own_submissions = select(Submission.id).where(Submission.user_id == user_id)
    scores = await session.execute(
        delete(CriterionScoreRow).where(CriterionScoreRow.user_id == user_id)
    )
    evaluations = await session.execute(delete(Evaluation).where(Evaluation.user_id == user_id))
    jobs = await session.execute(delete(Job).where(Job.submission_id.in_(own_submissions)))
    submissions = await session.execute(delete(Submission).where(Submission.user_id == user_id))
    return DeletedUserData(
        submissions=affected(submissions),
        evaluations=affected(evaluations),
        criterion_scores=affected(scores),
        jobs=affected(jobs),
    )


async def purge_memo_texts(session: AsyncSession, older_than: datetime) -> int:
    """Null memo texts (and the raw prompts/responses quoting them) of submissions
    created before ``older_than``; scores and feedback stay. Returns memos purged."""
    old = select(Submission.id).where(Submission.created_at < older_than)
    await session.execute(
        update(Evaluation)
        .where(
            Evaluation.submission_id.in_(old),
            (Evaluation.raw_prompt.is_not(None)) | (Evaluation.raw_response.is_not(None)),
        )
        .values(raw_prompt=None, raw_response=None)
    )
    result = await session.execute(
        update(Submission)
        .where(Submission.created_at < older_than, Submission.memo_text.is_not(None))
        .values(memo_text=None)
    )
    return affected(result)
