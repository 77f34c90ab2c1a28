"""A user's progress delivered to their DM: the summary as a normal message and the chart
in its thread, since ephemeral replies can carry neither a thread nor a file.

Posting and charting run in a background task, so a slash command or button acks at
once; the task logs every failure (nothing is lost silently) and reports whether the
summary was posted, so the ack can link to it when that was quick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.progress_chart import ChartSeries, ProgressChartData, render_progress_chart
from bot.rendering.progress_blocks import PROGRESS_RECENT, ordered_criteria, render_progress
from bot.services import Services
from storage.repositories.progress import RecentMemo, UserProgress, user_progress
from storage.repositories.rubrics import active_rubric
from storage.repositories.score_history import ScoreHistory, score_history
from storage.repositories.users import get_user_by_slack_id

log = logging.getLogger(__name__)

CHART_FILENAME = "progress.png"
PERMALINK_SECONDS = 1.0
"""How long to wait for chat.getPermalink answers before linking without them."""

_IN_FLIGHT: set[asyncio.Task[None]] = set()
"""Strong references, so the event loop cannot drop a running report mid-way."""


@dataclass(frozen=True)
class ProgressData:
    """What the summary and chart are drawn from, read once per request."""

    progress: UserProgress | None
    scale_min: int
    scale_max: int
    criterion_order: tuple[str, ...] = ()
    """The active rubric's keys, in its order."""

    @property
    def has_memos(self) -> bool:
        return self.progress is not None and self.progress.memo_count > 0


@dataclass(frozen=True)
class PostedProgress:
    channel: str
    ts: str
    """The summary's message: the chart's thread."""
    permalink: str | None


AfterPost = Callable[[PostedProgress], Awaitable[None]]


async def load_progress(services: Services, slack_user_id: str) -> ProgressData:
    async with services.database.session() as session:
        rubric = await active_rubric(session)
        user = await get_user_by_slack_id(session, slack_user_id)
        progress = None if user is None else await user_progress(session, user.id)
    scale = rubric.rubric.scale
    return ProgressData(
        progress=progress,
        scale_min=scale.min,
        scale_max=scale.max,
        criterion_order=tuple(c.key for c in rubric.rubric.criteria),
    )


async def thread_permalinks(
    client: AsyncWebClient, memos: Iterable[RecentMemo], seconds: float = PERMALINK_SECONDS
) -> dict[int, str]:
    """Evaluation id → permalink of its feedback thread, asked concurrently; memos whose
    link is not known within ``seconds`` keep the app_redirect link."""
    known = [m for m in memos if m.channel_id and m.thread_ts]

    async def one(memo: RecentMemo) -> tuple[int, str] | None:
        try:
            found = await client.chat_getPermalink(
                channel=memo.channel_id or "", message_ts=memo.thread_ts or ""
            )
        except Exception:
            log.warning("no permalink for a memo thread", extra={"evaluation": memo.evaluation_id})
            return None
        return memo.evaluation_id, str(found["permalink"])

    tasks = [asyncio.ensure_future(one(m)) for m in known]
    if not tasks:
        return {}
    done, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    return dict(pair for task in done if (pair := task.result()) is not None)


def chart_data(history: ScoreHistory, data: ProgressData) -> ProgressChartData:
    """Series in the summary's order (current criteria, then retired), matched by key."""
    assert data.progress is not None
    criteria = ordered_criteria(data.progress.criteria, data.criterion_order)
    order = {c.key: (i, c.retired) for i, c in enumerate(criteria)}
    series = sorted(history.criteria, key=lambda s: (order.get(s.key, (len(order), True)), s.key))
    return ProgressChartData(
        overall=history.overall,
        criteria=[
            ChartSeries(s.name, s.scores, retired=order.get(s.key, (0, True))[1]) for s in series
        ],
        scale_min=data.scale_min,
        scale_max=data.scale_max,
        total_memos=data.progress.memo_count,
    )


def chart_alt_text(chart: ProgressChartData) -> str:
    retired = [s.label for s in chart.criteria if s.retired]
    text = (
        f"Line chart of your overall score and {len(chart.criteria)} criteria over "
        f"{len(chart.overall)} memos, on a {chart.scale_min}–{chart.scale_max} scale."
    )
    if retired:
        text += f" Dashed lines are retired criteria: {', '.join(retired)}."
    return text[:1000]


