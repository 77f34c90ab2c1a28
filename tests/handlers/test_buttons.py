"""Helpful / Not helpful are stored; My progress answers; forget me deletes after a
confirmation."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import Evaluation, Submission
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG


async def _coach_one(harness: Harness) -> int:
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.settled()
    async with harness.bot.services.database.session() as session:
        return int(await session.scalar(select(func.max(Evaluation.id))) or 0)


async def test_helpful_is_stored_for_the_owner_only(harness: Harness) -> None:
    evaluation_id = await _coach_one(harness)
    url = harness.slack.new_response_url()
    stranger = signing.block_actions(
        "feedback_not_helpful", str(evaluation_id), user="U2", response_url=url
    )
    await harness.post(stranger)
    owner = signing.block_actions(
        "feedback_helpful", str(evaluation_id), user="U1", response_url=url
    )
    status, _ = await harness.post(owner)
    assert status == 200
    await harness.slack.wait_for_responses(1)
    async with harness.bot.services.database.session() as session:
        assert await session.scalar(select(Evaluation.feedback)) == "helpful"


async def test_my_progress_button(harness: Harness) -> None:
    evaluation_id = await _coach_one(harness)
    url = harness.slack.new_response_url()
    await harness.post(
        signing.block_actions("my_progress", str(evaluation_id), user="U1", response_url=url)
    )
    [response] = await harness.slack.wait_for_responses(1)
    assert "Your progress is in your DMs" in json.dumps(response.body)
    [summary] = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Your progress" in str(c.args.get("text"))
    )
    assert "1 memo" in json.dumps(summary.args)  # the summary itself went to the DM


async def test_forget_me_needs_confirmation_then_deletes(harness: Harness) -> None:
    await _coach_one(harness)
    _status, body = await harness.command("forget me")
    assert "forget_me_confirm" in body
    async with harness.bot.services.database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Submission)) == 1
    url = harness.slack.new_response_url()
    await harness.post(
        signing.block_actions("forget_me_confirm", "confirm", user="U1", response_url=url)
    )
    [response] = await harness.slack.wait_for_responses(1)
    assert response.body.get("replace_original") is True
    async with harness.bot.services.database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Submission)) == 0
        assert await session.scalar(select(func.count()).select_from(Evaluation)) == 0
