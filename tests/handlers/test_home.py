"""The App Home tab through the real app: progress, how to send a memo, the rubric, an
admin pointer only for admins, and a button that sends the chart to the DM."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.progress_report import wait_for_progress_reports
from bot.rendering.home import ADMIN_LINE, HOME_CHART_VALUE, MAX_HOME_BLOCKS, render_home
from config.bundle import load_config
from storage.repositories.admins import add_admin
from storage.repositories.progress import CriterionProgress, ScorePoint, UserProgress
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG


async def open_home(harness: Harness, user: str) -> dict[str, Any]:
    before = len(harness.slack.calls_to("views.publish"))
    status, _ = await harness.event(signing.app_home_opened(user))
    assert status == 200
    published = await harness.slack.wait_for("views.publish", count=before + 1)
    call = published[-1]
    assert call.args["user_id"] == user
    view: dict[str, Any] = call.args["view"]
    assert view["type"] == "home"
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    return view


async def test_home_for_a_new_user_explains_how_to_start(harness: Harness) -> None:
    view = await open_home(harness, "U2")
    text = json.dumps(view, ensure_ascii=False)
    assert "No memos yet" in text
    assert "Send me a memo" in text
    assert "What you're scored on" in text
    assert "Answer first" in text
    assert "admin help" not in text
    assert all(b["type"] != "actions" for b in view["blocks"])  # nothing to chart yet


async def test_admins_see_the_admin_line_and_others_do_not(harness: Harness) -> None:
    async with harness.bot.services.database.transaction() as session:
        await add_admin(session, "U1", added_by="test")
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.settled()
    admin_view = json.dumps(await open_home(harness, "U1"), ensure_ascii=False)
    assert ADMIN_LINE in admin_view
    assert "1 memo" in admin_view
    assert "By criterion" in admin_view
    other_view = json.dumps(await open_home(harness, "U2"), ensure_ascii=False)
    assert "admin help" not in other_view


async def test_home_chart_button_sends_progress_to_the_dm(harness: Harness) -> None:
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.settled()
    view = await open_home(harness, "U1")
    status, _ = await harness.post(
        signing.block_actions("my_progress", HOME_CHART_VALUE, user="U1", view=view)
    )
    assert status == 200
    [summary] = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: str(c.args.get("text")).startswith("Your progress")
    )
    await harness.slack.wait_for("files.completeUploadExternal")
    await wait_for_progress_reports()
    [upload] = harness.slack.uploads
    assert summary.response is not None
    assert (upload.channel_id, upload.thread_ts) == ("DU1", summary.response["ts"])
    assert harness.slack.responses == []  # a Home click has no response_url to answer


def test_a_huge_history_keeps_the_home_within_slacks_block_limit() -> None:
    rubric = load_config().rubric
    when = datetime(2025, 3, 4)
    criteria = [
        CriterionProgress(f"k{i:04d}", "Criterion " + "x" * 70, 1.0, 5.0, 3.0, 9, i % 2 == 0)
        for i in range(4000)  # far more text than 100 blocks can hold
    ]
    progress = UserProgress(
        user_id=1,
        memo_count=400,
        overall=[ScorePoint(when, 3.0, i) for i in range(200, 400)],
        first_overall=ScorePoint(when, 3.0, 0),
        criteria=criteria,
        strongest=criteria[1],
        weakest=criteria[3],
        recurring_opportunity=None,
        recent=[],
    )
    view = render_home(progress, rubric, 7, is_admin=True)
    blocks = view["blocks"]
    assert len(blocks) == MAX_HOME_BLOCKS
    text = json.dumps(blocks, ensure_ascii=False)
    assert ADMIN_LINE in text  # the footer survives; progress gave way
    assert "What you're scored on" in text
    assert any(b["type"] == "actions" for b in blocks)  # and so does the chart button
