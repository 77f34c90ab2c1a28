"""A memo's job, in two stages: ``announce`` (a visible status message) and ``evaluate``
(read files, score, store, post the feedback, mark done). Both stages are safe to run
again after a crash: recorded progress on the submission says what is already done.

Each stage returns its last write (a :data:`FinalWrite`) instead of committing it: the
worker commits it in the same transaction as the job's move to its next stage, so the
memo's record and its job never disagree, at one transaction less per stage.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import post_once, update_message
from bot.metrics import observed_evaluation
from bot.rendering import SlackMessage, render_evaluation
from bot.rendering.notices import (
    render_evaluation_failed,
    render_feedback_in_dm,
    render_rejected,
    render_unpostable,
)
from bot.rendering.status import Stage, first_line_of, render_status
from bot.services import Services
from bot.slack_files import download_slack_file
from evaluation.errors import EvaluationFailed, ExtractionError, UnusableMemo
from evaluation.extraction import SUPPORTED_EXTENSIONS, extract_text_async, file_extension
from evaluation.limits import check_memo
from evaluation.memo import Memo
from evaluation.result import EvaluationOutcome
from storage.models import Job, Submission, SubmissionStatus
from storage.repositories.evaluations import (
    evaluation_for_submission,
    evaluation_result,
    record_evaluation,
)
from storage.repositories.rubrics import active_rubric
from storage.repositories.submissions import (
    record_delivery,
    set_memo_text,
    submission_and_author,
)

log = logging.getLogger(__name__)

SOURCE_LABELS = {
    "slash_command": "/memo-coach",
    "modal": "the memo form",
    "dm": "your message",
    "file": "a shared file",
    "shortcut": "Coach this memo",
    "cli": "the command line",
}


FinalWrite = Callable[[AsyncSession], Awaitable[object]]
"""A stage's last write, committed by the worker together with the job's transition."""


class SubmissionGone(Exception):
    """The submission was deleted (the user asked to be forgotten): nothing to do."""


@dataclass
class Delivery:
    """Where a memo's answer goes, loaded fresh for each stage."""

    submission: Submission
    slack_user_id: str
    resumed: bool

    @property
    def channel(self) -> str:
        assert self.submission.reply_channel_id is not None
        return self.submission.reply_channel_id


async def _load(services: Services, job: Job) -> Delivery:
    async with services.database.session() as session:
        found = await submission_and_author(session, job.submission_id)
    if found is None:
        raise SubmissionGone(job.submission_id)
    submission, slack_user_id = found
    return Delivery(submission, slack_user_id, resumed=job.attempts > 1)


def _status(delivery: Delivery, stage: Stage, detail: str | None = None) -> SlackMessage:
    """A file memo is shown by its file name(s); a text memo by its first line."""
    submission = delivery.submission
    files = submission.files or []
    source = SOURCE_LABELS.get(submission.source, submission.source)
    if files:
        names = ", ".join(str(f.get("name") or f.get("title") or "file") for f in files)
        return render_status(stage, first_line=None, source_label=names, detail=detail)
    first_line = first_line_of(submission.memo_text or "")
    return render_status(stage, first_line=first_line or None, source_label=source, detail=detail)


async def _show_stage(
    services: Services, delivery: Delivery, stage: Stage, detail: str | None = None
) -> None:
    ts = delivery.submission.status_ts
    if ts is None:
        return
    await update_message(
        services.client, _status(delivery, stage, detail), channel=delivery.channel, ts=ts
    )


async def announce(services: Services, job: Job) -> FinalWrite | None:
    """Open the DM if needed and post the status message (the thread root for memos that
    did not arrive as a message); returns the record of where it went (a job resumed
    after a crash finds the message by its metadata, see delivery.post_once)."""
    delivery = await _load(services, job)
    submission = delivery.submission
    channel = submission.reply_channel_id
    if channel is None:  # opening the DM again after a crash returns the same channel
        opened = await services.client.conversations_open(users=delivery.slack_user_id)
        channel = submission.reply_channel_id = str(opened["channel"]["id"])
    is_root = submission.thread_ts is None
    if not is_root and submission.status_ts is not None:
        return None
    ts = await post_once(
        services.client,
        _status(delivery, Stage.QUEUED),
        channel=channel,
        submission_id=submission.id,
        part="root" if is_root else "status",
        thread_ts=submission.thread_ts,
        resumed=delivery.resumed,
    )
    record = partial(
        record_delivery,
        submission_id=submission.id,
        reply_channel_id=channel,
        thread_ts=ts if is_root else None,
        status_ts=ts,
    )
    invoker_url = _invoker_url(submission) if is_root else None
    if invoker_url is None:
        return record
    # The pointer to the DM goes out once the root is on record, so it is sent only once.
    async with services.database.transaction() as session:
        await record(session)
    await _tell_invoker(services, submission, ts, invoker_url)
    return None


async def report_unpostable(services: Services, job: Job, error: str) -> None:
    """The channel of a memo refused its reply for good (the bot was removed, the channel
    archived or deleted): tell the author in a DM instead of failing silently. Nothing to
    do when it was the DM itself that refused, or the memo is gone."""
    try:
        delivery = await _load(services, job)
    except SubmissionGone:
        return
    submission = delivery.submission
    channel = submission.reply_channel_id or submission.channel_id
    if not channel or channel.startswith("D"):
        return
    opened = await services.client.conversations_open(users=delivery.slack_user_id)
    notice = render_unpostable(channel, error)
    await services.client.chat_postMessage(channel=str(opened["channel"]["id"]), **notice.payload())


