"""A user's recent scores as aligned series (overall and per criterion) for the progress
chart. Bounded to the newest evaluations, so a long history costs what a short one does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CriterionScoreRow, Evaluation

CHART_POINTS = 200
"""The newest evaluations charted; older ones still count in the progress summary."""


@dataclass(frozen=True)
class CriterionSeries:
    key: str
    name: str
    """As in the newest evaluation that scored this key (renames follow the key)."""
    scores: list[float | None]
    """One per memo of the history, oldest first; None when that memo's evaluation did
    not judge it (or its rubric did not have it)."""


@dataclass(frozen=True)
class ScoreHistory:
    created_at: list[datetime]
    """When each charted memo was evaluated, oldest first."""
    overall: list[float | None]
    criteria: list[CriterionSeries]
    """By key."""


async def score_history(
    session: AsyncSession, user_id: int, *, limit: int = CHART_POINTS
) -> ScoreHistory:
    """The newest ``limit`` evaluations of the user, in two queries."""
    newest = await session.execute(
        select(Evaluation.id, Evaluation.created_at, Evaluation.overall_score)
        .where(Evaluation.user_id == user_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(limit)
    )
    rows = list(reversed(newest.all()))
    position = {evaluation_id: i for i, (evaluation_id, _, _) in enumerate(rows)}
    scores: dict[str, list[float | None]] = {}
    names: dict[str, tuple[int, str]] = {}
    if position:
        found = await session.execute(
            select(
                CriterionScoreRow.evaluation_id,
                CriterionScoreRow.criterion_key,
                CriterionScoreRow.criterion_name,
                CriterionScoreRow.score,
            ).where(
                CriterionScoreRow.user_id == user_id,
                CriterionScoreRow.evaluation_id.in_(list(position)),
            )
        )
        for evaluation_id, key, name, score in found:
            at = position[evaluation_id]
            scores.setdefault(key, [None] * len(rows))[at] = score
            if at >= names.get(key, (-1, ""))[0]:
                names[key] = (at, name)
    return ScoreHistory(
        created_at=[created for _, created, _ in rows],
        overall=[overall for _, _, overall in rows],
        criteria=[CriterionSeries(key, names[key][1], scores[key]) for key in sorted(scores)],
    )
