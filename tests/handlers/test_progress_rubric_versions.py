"""Progress across rubric versions, through the real app: criteria are matched by key
(a renamed, re-weighted one keeps its trend), and a removed one is shown as retired."""

from __future__ import annotations

import json

from bot.progress_report import wait_for_progress_reports
from evaluation.rubric import Rubric
from storage.repositories.rubrics import add_rubric_version
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG, WEAK


def second_version(first: Rubric) -> Rubric:
    """Drops `risks`, renames `clarity` and gives it risks' weight."""
    raw = first.model_dump()
    kept = [c for c in raw["criteria"] if c["key"] != "risks"]
    for criterion in kept:
        if criterion["key"] == "clarity":
            criterion.update(name="Plain writing", weight=criterion["weight"] + 15)
    raw["criteria"] = kept
    return Rubric.model_validate(raw)


async def test_renamed_and_retired_criteria(harness: Harness) -> None:
    first = harness.bot.services.runtime.config.rubric
    assert {c.key for c in first.criteria} >= {"risks", "clarity"}
    await harness.event(signing.dm_message(WEAK, user="U1"))
    await harness.settled()
    async with harness.bot.services.database.transaction() as session:
        await add_rubric_version(session, second_version(first), "# v2", author="UADMIN")
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.settled()

    status, _ = await harness.command("progress")
    assert status == 200
    [summary] = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: str(c.args.get("text")).startswith("Your progress")
    )
    [asked] = await harness.slack.wait_for("files.getUploadURLExternal")
    await harness.slack.wait_for("files.completeUploadExternal")
    await wait_for_progress_reports()

    shown = json.dumps(summary.args["blocks"], ensure_ascii=False)
    assert "• Risks and feasibility:" in shown
    assert "_(retired)_" in shown.split("• Risks and feasibility:")[1].split("\\n")[0]
    plain = shown.split("• Plain writing:")[1].split("\\n")[0]
    assert "→" in plain  # one trend across both versions, compared by key
    assert "retired" not in plain
    assert "Clarity and concision" not in shown  # the newest name is used
    assert "no longer in the rubric" in shown
    assert "Dashed lines are retired criteria: Risks and feasibility" in asked.args["alt_txt"]
    [upload] = harness.slack.uploads
    assert upload.content is not None
    assert upload.content.startswith(b"\x89PNG")
