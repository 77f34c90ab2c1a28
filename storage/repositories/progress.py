"""A user's progress over time, aggregated in SQL so it stays fast for long histories.

Results are plain dataclasses: nothing here leaks ORM objects (or sessions) to renderers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import CriterionScoreRow, Evaluation, Submission, TeamMembership, User
from storage.repositories.score_history import CHART_POINTS

RECURRING_WINDOW = 50
"""How many recent evaluations are searched for a recurring opportunity."""


@dataclass(frozen=True)
class ScorePoint:
    created_at: datetime
    overall_score: float | None
    evaluation_id: int


@dataclass(frozen=True)
class CriterionProgress:
    key: str
    name: str
    """The name in the newest evaluation that scored this key."""
    first_score: float | None
    latest_score: float | None
    average: float | None
    count: int
    """How many evaluations judged this criterion (unjudged ones are left out)."""
    retired: bool
    """Not part of the newest evaluation's rubric."""

    @property
    def change(self) -> float | None:
        if self.first_score is None or self.latest_score is None:
            return None
        return self.latest_score - self.first_score


@dataclass(frozen=True)
class RecurringOpportunity:
    text: str
    """As last written by the evaluator."""
    count: int
    """In how many of the ``out_of`` most recent evaluations it appeared."""
    out_of: int


@dataclass(frozen=True)
class RecentMemo:
    evaluation_id: int
    created_at: datetime
    overall_score: float | None
    channel_id: str | None
    thread_ts: str | None


@dataclass(frozen=True)
class UserProgress:
    user_id: int
    memo_count: int
    """All the user's evaluations, however many ``overall`` holds."""
    overall: list[ScorePoint]
    """The newest evaluations' overall scores (at most ``CHART_POINTS``), oldest first:
    a window for sparklines, not the whole history."""
    first_overall: ScorePoint | None
    """The oldest evaluation with an overall score, usually older than ``overall``: the
    "first" of first → latest, so a trend spans the whole history. None when no
    evaluation has one."""
    criteria: list[CriterionProgress]
    """Current criteria first (by key), then retired ones."""
    strongest: CriterionProgress | None
    weakest: CriterionProgress | None
    """None when fewer than two current criteria have scores."""
    recurring_opportunity: RecurringOpportunity | None
    recent: list[RecentMemo]
    """Newest first."""

    @property
    def latest_overall_score(self) -> float | None:
        """The newest overall score in ``overall`` (None if none of the window has one)."""
        latest = self._latest_scored()
        return None if latest is None else latest.overall_score

    @property
    def overall_trend(self) -> tuple[float, float] | None:
        """(first, latest) overall score over the whole history, when two evaluations or
        more have one: the first is ``first_overall``, not the window's oldest."""
        first, latest = self.first_overall, self._latest_scored()
        if first is None or first.overall_score is None or latest is None:
            return None
        if latest.overall_score is None or latest.evaluation_id == first.evaluation_id:
            return None
        return first.overall_score, latest.overall_score

    def _latest_scored(self) -> ScorePoint | None:
        return next((p for p in reversed(self.overall) if p.overall_score is not None), None)


@dataclass(frozen=True)
class MemberActivity:
    user_id: int
    slack_user_id: str
    display_name: str | None
    memo_count: int
    average_overall: float | None


_PUNCTUATION = re.compile(r"[\s.,;:!?…\"'`()\[\]-]+")


def normalise_opportunity(text: str) -> str:
    """Case, spacing and punctuation differences do not make a different opportunity."""
    return _PUNCTUATION.sub(" ", text.casefold()).strip()


async def _memo_count(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Evaluation).where(Evaluation.user_id == user_id)
    )
    return int(count or 0)


async def _first_overall(session: AsyncSession, user_id: int) -> ScorePoint | None:
    """Read apart from the window, so a long history still trends from its very start."""
    row = (
        await session.execute(
            select(Evaluation.created_at, Evaluation.overall_score, Evaluation.id)
            .where(Evaluation.user_id == user_id, Evaluation.overall_score.is_not(None))
            .order_by(Evaluation.created_at, Evaluation.id)
            .limit(1)
        )
    ).first()
    return None if row is None else ScorePoint(*row)


