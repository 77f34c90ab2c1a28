"""Usage over a period for `admin stats`: a few SQL aggregates, no rows loaded.

Memos are counted from submissions (everything received, coached or not); scores,
latency and tokens from evaluations. Cost is left to the caller, who knows the prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Evaluation, Submission


@dataclass(frozen=True)
class EvaluatorUse:
    evaluator: str
    """"anthropic:<model>" or "offline"."""
    evaluations: int
    average_latency_ms: float | None
    fallbacks: int
    """Answered by this evaluator because the configured one failed."""


@dataclass(frozen=True)
class TokenTotals:
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write


@dataclass(frozen=True)
class UsageStats:
    since: datetime
    memos: int
    users: int
    by_status: dict[str, int]
    """Submissions per status: done, rejected (could not be coached), failed, pending…"""
    evaluators: list[EvaluatorUse]
    average_latency_ms: float | None
    tokens: TokenTotals

    @property
    def evaluations(self) -> int:
        return sum(use.evaluations for use in self.evaluators)

    @property
    def fallbacks(self) -> int:
        return sum(use.fallbacks for use in self.evaluators)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


async def usage_since(session: AsyncSession, since: datetime) -> UsageStats:
    """Memos, users, outcomes, evaluator mix, latency and tokens from ``since`` on."""
    memos, users = (
        await session.execute(
            select(func.count(Submission.id), func.count(Submission.user_id.distinct())).where(
                Submission.created_at >= since
            )
        )
    ).one()
    statuses = await session.execute(
        select(Submission.status, func.count(Submission.id))
        .where(Submission.created_at >= since)
        .group_by(Submission.status)
    )
    evaluators = await session.execute(
        select(
            Evaluation.evaluator,
            func.count(Evaluation.id),
            func.avg(Evaluation.latency_ms),
            func.count(Evaluation.fallback_reason),
        )
        .where(Evaluation.created_at >= since)
        .group_by(Evaluation.evaluator)
        .order_by(func.count(Evaluation.id).desc(), Evaluation.evaluator)
    )
    totals = (
        await session.execute(
            select(
                func.avg(Evaluation.latency_ms),
                func.coalesce(func.sum(Evaluation.input_tokens), 0),
                func.coalesce(func.sum(Evaluation.output_tokens), 0),
                func.coalesce(func.sum(Evaluation.cache_read_tokens), 0),
                func.coalesce(func.sum(Evaluation.cache_write_tokens), 0),
            ).where(Evaluation.created_at >= since)
        )
    ).one()
    return UsageStats(
        since=since,
        memos=int(memos),
        users=int(users),
        by_status={str(status): int(n) for status, n in statuses},
        evaluators=[
            EvaluatorUse(str(name), int(n), _float(latency), int(fallbacks))
            for name, n, latency, fallbacks in evaluators
        ],
        average_latency_ms=_float(totals[0]),
        tokens=TokenTotals(*(int(value) for value in totals[1:])),
    )
