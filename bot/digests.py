"""Manager digests: build each team's digest and DM it to the manager, once per manager
and period, however many replicas fire the schedule.

For each manager: claim the run ``("digest:<manager>", period key)`` and commit, build
the digest, post it (with message metadata naming the run), upload the chart into its
thread, then mark the run done. A failure marks it failed, so the next tick (the retry
job, every few minutes) claims and sends it again; a claimer that crashed leaves a claim
that becomes claimable after ``STALE_AFTER``, and its successor first looks in the DM
for a digest already posted, so Slack never gets the same digest twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.digest_chart import DigestChartData, MemberBars, render_digest_chart
from bot.periods import Period, closed_period, period_ending_at
from bot.rendering import SlackMessage
from bot.rendering.digest import render_digest
from bot.run_once import Outcome, failure_reason, run_once
from bot.services import Services
from bot.worker import new_worker_id
from evaluation.rubric import Rubric
from storage.models import User
from storage.repositories.digests import MemberDigest, TeamDigest, team_digest
from storage.repositories.rubrics import active_rubric
from storage.repositories.scheduled_runs import (
    finished_runs,
)
from storage.repositories.teams import managers_with_teams
from storage.types import utcnow

log = logging.getLogger(__name__)

RUN_PREFIX = "digest:"
STALE_AFTER = timedelta(minutes=15)
"""A claim this old belongs to a process that died (one digest takes seconds)."""
MAX_ATTEMPTS = 6
"""Failed sends are retried by later ticks up to this many attempts in all."""
SEND_CONCURRENCY = 4
"""Digests in flight at once: keeps Slack's per-method rate limits comfortable."""
METADATA_EVENT_TYPE = "memo_coach_digest"
HISTORY_LOOKBACK = 50


@dataclass
class DigestReport:
    period: Period
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Already sent for this period, or being sent by another replica right now."""
    failed: dict[str, str] = field(default_factory=dict)
    """Manager Slack id → reason; retried by the next tick (scheduled periods)."""


@dataclass(frozen=True)
class DigestContent:
    digest: TeamDigest
    messages: list[SlackMessage]
    chart: DigestChartData | None
    """None when nobody on the team has a score in either period."""


def run_name(manager_slack_id: str) -> str:
    return f"{RUN_PREFIX}{manager_slack_id}"


def _chart_label(member: MemberDigest) -> str:
    return member.display_name or member.slack_user_id


def _chart_data(digest: TeamDigest, period: Period, rubric: Rubric) -> DigestChartData | None:
    members = [m for m in digest.members if m.average is not None or m.previous_average is not None]
    if not members:
        return None
    return DigestChartData(
        members=[MemberBars(_chart_label(m), m.average, m.previous_average) for m in members],
        period_label=period.label,
        scale_min=rubric.scale.min,
        scale_max=rubric.scale.max,
    )


async def build_digest(
    session: AsyncSession, manager_user_id: int, period: Period, rubric: Rubric | None = None
) -> DigestContent:
    """Query and render one manager's digest, without Slack (benchmarks use it too); the
    chart is only described here and drawn later, off the event loop."""
    rubric = rubric or (await active_rubric(session)).rubric
    digest = await team_digest(
        session,
        manager_user_id,
        previous_start=period.previous_start,
        start=period.start,
        end=period.end,
        rubric_criteria=[(c.key, c.name) for c in rubric.criteria],
    )
    messages = render_digest(digest, period_label=period.label, scale_max=rubric.scale.max)
    return DigestContent(digest, messages, _chart_data(digest, period, rubric))


def _marker(name: str, period: Period) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT_TYPE, "event_payload": {"run": name, "period": period.key}}


async def _find_posted(client: AsyncWebClient, channel: str, marker: dict[str, Any]) -> str | None:
    """The ts of this run's digest if an earlier attempt posted it before failing."""
    response = await client.conversations_history(
        channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
    )
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == marker["event_type"]
            and metadata.get("event_payload") == marker["event_payload"]
        ):
            return str(message["ts"])
    return None


def _file_name(period: Period) -> str:
    return "team-digest-" + re.sub(r"[^A-Za-z0-9]+", "-", period.key).strip("-") + ".png"


async def deliver_digest(
    client: AsyncWebClient,
    manager_slack_id: str,
    content: DigestContent,
    *,
    name: str,
    period: Period,
    resumed: bool,
) -> str:
    """DM the digest and upload its chart into the thread; returns the digest's ts."""
    chart = None
    if content.chart is not None:
        chart = await asyncio.to_thread(render_digest_chart, content.chart)
    opened = await client.conversations_open(users=manager_slack_id)
    channel = str(opened["channel"]["id"])
    marker = _marker(name, period)
    ts = await _find_posted(client, channel, marker) if resumed else None
    if ts is None:
        first, *rest = content.messages
        posted = await client.chat_postMessage(
            channel=channel, metadata=marker, unfurl_links=False, **first.payload()
        )
        ts = str(posted["ts"])
        for message in rest:
            await client.chat_postMessage(channel=channel, thread_ts=ts, **message.payload())
    if chart is not None:
        await client.files_upload_v2(
            channel=channel,
            thread_ts=ts,
            content=chart,
            filename=_file_name(period),
            title=f"Team scores, {period.label}",
            alt_txt="Bar chart of each team member's average overall score, this period "
            "and the previous one.",
        )
    return ts


