"""The same memo is evaluated once and answered once, whatever Slack redelivers."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Evaluation, Submission
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG, docx_bytes


async def _count(harness: Harness, model: type) -> int:
    async with harness.bot.services.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_slack_retries_of_one_event_are_answered_once(harness: Harness) -> None:
    event = signing.dm_message(STRONG, user="U1")
    event_id = signing.new_event_id()
    await harness.event(event, event_id=event_id)
    for attempt in (1, 2, 3):
        status, _ = await harness.event(
            event, event_id=event_id, retry_num=attempt, retry_reason="http_timeout"
        )
        assert status == 200
    await harness.settled()
    assert await _count(harness, Submission) == 1
    assert await _count(harness, Evaluation) == 1
    feedback = [
        r
        for r in harness.thread_replies("DU1", event["ts"])
        if "Memo feedback" in r.get("text", "")
    ]
    assert len(feedback) == 1


async def test_message_and_file_shared_events_for_one_upload(harness: Harness) -> None:
    file = harness.slack.add_file("F10", docx_bytes(STRONG), name="m.docx", filetype="docx")
    message = signing.file_share_message([file], user="U1")
    shared = signing.file_shared_event("F10", user="U1")
    await asyncio.gather(harness.event(message), harness.event(shared), harness.event(message))
    await harness.settled()
    assert await _count(harness, Submission) == 1
    assert await _count(harness, Evaluation) == 1
    assert len(harness.slack.downloads) == 1


async def test_same_memo_twice_as_new_messages_is_two_memos(harness: Harness) -> None:
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.settled()
    assert await _count(harness, Evaluation) == 2
