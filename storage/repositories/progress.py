"""A user's progress over time, aggregated in SQL so it stays fast for long histories.

Results are plain dataclasses: nothing here leaks ORM objects (or sessions) to renderers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CriterionScoreRow, Evaluation, Submission, TeamMembership, User

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
    overall: list[ScorePoint]
    """Every evaluation's overall score, oldest first."""
    criteria: list[CriterionProgress]
    """Current criteria first (by key), then retired ones."""
    strongest: CriterionProgress | None
    weakest: CriterionProgress | None
    """None when fewer than two current criteria have scores."""
    recurring_opportunity: RecurringOpportunity | None
    recent: list[RecentMemo]
    """Newest first."""


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


async def _overall_series(session: AsyncSession, user_id: int) -> list[ScorePoint]:
    rows = await session.execute(
        select(Evaluation.created_at, Evaluation.overall_score, Evaluation.id)
        .where(Evaluation.user_id == user_id)
        .order_by(Evaluation.created_at, Evaluation.id)
    )
    return [ScorePoint(created, score, evaluation_id) for created, score, evaluation_id in rows]


async def _criterion_rows(
    session: AsyncSession, user_id: int
) -> list[tuple[str, str, float | None, float | None, float | None, int]]:
    """Per key: latest name, first and latest judged score, average, judged count.

    Window functions rank each key's rows (judged and unjudged apart) oldest- and
    newest-first; one GROUP BY then picks the ends. Served by the
    (user_id, criterion_key, created_at) index.
    """
    scores = CriterionScoreRow
    newest_first = (scores.created_at.desc(), scores.id.desc())
    oldest_first = (scores.created_at.asc(), scores.id.asc())
    judged_partition = (scores.criterion_key, scores.score.is_(None))
    ranked = (
        select(
            scores.criterion_key,
            scores.criterion_name,
            scores.score,
            func.row_number()
            .over(partition_by=scores.criterion_key, order_by=newest_first)
            .label("name_rank"),
            func.row_number()
            .over(partition_by=judged_partition, order_by=oldest_first)
            .label("first_rank"),
            func.row_number()
            .over(partition_by=judged_partition, order_by=newest_first)
            .label("last_rank"),
        )
        .where(scores.user_id == user_id)
        .subquery()
    )
    judged = ranked.c.score.is_not(None)
    rows = await session.execute(
        select(
            ranked.c.criterion_key,
            func.max(case((ranked.c.name_rank == 1, ranked.c.criterion_name))),
            func.max(case((and_(judged, ranked.c.first_rank == 1), ranked.c.score))),
            func.max(case((and_(judged, ranked.c.last_rank == 1), ranked.c.score))),
            func.avg(ranked.c.score),
            func.count(ranked.c.score),
        )
        .group_by(ranked.c.criterion_key)
        .order_by(ranked.c.criterion_key)
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


async def _current_keys(session: AsyncSession, user_id: int) -> set[str]:
    newest = (
        select(Evaluation.id)
        .where(Evaluation.user_id == user_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    keys = await session.scalars(
        select(CriterionScoreRow.criterion_key).where(CriterionScoreRow.evaluation_id == newest)
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


async def user_progress(session: AsyncSession, user_id: int, *, recent: int = 10) -> UserProgress:
    """Everything the progress view and chart need, in a handful of queries."""
    overall = await _overall_series(session, user_id)
    current = await _current_keys(session, user_id)
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
        memo_count=len(overall),
        overall=overall,
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