async def _overall_window(session: AsyncSession, user_id: int, points: int) -> list[ScorePoint]:
    """The newest ``points`` evaluations, oldest first: bounded, whatever the history."""
    rows = await session.execute(
        select(Evaluation.created_at, Evaluation.overall_score, Evaluation.id)
        .where(Evaluation.user_id == user_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(points)
    )
    return [ScorePoint(*row) for row in reversed(rows.all())]


async def _criterion_rows(
    session: AsyncSession, user_id: int
) -> list[tuple[str, str, float | None, float | None, float | None, int]]:
    """Per key: latest name, first and latest judged score, average, judged count.

    One GROUP BY for average and count (index-only on the (user_id, criterion_key,
    created_at, score) index), then per key three LIMIT 1 lookups at either end of the
    same index: a handful of index probes instead of ranking every row, which window
    functions would.
    """
    scores = CriterionScoreRow
    totals = (
        select(
            scores.criterion_key.label("key"),
            func.avg(scores.score).label("average"),
            func.count(scores.score).label("judged"),
        )
        .where(scores.user_id == user_id)
        .group_by(scores.criterion_key)
        .subquery()
    )
    oldest_first = (scores.created_at.asc(), scores.id.asc())
    newest_first = (scores.created_at.desc(), scores.id.desc())

    def end(
        column: InstrumentedAttribute[Any], order: tuple[ColumnElement[Any], ...], *, judged: bool
    ) -> ScalarSelect[Any]:
        """``column`` of this key's first row in ``order`` (judged rows only if asked)."""
        found = select(column).where(
            scores.user_id == user_id, scores.criterion_key == totals.c.key
        )
        if judged:
            found = found.where(scores.score.is_not(None))
        return found.order_by(*order).limit(1).scalar_subquery()

    rows = await session.execute(
        select(
            totals.c.key,
            end(scores.criterion_name, newest_first, judged=False),
            end(scores.score, oldest_first, judged=True),
            end(scores.score, newest_first, judged=True),
            totals.c.average,
            totals.c.judged,
        ).order_by(totals.c.key)
    )
    return [
        (
            key,
            name,
            None if first is None else float(first),
            None if latest is None else float(latest),
            None if average is None else float(average),
            int(count),
        )
        for key, name, first, latest, average, count in rows
    ]


async def _current_keys(session: AsyncSession, newest_evaluation_id: int) -> set[str]:
    """The keys of the newest evaluation's rubric."""
    keys = await session.scalars(
        select(CriterionScoreRow.criterion_key).where(
            CriterionScoreRow.evaluation_id == newest_evaluation_id
        )
    )
    return set(keys)


async def _recurring_opportunity(
    session: AsyncSession, user_id: int
) -> RecurringOpportunity | None:
    """The opportunity named in most of the recent evaluations (at least twice)."""
    lists = list(
        await session.scalars(
            select(Evaluation.opportunities)
            .where(Evaluation.user_id == user_id)
            .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
            .limit(RECURRING_WINDOW)
        )
    )
    counts: Counter[str] = Counter()
    newest_wording: dict[str, str] = {}
    for opportunities in lists:  # newest first
        seen = set()
        for text in opportunities or []:
            key = normalise_opportunity(str(text))
            if key and key not in seen:
                seen.add(key)
                counts[key] += 1
                newest_wording.setdefault(key, str(text))
    if not counts:
        return None
    # Most frequent; ties go to the most recently mentioned (Counter keeps insertion
    # order, which is newest first, and max() returns the first maximum).
    key = max(counts, key=lambda k: counts[k])
    if counts[key] < 2:
        return None
    return RecurringOpportunity(text=newest_wording[key], count=counts[key], out_of=len(lists))


async def _recent_memos(session: AsyncSession, user_id: int, limit: int) -> list[RecentMemo]:
    rows = await session.execute(
        select(
            Evaluation.id,
            Evaluation.created_at,
            Evaluation.overall_score,
            # The thread lives where the answer went (the DM for slash commands and
            # shortcuts), not where the memo came from.
            func.coalesce(Submission.reply_channel_id, Submission.channel_id),
            Submission.thread_ts,
        )
        .join(Submission, Submission.id == Evaluation.submission_id)
        .where(Evaluation.user_id == user_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(limit)
    )
    return [RecentMemo(*row) for row in rows]


def _strongest_and_weakest(
    criteria: list[CriterionProgress],
) -> tuple[CriterionProgress | None, CriterionProgress | None]:
    scored = [c for c in criteria if not c.retired and c.average is not None]
    if not scored:
        return None, None
    by_average = sorted(scored, key=lambda c: (-(c.average or 0.0), c.key))
    strongest = by_average[0]
    weakest = by_average[-1] if len(by_average) > 1 else None
    return strongest, weakest


async def user_progress(
    session: AsyncSession, user_id: int, *, recent: int = 10, points: int = CHART_POINTS
) -> UserProgress:
    """Everything the progress view needs, in a handful of bounded queries: the cost stays
    flat however long the history (``points`` caps the overall window)."""
    overall = await _overall_window(session, user_id, points)
    current = await _current_keys(session, overall[-1].evaluation_id) if overall else set()
    criteria = [
        CriterionProgress(
            key=key,
            name=name,
            first_score=first,
            latest_score=latest,
            average=average,
            count=count,
            retired=key not in current,
        )
        for key, name, first, latest, average, count in await _criterion_rows(session, user_id)
    ]
    criteria.sort(key=lambda c: (c.retired, c.key))
    strongest, weakest = _strongest_and_weakest(criteria)
    return UserProgress(
        user_id=user_id,
        memo_count=await _memo_count(session, user_id),
        overall=overall,
        first_overall=await _first_overall(session, user_id),
        criteria=criteria,
        strongest=strongest,
        weakest=weakest,
        recurring_opportunity=await _recurring_opportunity(session, user_id),
        recent=await _recent_memos(session, user_id, recent),
    )


async def team_activity(
    session: AsyncSession, manager_user_id: int, *, since: datetime
) -> list[MemberActivity]:
    """Each member of the manager's team with their memo count and average overall score
    since ``since`` (members without memos included), by display name."""
    rows = await session.execute(
        select(
            User.id,
            User.slack_user_id,
            User.display_name,
            func.count(Evaluation.id),
            func.avg(Evaluation.overall_score),
        )
        .select_from(TeamMembership)
        .join(User, User.id == TeamMembership.member_user_id)
        .outerjoin(
            Evaluation,
            and_(Evaluation.user_id == User.id, Evaluation.created_at >= since),
        )
        .where(TeamMembership.manager_user_id == manager_user_id)
        .group_by(User.id, User.slack_user_id, User.display_name)
        .order_by(User.display_name, User.slack_user_id)
    )
    return [
        MemberActivity(
            user_id=user_id,
            slack_user_id=slack_user_id,
            display_name=display_name,
            memo_count=int(count),
            average_overall=None if average is None else float(average),
        )
        for user_id, slack_user_id, display_name, count, average in rows
    ]