async def send_digest(
    services: Services,
    manager: User,
    period: Period,
    *,
    owner: str,
    rubric: Rubric,
    now: datetime | None = None,
) -> tuple[Outcome, str | None]:
    """One manager's digest, exactly once: ("sent" | "skipped" | "failed", reason)."""
    name = run_name(manager.slack_user_id)

    async def deliver(attempt: int) -> None:
        async with services.database.session() as session:
            content = await build_digest(session, manager.id, period, rubric)
        await deliver_digest(
            services.client,
            manager.slack_user_id,
            content,
            name=name,
            period=period,
            resumed=attempt > 1,
        )

    outcome, reason, _ = await run_once(
        services.database,
        name,
        period.key,
        owner,
        deliver,
        stale_after=STALE_AFTER,
        max_attempts=MAX_ATTEMPTS,
        now=now,
    )
    return outcome, reason


async def send_digests(
    services: Services,
    period: Period,
    *,
    manager_slack_id: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> DigestReport:
    """Every manager's digest for ``period`` (or one manager's), skipping those already
    sent without touching their claims."""
    owner = owner or new_worker_id()
    report = DigestReport(period)
    async with services.database.session() as session:
        managers = await digest_recipients(session, manager_slack_id)
        done = await finished_runs(
            session, period.key, [run_name(m.slack_user_id) for m in managers]
        )
        rubric = (await active_rubric(session)).rubric
    limit = asyncio.Semaphore(SEND_CONCURRENCY)

    async def one(manager: User) -> None:
        if run_name(manager.slack_user_id) in done:
            report.skipped.append(manager.slack_user_id)
            return
        try:
            async with limit:
                outcome, reason = await send_digest(
                    services, manager, period, owner=owner, rubric=rubric, now=now
                )
        except Exception as exc:  # e.g. the database went away while claiming
            log.exception("digest not attempted", extra={"manager": manager.slack_user_id})
            outcome, reason = "failed", failure_reason(exc)
        if outcome == "sent":
            report.sent.append(manager.slack_user_id)
        elif outcome == "skipped":
            report.skipped.append(manager.slack_user_id)
        else:
            report.failed[manager.slack_user_id] = reason or "unknown error"

    await asyncio.gather(*(one(m) for m in managers))
    log.info(
        "digests",
        extra={
            "period": period.key,
            "sent": len(report.sent),
            "skipped": len(report.skipped),
            "failed": len(report.failed),
        },
    )
    return report


async def digest_recipients(
    session: AsyncSession, manager_slack_id: str | None = None
) -> list[User]:
    """Managers with at least one member; just the named one when given (if a manager)."""
    managers = await managers_with_teams(session)
    if manager_slack_id is None:
        return managers
    return [m for m in managers if m.slack_user_id == manager_slack_id]


async def send_due_digests(services: Services, *, now: datetime | None = None) -> DigestReport:
    """The scheduled tick: every digest of the schedule's last closed period not yet sent
    (including failed ones). Safe to call from every replica, as often as you like."""
    now = now or utcnow()
    period = closed_period(services.runtime.config.coach.digest, now)
    return await send_digests(services, period, now=now)


async def send_digests_now(
    services: Services, *, manager_slack_id: str | None = None, now: datetime | None = None
) -> DigestReport:
    """On demand (`digest --now`, `admin digest now`): the schedule's interval ending now."""
    now = now or utcnow()
    period = period_ending_at(services.runtime.config.coach.digest, now)
    return await send_digests(services, period, manager_slack_id=manager_slack_id, now=now)


_background: dict[asyncio.Task[None], Services] = {}
"""Sends started by an admin command; kept referenced until done, waited for at shutdown."""


def send_in_background(
    services: Services,
    work: Callable[[], Awaitable[DigestReport]],
    then: Callable[[DigestReport], Awaitable[None]],
) -> asyncio.Task[None]:
    """Run ``work`` after the caller has answered Slack, then ``then`` with its report."""

    async def run() -> None:
        try:
            await then(await work())
        except Exception:
            log.exception("digests on demand failed")

    task = asyncio.create_task(run(), name="digests-now")
    _background[task] = services
    task.add_done_callback(lambda done: _background.pop(done, None))
    return task


def background_sends(services: Services) -> Sequence[asyncio.Task[None]]:
    return [task for task, owner in _background.items() if owner is services]