async def _record_parts(services: Services, submission_id: int, parts_posted: int) -> None:
    async with services.database.transaction() as session:
        await record_delivery(session, submission_id, parts_posted=parts_posted)


def _invoker_url(submission: Submission) -> str | None:
    """The command's response_url when the memo came from a channel: it can point the
    invoker to their DM."""
    if (submission.channel_id or "D").startswith("D"):
        return None
    return submission.response_url or None


async def _tell_invoker(
    services: Services, submission: Submission, root_ts: str, response_url: str
) -> None:
    """In a channel, the person who ran the command gets an ephemeral pointer to the DM.
    Uses the command's ``response_url``, which works where the bot is not a member."""
    permalink = None
    try:
        found = await services.client.chat_getPermalink(
            channel=submission.reply_channel_id or "", message_ts=root_ts
        )
        permalink = str(found["permalink"])
    except Exception:  # a missing link must not stop the feedback
        log.warning("permalink unavailable", extra={"submission_id": submission.id})
    notice = render_feedback_in_dm(permalink)
    body = {"response_type": "ephemeral", "replace_original": False, **notice.payload()}
    try:
        async with services.http.post(response_url, json=body) as response:
            if response.status >= 400:
                log.warning(
                    "response_url refused the DM notice",
                    extra={"submission_id": submission.id, "status": response.status},
                )
    except Exception:
        log.warning("response_url unreachable", extra={"submission_id": submission.id})


async def _read_files(services: Services, submission: Submission) -> str:
    """Text of the memo: any message text plus every supported attached file. A file that
    cannot be read fails the memo only when nothing else is left to coach."""
    settings = services.runtime.settings
    limits = services.runtime.config.coach.files
    parts = [submission.memo_text] if submission.memo_text else []
    problem: ExtractionError | None = None
    for file in submission.files or []:
        name = str(file.get("name") or file.get("title") or "file")
        try:
            if file_extension(name) not in SUPPORTED_EXTENSIONS and parts:
                continue
            data = await download_slack_file(
                file,
                token=services.bot_token,
                allowed_hosts=settings.file_hosts,
                max_bytes=limits.max_bytes,
                http=services.http,
            )
            parts.append(await extract_text_async(data, name, limits))
        except ExtractionError as exc:
            problem = problem or exc
    if not parts and problem is not None:
        raise problem
    return "\n\n".join(parts)


async def _evaluate(services: Services, delivery: Delivery) -> tuple[EvaluationOutcome, int]:
    submission = delivery.submission
    text = submission.memo_text or ""
    if submission.files:
        await _show_stage(services, delivery, Stage.READING_FILE)
        text = await _read_files(services, submission)
    text = check_memo(text, services.runtime.config.coach.memo)
    if submission.files:
        async with services.database.transaction() as session:
            await set_memo_text(session, submission.id, text)
        submission.memo_text = text
    await _show_stage(services, delivery, Stage.SCORING)
    async with services.database.session() as session:
        rubric = await active_rubric(session)
    memo = Memo(text, submission.audience)
    outcome = await observed_evaluation(services.evaluator, memo, rubric)
    async with services.database.transaction() as session:
        evaluation = await record_evaluation(
            session,
            submission,
            outcome,
            store_debug=services.runtime.config.coach.debug_storage,
        )
    return outcome, evaluation.id


async def evaluate(services: Services, job: Job) -> FinalWrite:
    """Score the memo (once), post the feedback parts not yet posted; returns marking it
    done."""
    delivery = await _load(services, job)
    submission = delivery.submission
    async with services.database.session() as session:
        existing = await evaluation_for_submission(session, submission.id)
    try:
        if existing is None:
            outcome, evaluation_id = await _evaluate(services, delivery)
            result, fallback_reason = outcome.result, outcome.fallback_reason
        else:
            result, evaluation_id = evaluation_result(existing), existing.id
            fallback_reason = existing.fallback_reason
    except UnusableMemo as exc:
        return await _finish(services, delivery, Stage.REJECTED, render_rejected(exc.user_message))
    except EvaluationFailed as exc:
        notice = render_evaluation_failed(exc.reason, submission.id)
        return await _finish(services, delivery, Stage.FAILED, notice)
    messages = render_evaluation(
        result, evaluation_id=evaluation_id, fallback_reason=fallback_reason
    )
    for index in range(submission.parts_posted, len(messages)):
        await post_once(
            services.client,
            messages[index],
            channel=delivery.channel,
            submission_id=submission.id,
            part=str(index),
            thread_ts=submission.thread_ts,
            resumed=delivery.resumed,
        )
        if index + 1 < len(messages):  # the last part is recorded with the status
            await _record_parts(services, submission.id, index + 1)
    await _show_stage(services, delivery, Stage.DONE)
    return partial(
        record_delivery, submission_id=submission.id, parts_posted=len(messages), status="done"
    )


async def _finish(
    services: Services, delivery: Delivery, stage: Stage, notice: SlackMessage
) -> FinalWrite:
    """End a memo that cannot be coached: say why in the thread; returns its status."""
    submission = delivery.submission
    await post_once(
        services.client,
        notice,
        channel=delivery.channel,
        submission_id=submission.id,
        part=stage.value,
        thread_ts=submission.thread_ts,
        resumed=delivery.resumed,
    )
    await _show_stage(services, delivery, stage)
    status: SubmissionStatus = "rejected" if stage is Stage.REJECTED else "failed"
    return partial(record_delivery, submission_id=submission.id, status=status)
