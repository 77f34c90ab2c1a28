"""What a manager's digest is made of: scores and trends per team member, never text.

Only numbers and criterion names are read here (no memo text, strengths, opportunities
or segments), so nothing private can reach a digest by accident. Three grouped queries
per team, whatever its size or history: members, overall scores per member and period,
criterion scores per member, key and period. Both score queries start from
``evaluations (user_id, created_at)``, so a member's long history outside the two
periods is never read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CriterionScoreRow, Evaluation, TeamMembership, User


def change(current: float | None, previous: float | None) -> float | None:
    """This period's average minus the previous one's; None unless both exist."""
    return None if current is None or previous is None else current - previous


@dataclass(frozen=True)
class CriterionAverage:
    key: str
    name: str
    average: float | None
    """This period's mean score (unjudged scores left out); None without any."""
    previous_average: float | None
    count: int
    """Scores behind ``average``."""

    @property
    def change(self) -> float | None:
        return change(self.average, self.previous_average)


@dataclass(frozen=True)
class MemberDigest:
    user_id: int
    slack_user_id: str
    display_name: str | None
    memo_count: int
    average: float | None
    """Mean overall score of this period's memos."""
    previous_memo_count: int
    previous_average: float | None
    strongest: CriterionAverage | None
    weakest: CriterionAverage | None
    """This period's best and worst criterion; None unless two criteria have scores."""

    @property
    def change(self) -> float | None:
        return change(self.average, self.previous_average)


@dataclass(frozen=True)
class TeamDigest:
    manager_user_id: int
    members: list[MemberDigest]
    """By display name (members without one last), then Slack id."""
    criteria: list[CriterionAverage]
    """Team averages: the rubric's criteria in its order, then retired ones by key."""

    @property
    def silent(self) -> list[MemberDigest]:
        """Members without a memo this period."""
        return [m for m in self.members if m.memo_count == 0]

    @property
    def memo_count(self) -> int:
        return sum(m.memo_count for m in self.members)


@dataclass
class _Sums:
    total: float = 0.0
    count: int = 0
    name: str = ""

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


def _team(manager_user_id: int) -> ColumnElement[bool]:
    members = select(TeamMembership.member_user_id).where(
        TeamMembership.manager_user_id == manager_user_id
    )
    return Evaluation.user_id.in_(members)


def _in_periods(previous_start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Evaluation.created_at >= previous_start, Evaluation.created_at < end)


async def _members(
    session: AsyncSession, manager_user_id: int
) -> list[tuple[int, str, str | None]]:
    rows = await session.execute(
        select(User.id, User.slack_user_id, User.display_name)
        .join(TeamMembership, TeamMembership.member_user_id == User.id)
        .where(TeamMembership.manager_user_id == manager_user_id)
    )
    members = [(user_id, slack_id, name) for user_id, slack_id, name in rows]
    return sorted(members, key=lambda m: (m[2] is None, (m[2] or "").casefold(), m[1]))


async def _overall(
    session: AsyncSession,
    manager_user_id: int,
    previous_start: datetime,
    start: datetime,
    end: datetime,
) -> dict[tuple[int, bool], tuple[int, float | None]]:
    """(user id, is this period) → (memos, mean overall score)."""
    current = case((Evaluation.created_at >= start, True), else_=False).label("current")
    rows = await session.execute(
        select(
            Evaluation.user_id,
            current,
            func.count(Evaluation.id),
            func.avg(Evaluation.overall_score),
        )
        .where(_team(manager_user_id), _in_periods(previous_start, end))
        .group_by(Evaluation.user_id, current)
    )
    return {
        (user_id, bool(is_current)): (int(count), None if mean is None else float(mean))
        for user_id, is_current, count, mean in rows
    }


async def _criteria(
    session: AsyncSession,
    manager_user_id: int,
    previous_start: datetime,
    start: datetime,
    end: datetime,
) -> dict[tuple[int, bool], dict[str, _Sums]]:
    """(user id, is this period) → criterion key → judged score sum and count."""
    scores = CriterionScoreRow
    current = case((Evaluation.created_at >= start, True), else_=False).label("current")
    rows = await session.execute(
        select(
            Evaluation.user_id,
            current,
            scores.criterion_key,
            func.max(scores.criterion_name),
            func.sum(scores.score),
            func.count(scores.score),
        )
        .join(scores, scores.evaluation_id == Evaluation.id)
        .where(_team(manager_user_id), _in_periods(previous_start, end))
        .group_by(Evaluation.user_id, current, scores.criterion_key)
    )
    found: dict[tuple[int, bool], dict[str, _Sums]] = defaultdict(dict)
    for user_id, is_current, key, name, total, count in rows:
        found[(user_id, bool(is_current))][key] = _Sums(float(total or 0.0), int(count), name)
    return found


def _averages(
    current: dict[str, _Sums], previous: dict[str, _Sums], order: Sequence[tuple[str, str]]
) -> list[CriterionAverage]:
    names = dict(order)
    rank = {key: i for i, (key, _) in enumerate(order)}
    keys = sorted(set(current) | set(previous), key=lambda k: (rank.get(k, len(rank)), k))
    return [
        CriterionAverage(
            key=key,
            name=names.get(key) or (current.get(key) or previous[key]).name,
            average=current[key].mean if key in current else None,
            previous_average=previous[key].mean if key in previous else None,
            count=current[key].count if key in current else 0,
        )
        for key in keys
    ]


def _extremes(
    criteria: list[CriterionAverage],
) -> tuple[CriterionAverage | None, CriterionAverage | None]:
    scored = sorted(
        (c for c in criteria if c.average is not None), key=lambda c: (-(c.average or 0.0), c.key)
    )
    if len(scored) < 2:
        return None, None
    return scored[0], scored[-1]


def _team_sums(per_member: list[dict[str, _Sums]]) -> dict[str, _Sums]:
    team: dict[str, _Sums] = {}
    for sums in per_member:
        for key, member in sums.items():
            total = team.setdefault(key, _Sums(name=member.name))
            total.total += member.total
            total.count += member.count
    return team


async def team_digest(
    session: AsyncSession,
    manager_user_id: int,
    *,
    previous_start: datetime,
    start: datetime,
    end: datetime,
    rubric_criteria: Sequence[tuple[str, str]] = (),
) -> TeamDigest:
    """The manager's team for the period ``[start, end)`` compared with
    ``[previous_start, start)``. ``rubric_criteria`` ((key, name) pairs of the active
    rubric) orders and names the criteria; keys it lacks keep their stored name."""
    members = await _members(session, manager_user_id)
    overall = await _overall(session, manager_user_id, previous_start, start, end)
    criteria = await _criteria(session, manager_user_id, previous_start, start, end)
    digests = []
    for user_id, slack_user_id, display_name in members:
        count, average = overall.get((user_id, True), (0, None))
        previous_count, previous_average = overall.get((user_id, False), (0, None))
        mine = _averages(criteria[(user_id, True)], criteria[(user_id, False)], rubric_criteria)
        strongest, weakest = _extremes(mine)
        digests.append(
            MemberDigest(
                user_id=user_id,
                slack_user_id=slack_user_id,
                display_name=display_name,
                memo_count=count,
                average=average,
                previous_memo_count=previous_count,
                previous_average=previous_average,
                strongest=strongest,
                weakest=weakest,
            )
        )
    ids = [m[0] for m in members]
    team = _averages(
        _team_sums([criteria[(i, True)] for i in ids]),
        _team_sums([criteria[(i, False)] for i in ids]),
        rubric_criteria,
    )
    return TeamDigest(manager_user_id=manager_user_id, members=digests, criteria=team)
