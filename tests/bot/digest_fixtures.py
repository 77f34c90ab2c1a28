"""Teams and dated evaluations for the digest tests, with a private marker string planted
in every kind of text a memo leaves behind (memo, strengths, opportunities, segments)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CriterionScoreRow, Evaluation, User
from storage.repositories.evaluations import record_evaluation
from storage.repositories.teams import add_team_member
from tests.storage.factories import outcome, submission, user

SECRET = "ZEBRA-MARKER-7731"
"""Appears in memo text, strengths, opportunities and segment quotes; never in a digest."""
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""With the default schedule (Mondays 09:00 UTC) the closed period is 2026-W47."""
THIS_PERIOD = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
PREVIOUS_PERIOD = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
BEFORE = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


async def team(
    session: AsyncSession, manager: str, members: Mapping[str, str | None]
) -> tuple[User, dict[str, User]]:
    """A manager and members (Slack id → display name or None), committed by the caller."""
    boss = await user(session, manager)
    people = {}
    for slack_id, name in members.items():
        person = await user(session, slack_id, **({"display_name": name} if name else {}))
        await add_team_member(session, boss.id, person.id)
        people[slack_id] = person
    return boss, people


async def memo_at(
    session: AsyncSession,
    owner: User,
    when: datetime,
    scores: Mapping[str, float | None],
) -> Evaluation:
    """An evaluated memo dated ``when``, full of the secret marker."""
    memo = await submission(session, owner, memo_text=f"Launch in May. {SECRET} is our secret.")
    evaluation = await record_evaluation(
        session,
        memo,
        outcome(
            scores,
            names={"answer_first": "Answer first", "evidence": "Evidence and numbers"},
            strengths=[f"Strong {SECRET} opening."],
            opportunities=[f"Explain {SECRET} better."],
        ),
        store_debug=False,
    )
    evaluation.segments = [{"quote": f"{SECRET} is our secret.", "start": 15, "end": 40}]
    for table, key in (
        (Evaluation, Evaluation.id),
        (CriterionScoreRow, CriterionScoreRow.evaluation_id),
    ):
        await session.execute(update(table).where(key == evaluation.id).values(created_at=when))
    await session.flush()
    return evaluation


def days(n: float) -> timedelta:
    return timedelta(days=n)
