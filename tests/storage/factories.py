"""Small builders for storage tests (users, submissions, evaluation outcomes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession

from evaluation.result import (
    CriterionScore,
    EvaluationOutcome,
    EvaluationResult,
    Segment,
    TokenUsage,
    overall_score,
)
from evaluation.rubric import Scale
from storage.models import Evaluation, Submission, User
from storage.repositories.evaluations import record_evaluation
from storage.repositories.submissions import create_submission
from storage.repositories.users import upsert_user

MEMO = "We should launch in May. Revenue grows 12% and the risk is small."
_ts = count(1)


def outcome(
    scores: Mapping[str, float | None] | None = None,
    *,
    names: Mapping[str, str] | None = None,
    opportunities: Sequence[str] = ("Lead with the ask.",),
    strengths: Sequence[str] = ("Clear numbers.",),
    rubric_version: int = 1,
    raw_prompt: str | None = "PROMPT with the memo",
    raw_response: str | None = '{"scores": []}',
) -> EvaluationOutcome:
    scores = {"answer_first": 4.0, "evidence": 3.0} if scores is None else scores
    names = names or {}
    weight = 100 // max(len(scores), 1)
    criteria = [
        CriterionScore(
            key=key,
            name=names.get(key, key.replace("_", " ").title()),
            weight=weight,
            score=score,
            justification=f"Because of {key}.",
        )
        for key, score in scores.items()
    ]
    result = EvaluationResult(
        overall_score=overall_score(criteria),
        scale=Scale(),
        evaluator="anthropic:claude-test",
        rubric_version=rubric_version,
        language="en",
        criteria=criteria,
        strengths=list(strengths),
        opportunities=list(opportunities),
        segments=[Segment(quote="We should launch in May.", start=0, end=24, comment="Good lead.")],
    )
    return EvaluationOutcome(
        result=result,
        model="claude-test",
        latency_ms=1234,
        usage=TokenUsage(input=1000, output=200, cache_read=800, cache_write=100),
        fallback_reason=None,
        raw_prompt=raw_prompt,
        raw_response=raw_response,
    )


async def user(session: AsyncSession, slack_user_id: str = "U0001", **fields: str) -> User:
    return await upsert_user(session, slack_user_id, **fields)


async def submission(
    session: AsyncSession, owner: User, *, memo_text: str = MEMO, **keys: str
) -> Submission:
    """A new submission in a channel thread (unique message ts unless given)."""
    keys.setdefault("channel_id", "C0001")
    keys.setdefault("message_ts", f"1700000000.{next(_ts):06d}")
    created, _ = await create_submission(
        session, user=owner, source="dm", memo_text=memo_text, **keys
    )
    return created


async def evaluated_memo(
    session: AsyncSession,
    owner: User,
    scores: Mapping[str, float | None] | None = None,
    **outcome_fields: object,
) -> Evaluation:
    """A submission plus its recorded evaluation."""
    memo = await submission(session, owner)
    return await record_evaluation(
        session, memo, outcome(scores, **outcome_fields), store_debug=False
    )
