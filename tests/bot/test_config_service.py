"""Rubric and prompt changes: validation, linear history, rollback, weights, diffs and
the audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.config_diff import prompt_changes, rubric_changes
from bot.config_service import (
    PROMPT,
    RUBRIC,
    StaleVersion,
    UnknownVersionError,
    WeightError,
    compare,
    current_prompt,
    history,
    import_document,
    live_version,
    parse_weight_args,
    rollback,
    rubric_yaml,
    set_weights,
    with_weights,
)
from config.bundle import load_config
from config.yaml_files import ConfigError
from evaluation.prompt_template import parse_prompt
from evaluation.rubric import Rubric, parse_rubric
from storage.db import Database
from storage.models import AuditEntry
from storage.repositories.prompts import seed_prompt
from storage.repositories.rubrics import active_rubric, seed_rubric
from tests.bot.rubric_files import (
    DEFAULT_PROMPT_TEXT,
    DEFAULT_RUBRIC_TEXT,
    NEW_CRITERION,
    PROMPT_MARKER,
    prompt_yaml,
    with_audience_fit,
    with_negative_weight,
)
from tests.bot.rubric_files import rubric_yaml as rubric_file

DEFAULT = load_config()


@pytest.fixture
async def seeded(database: Database) -> Database:
    async with database.transaction() as session:
        await seed_rubric(session, DEFAULT.rubric, DEFAULT_RUBRIC_TEXT, author="config")
        await seed_prompt(session, DEFAULT.prompt, DEFAULT_PROMPT_TEXT, author="config")
    return database


async def _audit(database: Database) -> list[AuditEntry]:
    async with database.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


# --- pure: diffs and weights --------------------------------------------------------


def _rubric(change=None) -> Rubric:  # type: ignore[no-untyped-def]
    return parse_rubric(rubric_file(change))


def test_diff_names_added_removed_renamed_weights_scale_and_guidance() -> None:
    def edit(data) -> None:  # type: ignore[no-untyped-def]
        with_audience_fit(data)
        data["criteria"][0]["name"] = "Bottom line up front"
        data["criteria"][1]["description"] = "Numbers, please."
        data["criteria"][2]["levels"][3] = "Readable on a second pass."
        del data["criteria"][3]  # the ask (20) goes; its weight moves to evidence
        data["criteria"][1]["weight"] += 20

    changes = rubric_changes(DEFAULT.rubric, _rubric(edit))
    assert f"criterion added: {NEW_CRITERION} (audience_fit), weight 10" in changes
    assert "criterion removed: The ask and next steps (ask_next_steps), weight 20" in changes
    assert "criterion renamed: Answer first → Bottom line up front (answer_first)" in changes
    assert "weight of Evidence and numbers (evidence): 20 → 40" in changes
    assert "weight of Risks and feasibility (risks): 15 → 5" in changes
    assert "description of Evidence and numbers (evidence) changed" in changes
    assert any(line.startswith("guidance of Clarity") and line.endswith("3") for line in changes)


def test_diff_sees_scale_key_changes_and_order() -> None:
    def edit(data) -> None:  # type: ignore[no-untyped-def]
        data["criteria"][0]["key"] = "bluf"
        data["criteria"].reverse()

    changes = rubric_changes(DEFAULT.rubric, _rubric(edit))
    assert "key of Answer first changed: answer_first → bluf" in changes
    assert "criteria reordered" in changes
    assert rubric_changes(DEFAULT.rubric, DEFAULT.rubric) == []


def test_prompt_diff_shows_the_changed_lines() -> None:
    changes = prompt_changes(DEFAULT.prompt, parse_prompt(prompt_yaml()))
    assert changes[0] == "system: 2 line(s) added, 0 removed"
    assert f"+ {PROMPT_MARKER}" in changes


def test_weights_must_sum_to_100() -> None:
    assert parse_weight_args(["answer_first", "30", "risks", "10%"]) == {
        "answer_first": 30,
        "risks": 10,
    }
    changed = with_weights(DEFAULT.rubric, {"answer_first": 30, "risks": 10})
    assert [c.weight for c in changed.criteria] == [30, 20, 20, 20, 10]
    with pytest.raises(WeightError, match="sum to 105"):
        with_weights(DEFAULT.rubric, {"answer_first": 30})
    with pytest.raises(WeightError, match="Unknown criterion key"):
        with_weights(DEFAULT.rubric, {"nope": 30})
    with pytest.raises(WeightError, match="in pairs"):
        parse_weight_args(["answer_first"])
    with pytest.raises(WeightError, match="not a whole number"):
        parse_weight_args(["answer_first", "x"])


def test_generated_yaml_reads_back_as_the_same_rubric() -> None:
    assert parse_rubric(rubric_yaml(DEFAULT.rubric)) == DEFAULT.rubric


# --- stored: import, rollback, history, audit ----------------------------------------


async def test_import_adds_a_live_version_and_audits_it(seeded: Database) -> None:
    change = await import_document(
        seeded, RUBRIC, rubric_file(with_audience_fit), file_name="r.yaml", author="U1", via="t"
    )
    assert (change.previous, change.current) == (1, 2)
    assert any(NEW_CRITERION in line for line in change.changes)
    async with seeded.session() as session:
        live = await active_rubric(session)
    assert live.version == 2
    assert live.rubric.criterion("audience_fit") is not None
    [entry] = await _audit(seeded)
    assert (entry.actor, entry.action, entry.target) == ("U1", "rubric.import", "rubric v2")
    assert entry.detail is not None
    assert entry.detail["from_version"] == 1

    again = await import_document(
        seeded, RUBRIC, rubric_file(with_audience_fit), file_name="r.yaml", author="U1", via="t"
    )
    assert not again.changed, "the same content is not stored twice"


async def test_invalid_file_changes_nothing(seeded: Database) -> None:
    with pytest.raises(ConfigError) as caught:
        await import_document(
            seeded,
            RUBRIC,
            rubric_file(with_negative_weight),
            file_name="bad.yaml",
            author="U1",
            via="t",
        )
    assert caught.value.file == "bad.yaml"
    assert any(p.startswith("criteria[1].weight: -5") for p in caught.value.problems)
    assert (await live_version(seeded, RUBRIC)).version == 1
    assert await _audit(seeded) == []


async def test_rollback_copies_the_old_version_as_a_new_one(seeded: Database) -> None:
    await import_document(
        seeded, RUBRIC, rubric_file(with_audience_fit), file_name="r.yaml", author="U1", via="t"
    )
    change = await rollback(seeded, RUBRIC, 1, author="U2")
    assert (change.previous, change.current) == (2, 3)
    live = await live_version(seeded, RUBRIC)
    assert live.document == DEFAULT.rubric
    assert live.yaml_text == DEFAULT_RUBRIC_TEXT
    assert live.comment == "rollback to v1"
    assert [v.version for v in await history(seeded, RUBRIC, 10)] == [3, 2, 1]
    assert await compare(seeded, RUBRIC, 2, 3) == await compare(seeded, RUBRIC, 2, 1)
    assert not (await rollback(seeded, RUBRIC, 3, author="U2")).changed
    with pytest.raises(UnknownVersionError):
        await rollback(seeded, RUBRIC, 9, author="U2")
    assert [e.action for e in await _audit(seeded)] == ["rubric.import", "rubric.rollback"]


async def test_set_weights_refuses_a_stale_form(seeded: Database) -> None:
    change = await set_weights(
        seeded, {"answer_first": 30, "risks": 10}, author="U1", via="t", expected_version=1
    )
    assert change.current == 2
    assert change.changes == [
        "weight of Answer first (answer_first): 25 → 30",
        "weight of Risks and feasibility (risks): 15 → 10",
    ]
    with pytest.raises(StaleVersion):
        await set_weights(
            seeded, {"answer_first": 25, "risks": 15}, author="U1", via="t", expected_version=1
        )
    with pytest.raises(WeightError):
        await set_weights(seeded, {"answer_first": 50}, author="U1", via="t")
    assert (await live_version(seeded, RUBRIC)).version == 2


async def test_prompt_import_and_guard_rails(seeded: Database) -> None:
    with pytest.raises(ConfigError, match="memo_template"):
        await import_document(
            seeded,
            PROMPT,
            prompt_yaml(delimiters=False),
            file_name="p.yaml",
            author="U1",
            via="t",
        )
    change = await import_document(
        seeded, PROMPT, prompt_yaml(), file_name="p.yaml", author="U1", via="t"
    )
    assert change.current == 2
    assert PROMPT_MARKER in (await current_prompt(seeded)).system


# --- the command line -----------------------------------------------------------------


def test_cli_rubric_import(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ANTHROPIC_API_KEY", "MEMO_COACH_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    good, bad = tmp_path / "rubric.yaml", tmp_path / "bad.yaml"
    good.write_text(rubric_file(with_audience_fit))
    bad.write_text(rubric_file(with_negative_weight))

    assert main(["rubric", "import", str(bad)]) == 1
    assert "criteria[1].weight: -5 is not allowed" in capsys.readouterr().err
    assert main(["rubric", "import", str(good), "--author", "ops"]) == 0
    out = capsys.readouterr().out
    assert "rubric v2 is live (was v1)" in out
    assert f"criterion added: {NEW_CRITERION}" in out
    assert main(["rubric", "import", str(good)]) == 0
    assert "no change" in capsys.readouterr().out
