"""What the fault tests look at: what reached the fake Slack, per thread and per memo part,
and what the database says about each memo."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from bot.delivery import METADATA_EVENT_TYPE
from storage.db import Database
from storage.models import Evaluation, Job, Submission
from tests.fakes.fake_anthropic import AnswerContext
from tests.fakes.fake_slack import Call, FakeSlack

FEEDBACK_TITLE = "Memo feedback"
FALLBACK_LABEL = "AI coach was unavailable"
OFFLINE_LABEL = "Offline feedback"
FAILED_NOTICE = "I couldn't finish coaching your memo"
SETTLED = frozenset({"done", "failed", "rejected"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def accepted_posts(slack: FakeSlack) -> list[Call]:
    """chat.postMessage calls Slack accepted (what users can see), in arrival order."""
    return [
        call
        for call in slack.calls_to("chat.postMessage")
        if call.response is not None and call.response.get("ok")
    ]


def thread_posts(slack: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """Accepted posts in one thread (``channel`` as posted: a user id lands in its DM)."""
    return [
        call.args
        for call in accepted_posts(slack)
        if call.response is not None
        and call.response.get("channel") == channel
        and call.args.get("thread_ts") == thread_ts
    ]


def thread_text(slack: FakeSlack, channel: str, thread_ts: str) -> str:
    return json.dumps(thread_posts(slack, channel, thread_ts), ensure_ascii=False)


def feedback_posts(slack: FakeSlack, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """The first part of each feedback reply in the thread (later parts say "part 2/3")."""
    firsts = []
    for post in thread_posts(slack, channel, thread_ts):
        text = str(post.get("text", ""))
        if text.startswith(FEEDBACK_TITLE) and ("(part " not in text or "(part 1/" in text):
            firsts.append(post)
    return firsts


def posted_parts(slack: FakeSlack) -> Counter[tuple[int, str]]:
    """How many accepted messages carry each (submission id, part) marker."""
    parts: Counter[tuple[int, str]] = Counter()
    for call in accepted_posts(slack):
        metadata = call.args.get("metadata") or {}
        if metadata.get("event_type") != METADATA_EVENT_TYPE:
            continue
        payload = metadata.get("event_payload") or {}
        parts[(int(payload["submission_id"]), str(payload["part"]))] += 1
    return parts


def many_parts(answer: dict[str, Any], context: AnswerContext) -> dict[str, Any]:
    """A fake-model tweak: a long comment on every sentence, so the feedback needs
    several thread replies (Slack's 12,000 characters per message)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(context.memo) if len(s.strip()) >= 12]
    template = answer["segments"][0]
    comment = " ".join([template["comment"]] * 12)
    answer["segments"] = [dict(template, quote=s, comment=comment) for s in sentences]
    return answer


async def memo_rows(url: str) -> list[tuple[int, str, int]]:
    """(submission id, status, number of evaluations) for every memo, by id."""
    database = Database(url)
    try:
        async with database.session() as session:
            evaluations = (
                select(func.count())
                .where(Evaluation.submission_id == Submission.id)
                .scalar_subquery()
            )
            rows = await session.execute(
                select(Submission.id, Submission.status, evaluations).order_by(Submission.id)
            )
            return [(int(i), str(s), int(n)) for i, s, n in rows]
    finally:
        await database.dispose()


async def job_rows(database: Database) -> list[tuple[int, str, str, int, str | None]]:
    """(submission id, job status, stage, attempts, last error) for every job."""
    async with database.session() as session:
        rows = await session.execute(
            select(Job.submission_id, Job.status, Job.stage, Job.attempts, Job.last_error)
        )
        return [(int(a), str(b), str(c), int(d), e) for a, b, c, d, e in rows]


async def wait_until_settled(url: str, count: int, within: float) -> list[tuple[int, str, int]]:
    """Poll until ``count`` memos exist and every one reached a final status."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        rows = await memo_rows(url)
        if len(rows) >= count and all(status in SETTLED for _, status, _ in rows):
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"memos not settled within {within}s: {rows}")
        await asyncio.sleep(0.2)


def status_line(slack: FakeSlack, channel: str, thread_ts: str) -> str:
    """The fallback text of the memo's status message as it reads now (after updates)."""
    for (where, ts), message in slack.messages.items():
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        in_thread = ts == thread_ts or message.get("thread_ts") == thread_ts
        if where == channel and in_thread and payload.get("part") in ("status", "root"):
            return str(message.get("text", ""))
    raise AssertionError(f"no status message in {channel} {thread_ts}")