async def _open_dm(client: AsyncWebClient, slack_user_id: str) -> str:
    opened = await client.conversations_open(users=slack_user_id)
    return str(opened["channel"]["id"])


async def _permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    try:
        found = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except Exception:
        log.warning("no permalink for the progress message", extra={"channel": channel})
        return None
    return str(found["permalink"])


async def _upload_chart(
    services: Services, client: AsyncWebClient, data: ProgressData, posted: PostedProgress
) -> None:
    assert data.progress is not None
    async with services.database.session() as session:
        history = await score_history(session, data.progress.user_id)
    chart = chart_data(history, data)
    # Agg on a Figure of its own is safe off the event loop; rendering takes ~0.1 s.
    png = await asyncio.to_thread(render_progress_chart, chart)
    await client.files_upload_v2(
        channel=posted.channel,
        thread_ts=posted.ts,
        content=png,
        filename=CHART_FILENAME,
        title="Your progress: overall and by criterion",
        alt_txt=chart_alt_text(chart),
    )


class ProgressReport:
    """One progress post running in the background. Start with :func:`start_progress_report`."""

    def __init__(
        self,
        services: Services,
        client: AsyncWebClient,
        slack_user_id: str,
        data: ProgressData,
        *,
        channel: str | None,
        after_post: AfterPost | None,
    ) -> None:
        self._services, self._client, self._user = services, client, slack_user_id
        self._data, self._channel, self._after_post = data, channel, after_post
        self._posted: asyncio.Future[PostedProgress | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.task = asyncio.create_task(self._run(), name=f"progress-report-{slack_user_id}")

    @property
    def failed(self) -> bool:
        """The summary could not be posted (the error is logged)."""
        return self._posted.done() and self._posted.result() is None

    async def wait_posted(self, seconds: float) -> PostedProgress | None:
        """Where the summary went, or None when it failed or takes longer than ``seconds``."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._posted), seconds)
        except TimeoutError:
            return None

    async def _run(self) -> None:
        try:
            posted = await self._post_summary()
            self._posted.set_result(posted)
            if self._after_post is not None:
                try:
                    await self._after_post(posted)
                except Exception:
                    log.exception("progress pointer failed", extra={"user": self._user})
            await _upload_chart(self._services, self._client, self._data, posted)
        except Exception:
            log.exception("progress report failed", extra={"user": self._user})
        except asyncio.CancelledError:
            log.warning("progress report cancelled", extra={"user": self._user})
            raise
        finally:
            if not self._posted.done():
                self._posted.set_result(None)

    async def _post_summary(self) -> PostedProgress:
        data, client = self._data, self._client
        assert data.progress is not None
        channel = self._channel or await _open_dm(client, self._user)
        links = await thread_permalinks(client, data.progress.recent[:PROGRESS_RECENT])
        messages = render_progress(
            data.progress,
            scale_max=data.scale_max,
            scale_min=data.scale_min,
            permalinks=links,
            chart_in_thread=True,
            criterion_order=data.criterion_order,
        )
        first_ts: str | None = None
        for message in messages:
            response = await client.chat_postMessage(channel=channel, **message.payload())
            first_ts = first_ts or str(response["ts"])
            channel = str(response.get("channel") or channel)
        assert first_ts is not None
        return PostedProgress(channel, first_ts, await _permalink(client, channel, first_ts))


def start_progress_report(
    services: Services,
    client: AsyncWebClient,
    slack_user_id: str,
    data: ProgressData,
    *,
    channel: str | None = None,
    after_post: AfterPost | None = None,
) -> ProgressReport:
    """Post ``data`` to the user's DM (``channel`` when already known) with the chart in
    its thread, in the background; ``after_post`` runs once the summary is posted."""
    report = ProgressReport(
        services, client, slack_user_id, data, channel=channel, after_post=after_post
    )
    _IN_FLIGHT.add(report.task)
    report.task.add_done_callback(_IN_FLIGHT.discard)
    return report


async def wait_for_progress_reports(seconds: float = 20.0) -> None:
    """Let running reports finish within ``seconds``, then cancel the rest (graceful
    shutdown, tests); a cancelled report is logged like any other failure."""
    running = list(_IN_FLIGHT)
    if not running:
        return
    _done, pending = await asyncio.wait(running, timeout=seconds)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=1)
