"""Evaluation results and their per-criterion scores."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.result import EvaluationOutcome, EvaluationResult
from storage.models import CriterionScoreRow, Evaluation, Feedback, Submission
from storage.repositories._sql import affected
from storage.types import utcnow


async def record_evaluation(
    session: AsyncSession,
    submission: Submission,
    outcome: EvaluationOutcome,
    *,
    store_debug: bool,
) -> Evaluation:
    """Store an outcome and one criterion_scores row per criterion (flushed, not committed).

    Raw prompt and response contain the memo and the model's full answer; they are kept
    only when debug storage is on.
    """
    result = outcome.result
    now = utcnow()
    evaluation = Evaluation(
        submission_id=submission.id,
        user_id=submission.user_id,
        rubric_version=result.rubric_version,
        evaluator=result.evaluator,
        model=outcome.model,
        language=result.language,
        overall_score=result.overall_score,
        strengths=list(result.strengths),
        opportunities=list(result.opportunities),
        segments=[segment.model_dump(mode="json") for segment in result.segments],
        result_json=result.model_dump(mode="json"),
        input_tokens=outcome.usage.input,
        output_tokens=outcome.usage.output,
        cache_read_tokens=outcome.usage.cache_read,
        cache_write_tokens=outcome.usage.cache_write,
        latency_ms=outcome.latency_ms,
        fallback_reason=outcome.fallback_reason,
        raw_prompt=outcome.raw_prompt if store_debug else None,
        raw_response=outcome.raw_response if store_debug else None,
        created_at=now,
    )
    session.add(evaluation)
    await session.flush()
    # One executemany: nothing reads these rows' ids back, and row-by-row ORM inserts
    # were a fifth of the bot's statements per memo.
    await session.execute(
        insert(CriterionScoreRow),
        [
            {
                "evaluation_id": evaluation.id,
                "user_id": submission.user_id,
                "criterion_key": criterion.key,
                "criterion_name": criterion.name,
                "weight": criterion.weight,
                "score": criterion.score,
                "created_at": now,
            }
            for criterion in result.criteria
        ],
    )
    return evaluation


def evaluation_result(evaluation: Evaluation) -> EvaluationResult:
    """The stored result in its contract shape (for re-rendering or export)."""
    return EvaluationResult.model_validate(evaluation.result_json)


async def get_evaluation(session: AsyncSession, evaluation_id: int) -> Evaluation | None:
    return await session.get(Evaluation, evaluation_id)


async def criterion_scores(session: AsyncSession, evaluation_id: int) -> list[CriterionScoreRow]:
    result = await session.scalars(
        select(CriterionScoreRow)
        .where(CriterionScoreRow.evaluation_id == evaluation_id)
        .order_by(CriterionScoreRow.id)
    )
    return list(result)


async def set_feedback(
    session: AsyncSession,
    evaluation_id: int,
    feedback: Feedback | None,
    *,
    user_id: int | None = None,
) -> bool:
    """Record 👍/👎 (None clears it). With ``user_id``, only that user's own evaluation
    is changed, so a button click by someone else does nothing. False if none matched."""
    statement = update(Evaluation).where(Evaluation.id == evaluation_id)
    if user_id is not None:
        statement = statement.where(Evaluation.user_id == user_id)
    result = await session.execute(
        statement.values(feedback=feedback).execution_options(synchronize_session="fetch")
    )
    return affected(result) > 0


async def last_evaluation_for_user(session: AsyncSession, user_id: int) -> Evaluation | None:
    result = await session.scalars(
        select(Evaluation)
        .where(Evaluation.user_id == user_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(1)
    )
    return result.one_or_none()


async def last_debug_evaluation(session: AsyncSession) -> Evaluation | None:
    """The newest evaluation that kept its raw prompt and response (admin debug)."""
    result = await session.scalars(
        select(Evaluation)
        .where(Evaluation.raw_response.is_not(None))
        .order_by(Evaluation.id.desc())
        .limit(1)
    )
    return result.one_or_none()


async def evaluation_for_submission(session: AsyncSession, submission_id: int) -> Evaluation | None:
    """The evaluation already recorded for a submission: a worker resuming after a crash
    reuses it instead of calling the model (and storing) a second time."""
    result = await session.scalars(
        select(Evaluation)
        .where(Evaluation.submission_id == submission_id)
        .order_by(Evaluation.id)
        .limit(1)
    )
    return result.one_or_none()
