"""Helpers for the admin tests: run a command as someone, read what came back."""

from __future__ import annotations

import itertools
import json
from typing import Any

from sqlalchemy import func, select

from storage.models import (
    Admin,
    AuditEntry,
    CoachingChannel,
    Evaluation,
    PromptVersionRow,
    RubricVersionRow,
)
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG

ADMIN = "U1"
NOT_ADMIN = "U2"
_FILE_IDS = itertools.count(1)


async def share(
    harness: Harness, name: str, content: str, *, user: str = ADMIN, text: str = ""
) -> str:
    """Share a file in the user's DM with the bot; the bot's reply in its thread."""
    file = harness.slack.add_file(f"FCFG{next(_FILE_IDS)}", content.encode(), name, user=user)
    event = signing.file_share_message([file], user=user, text=text)
    await harness.event(event)
    [reply] = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == event["ts"]
    )
    return json.dumps(reply.args, ensure_ascii=False)


async def coach_memo(harness: Harness) -> Evaluation:
    """Send a memo as a DM and wait for its evaluation."""
    await harness.event(signing.dm_message(STRONG, user=NOT_ADMIN))
    await harness.settled()
    async with harness.bot.services.database.session() as session:
        latest = (await session.scalars(select(Evaluation).order_by(Evaluation.id.desc()))).first()
    assert latest is not None, "the memo was evaluated"
    return latest


def system_prompt(fake: FakeAnthropic) -> str:
    return "".join(block["text"] for block in fake.last.system_blocks)


async def run(harness: Harness, text: str, user: str = ADMIN, **kwargs: Any) -> str:
    """A slash command; its immediate answer (the ack) as JSON text."""
    status, body = await harness.command(text, user_id=user, **kwargs)
    assert status == 200, body
    return body


def said(body: str) -> str:
    """Everything an ack or message said (text and blocks), for substring checks."""
    return json.dumps(json.loads(body), ensure_ascii=False)


async def counts(harness: Harness) -> dict[str, int]:
    """Rows in the tables admin commands change."""
    tables = {
        "admins": Admin,
        "audit": AuditEntry,
        "channels": CoachingChannel,
        "rubrics": RubricVersionRow,
        "prompts": PromptVersionRow,
    }
    async with harness.bot.services.database.session() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in tables.items()
        }
