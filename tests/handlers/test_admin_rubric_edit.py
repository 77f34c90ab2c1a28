"""`admin rubric edit`: the weights form opens from the slash command, shows the running
sum, refuses a sum other than 100 inline (nothing stored) and saves a valid one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.config_service import RUBRIC, live_version
from tests.fakes import slack_signing as signing
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.admin_support import ADMIN, NOT_ADMIN, counts, run, said
from tests.handlers.harness import Harness, running_bot

DEFAULT_WEIGHTS = {
    "answer_first": 25,
    "evidence": 20,
    "clarity": 20,
    "ask_next_steps": 20,
    "risks": 15,
}


@pytest_asyncio.fixture
async def admin_bot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> AsyncIterator[Harness]:
    async with running_bot(monkeypatch, tmp_path, database_url, slack, admins=ADMIN) as bot:
        yield bot


def values(weights: dict[str, int | str]) -> dict[str, Any]:
    """view.state.values as Slack sends them for the form's number fields."""
    return {
        f"weight__{key}": {"rubric_weight": {"type": "number_input", "value": str(weight)}}
        for key, weight in weights.items()
    }


async def open_form(harness: Harness) -> dict[str, Any]:
    body = await run(harness, "admin rubric edit")
    assert "Opened the weights form for rubric v1" in said(body)
    [call] = harness.slack.calls_to("views.open")
    assert call.args["trigger_id"]
    view: dict[str, Any] = call.response["view"]  # type: ignore[index]
    return view


async def submit(harness: Harness, view: dict[str, Any], weights: dict, user: str = ADMIN):  # type: ignore[no-untyped-def,type-arg]
    payload = signing.view_submission(
        "rubric_edit",
        values(weights),
        user=user,
        private_metadata=view["private_metadata"],
        view_id=view["id"],
    )
    status, body = await harness.post(payload)
    assert status == 200
    return json.loads(body) if body else {}


async def test_the_form_shows_every_weight_and_the_running_sum(admin_bot: Harness) -> None:
    view = await open_form(admin_bot)
    inputs = [block for block in view["blocks"] if block["type"] == "input"]
    assert {b["block_id"]: int(b["element"]["initial_value"]) for b in inputs} == {
        f"weight__{key}": weight for key, weight in DEFAULT_WEIGHTS.items()
    }
    assert all(b["element"]["type"] == "number_input" for b in inputs)
    assert "Saved weight: 25. All weights sum to 100" in inputs[0]["hint"]["text"]

    typed = {**view, "state": {"values": values({**DEFAULT_WEIGHTS, "answer_first": 30})}}
    await admin_bot.post(
        signing.block_actions(
            "rubric_weight",
            user=ADMIN,
            view=typed,
            block_id="weight__answer_first",
            action_type="number_input",
        )
    )
    [update] = await admin_bot.slack.wait_for("views.update")
    hints = [b["hint"]["text"] for b in update.args["view"]["blocks"] if b["type"] == "input"]
    assert all("sum to 105; they must sum to 100" in hint for hint in hints)


async def test_a_bad_sum_is_refused_inline_and_nothing_changes(admin_bot: Harness) -> None:
    view = await open_form(admin_bot)
    before = await counts(admin_bot)
    answer = await submit(admin_bot, view, {**DEFAULT_WEIGHTS, "answer_first": 30})
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["weight__answer_first"]
    assert "sum to 105" in answer["errors"]["weight__answer_first"]
    empty = await submit(admin_bot, view, {**DEFAULT_WEIGHTS, "risks": ""})
    assert "whole number" in empty["errors"]["weight__risks"]
    assert await counts(admin_bot) == before


async def test_a_non_admin_cannot_submit_the_form(admin_bot: Harness) -> None:
    view = await open_form(admin_bot)
    before = await counts(admin_bot)
    weights = {**DEFAULT_WEIGHTS, "answer_first": 30, "risks": 10}
    answer = await submit(admin_bot, view, weights, user=NOT_ADMIN)
    assert "Only Memo Coach admins" in answer["errors"]["weight__answer_first"]
    assert await counts(admin_bot) == before


async def test_a_valid_form_saves_a_new_version_and_a_stale_one_is_refused(
    admin_bot: Harness,
) -> None:
    view = await open_form(admin_bot)
    answer = await submit(admin_bot, view, {**DEFAULT_WEIGHTS, "answer_first": 30, "risks": 10})
    assert answer == {}
    live = await live_version(admin_bot.bot.services.database, RUBRIC)
    assert live.version == 2
    assert [c.weight for c in live.document.criteria] == [30, 20, 20, 20, 10]
    assert live.author == ADMIN
    [dm] = await admin_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Rubric v2 is live" in json.dumps(c.args)
    )
    assert dm.args["channel"] == "DU1"

    stale = await submit(admin_bot, view, DEFAULT_WEIGHTS)
    assert "changed to v2" in stale["errors"]["weight__answer_first"]
    assert (await live_version(admin_bot.bot.services.database, RUBRIC)).version == 2


async def test_the_form_needs_the_slash_command(admin_bot: Harness) -> None:
    await admin_bot.event(signing.dm_message("admin rubric edit", user=ADMIN))
    [reply] = await admin_bot.slack.wait_for("chat.postMessage")
    assert "opens from the slash command" in json.dumps(reply.args)
