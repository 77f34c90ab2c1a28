"""`/memo-coach progress`, DM `progress`, the My progress button and `history`, through
the real app: the summary is a normal DM message, the chart a PNG in its thread."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.progress_report import wait_for_progress_reports
from storage.models import Evaluation, Submission
from tests.fakes import slack_signing as signing
from tests.fakes.fake_slack import Call, Upload
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG, WEAK

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def coach_in_dm(harness: Harness, memo: str, user: str = "U1") -> None:
    await harness.event(signing.dm_message(memo, user=user))
    await harness.settled()


def is_summary(call: Call) -> bool:
    return str(call.args.get("text", "")).startswith("Your progress")


async def summary_and_chart(harness: Harness) -> tuple[Call, Upload]:
    [summary] = await harness.slack.wait_for("chat.postMessage", predicate=is_summary)
    await harness.slack.wait_for("files.completeUploadExternal")
    await wait_for_progress_reports()
    [upload] = harness.slack.uploads
    return summary, upload


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def test_progress_goes_to_the_dm_with_the_chart_in_its_thread(harness: Harness) -> None:
    await coach_in_dm(harness, WEAK)
    await coach_in_dm(harness, STRONG)
    status, body = await harness.command("progress", channel_id="C1")
    assert status == 200
    assert "Your progress is in your DMs" in body
    summary, upload = await summary_and_chart(harness)
    assert summary.response is not None
    channel, ts = summary.response["channel"], summary.response["ts"]
    assert channel == "DU1"
    assert "thread_ts" not in summary.args  # a normal message: the chart's thread root
    assert f"fake.slack/archives/DU1/p{ts.replace('.', '')}" in body  # the ack links to it
    assert (upload.channel_id, upload.thread_ts) == ("DU1", ts)
    assert upload.filename == "progress.png"
    assert upload.content is not None
    assert upload.content.startswith(PNG_MAGIC)
    shown = text_of(summary.args["blocks"])
    for words in ("2 memos", "By criterion", "Answer first", "Strongest", "Recent memos"):
        assert words in shown, words
    assert any(arrow in shown for arrow in "↑↓")
    assert "fake.slack/archives/DU1/p" in shown  # recent memos link to their threads
    assert "chart of your scores is in this message's thread" in shown


async def test_the_ack_does_not_wait_for_the_chart(harness: Harness) -> None:
    await coach_in_dm(harness, STRONG)
    harness.slack.set_latency("files.getUploadURLExternal", 0.5)
    status, body = await harness.command("progress")
    assert status == 200
    assert "Your progress is in your DMs" in body
    assert harness.slack.uploads == []  # still uploading in the background
    await summary_and_chart(harness)


async def test_progress_without_memos_is_a_friendly_empty_state(harness: Harness) -> None:
    status, body = await harness.command("progress")
    assert status == 200
    assert "No memos yet" in body
    await harness.event(signing.dm_message("progress", user="U2"))
    [reply] = await harness.slack.wait_for("chat.postMessage")
    assert reply.response is not None
    assert reply.response["channel"] == "DU2"
    assert "No memos yet" in text_of(reply.args)
    await wait_for_progress_reports()
    assert harness.slack.calls_to("files.getUploadURLExternal") == []
    assert not any(is_summary(c) for c in harness.slack.calls_to("chat.postMessage"))


async def test_dm_progress_posts_the_summary_there(harness: Harness) -> None:
    await coach_in_dm(harness, STRONG)
    posted_before = len(harness.slack.calls_to("chat.postMessage"))
    await harness.event(signing.dm_message("progress", user="U1"))
    summary, upload = await summary_and_chart(harness)
    assert summary.response is not None
    assert summary.response["channel"] == "DU1"
    assert upload.thread_ts == summary.response["ts"]
    replies = harness.slack.calls_to("chat.postMessage")[posted_before:]
    assert replies == [summary]  # no "it's in your DMs" pointer inside the DM itself


async def test_my_progress_button_points_to_the_dm_and_uploads_the_chart(
    harness: Harness,
) -> None:
    await coach_in_dm(harness, STRONG)
    async with harness.bot.services.database.session() as session:
        evaluation_id = await session.scalar(select(Evaluation.id))
    url = harness.slack.new_response_url()
    status, _ = await harness.post(
        signing.block_actions("my_progress", str(evaluation_id), user="U1", response_url=url)
    )
    assert status == 200
    summary, upload = await summary_and_chart(harness)
    [pointer] = await harness.slack.wait_for_responses(1)
    assert pointer.body["response_type"] == "ephemeral"
    assert "Your progress is in your DMs" in text_of(pointer.body)
    assert summary.response is not None
    assert upload.thread_ts == summary.response["ts"]


async def test_a_failed_upload_is_logged_and_the_summary_stays(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await coach_in_dm(harness, STRONG)
    harness.slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    with caplog.at_level(logging.ERROR, logger="bot.progress_report"):
        status, body = await harness.command("progress")
        await harness.slack.wait_for("files.getUploadURLExternal")
        await wait_for_progress_reports()
    assert status == 200
    assert "Your progress is in your DMs" in body
    assert any(is_summary(c) for c in harness.slack.calls_to("chat.postMessage"))
    assert harness.slack.uploads == []
    [failure] = [r for r in caplog.records if r.getMessage() == "progress report failed"]
    assert failure.exc_info is not None
    assert "missing_scope" in str(failure.exc_info[1])


async def test_history_links_each_memo_to_its_feedback_thread(harness: Harness) -> None:
    await coach_in_dm(harness, STRONG)
    await harness.command(WEAK, channel_id="C1")  # answered in a DM thread, not in C1
    await harness.settled()
    status, body = await harness.command("history")
    assert status == 200
    assert "Your last 2 memos" in body
    async with harness.bot.services.database.session() as session:
        threads = list(await session.scalars(select(Submission.thread_ts)))
    assert len(threads) == 2
    for thread_ts in threads:
        assert thread_ts is not None
        assert f"fake.slack/archives/DU1/p{thread_ts.replace('.', '')}" in body
    assert "archives/C1" not in body


async def test_history_without_memos(harness: Harness) -> None:
    _status, body = await harness.command("history")
    assert "No memos yet" in body


async def test_when_the_dm_cannot_be_posted_the_summary_comes_here(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await coach_in_dm(harness, STRONG)
    harness.slack.fail_next("conversations.open", error="user_disabled")
    with caplog.at_level(logging.ERROR, logger="bot.progress_report"):
        status, body = await harness.command("progress")
    assert status == 200
    assert "1 memo" in body
    assert "couldn't post this to your DMs" in body
    assert not any(is_summary(c) for c in harness.slack.calls_to("chat.postMessage"))
    assert any(r.getMessage() == "progress report failed" for r in caplog.records)
