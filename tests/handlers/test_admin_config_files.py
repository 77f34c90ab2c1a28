"""A rubric or prompt shared as a YAML file in a DM: validated, versioned, and used by
the very next evaluation; refused (with the field named) when invalid or not from an
admin, and never treated as a memo."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from storage.models import Submission
from tests.bot.rubric_files import (
    NEW_CRITERION,
    PROMPT_MARKER,
    prompt_yaml,
    rubric_yaml,
    with_audience_fit,
    with_negative_weight,
)
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.admin_support import (
    ADMIN,
    NOT_ADMIN,
    coach_memo,
    counts,
    share,
    system_prompt,
)
from tests.handlers.harness import Harness, running_bot, running_model_bot


@pytest_asyncio.fixture
async def model_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> AsyncIterator[Harness]:
    async with running_model_bot(
        monkeypatch, tmp_path, database_url, slack, fake_anthropic, admins=ADMIN
    ) as bot:
        yield bot


async def test_rubric_file_is_used_by_the_next_evaluation(
    model_bot: Harness, fake_anthropic: FakeAnthropic
) -> None:
    before = await coach_memo(model_bot)
    assert before.rubric_version == 1
    assert NEW_CRITERION not in system_prompt(fake_anthropic)

    reply = await share(model_bot, "rubric.yaml", rubric_yaml(with_audience_fit))
    assert "Rubric v2 is live (was v1)" in reply
    assert f"criterion added: {NEW_CRITERION} (audience_fit), weight 10" in reply
    assert "weight of Risks and feasibility (risks): 15 → 5" in reply

    after = await coach_memo(model_bot)
    assert after.rubric_version == 2
    assert NEW_CRITERION in system_prompt(fake_anthropic)
    assert "audience_fit" in json.dumps(after.result_json)
    async with model_bot.bot.services.database.session() as session:
        memos = await session.scalar(select(func.count()).select_from(Submission))
    assert memos == 2, "the YAML file was not treated as a memo"


async def test_invalid_rubric_file_is_refused_and_the_old_rubric_stays(
    model_bot: Harness, fake_anthropic: FakeAnthropic
) -> None:
    def broken(data: dict) -> None:  # type: ignore[type-arg]
        with_audience_fit(data)
        with_negative_weight(data)

    reply = await share(model_bot, "bad-rubric.yml", rubric_yaml(broken))
    assert "That rubric file was not applied" in reply
    assert "`bad-rubric.yml`: criteria[1].weight: -5 is not allowed (must be &gt; 0)" in reply
    assert "weights sum to 75, must be 100" in reply
    assert "The live rubric is unchanged (v1)" in reply

    evaluation = await coach_memo(model_bot)
    assert evaluation.rubric_version == 1
    assert NEW_CRITERION not in system_prompt(fake_anthropic)


async def test_prompt_file_goes_live_and_cannot_drop_the_memo_delimiters(
    model_bot: Harness, fake_anthropic: FakeAnthropic
) -> None:
    refused = await share(model_bot, "prompt.yml", prompt_yaml(delimiters=False), text="prompt")
    assert "That prompt file was not applied" in refused
    assert "memo_template: {memo} must sit between the delimiters" in refused
    assert "The live prompt is unchanged (v1)" in refused

    accepted = await share(model_bot, "prompt.yaml", prompt_yaml())
    assert "Prompt v2 is live (was v1)" in accepted
    assert f"+ {PROMPT_MARKER}" in accepted

    await coach_memo(model_bot)
    assert PROMPT_MARKER in system_prompt(fake_anthropic)
    assert fake_anthropic.last.memo is not None, "the memo is still delimited data"
    assert fake_anthropic.last.body.get("tools"), "the output schema is attached by code"


async def test_a_non_admins_rubric_file_is_refused_and_not_coached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    async with running_bot(monkeypatch, tmp_path, database_url, slack, admins=ADMIN) as bot:
        before = await counts(bot)
        reply = await share(bot, "rubric.yaml", rubric_yaml(with_audience_fit), user=NOT_ADMIN)
        assert "Only Memo Coach admins can change the rubric" in reply
        note = await share(bot, "notes.txt", rubric_yaml(), user=NOT_ADMIN, text="rubric")
        assert "Only Memo Coach admins" in note
        assert await counts(bot) == before
        async with bot.bot.services.database.session() as session:
            assert await session.scalar(select(func.count()).select_from(Submission)) == 0
    assert slack.downloads == [], "a refused file is not even downloaded"


async def test_message_text_names_the_kind_and_odd_files_are_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str, slack: FakeSlack
) -> None:
    async with running_bot(monkeypatch, tmp_path, sqlite_database_url, slack, admins=ADMIN) as bot:
        named = await share(bot, "new.txt", rubric_yaml(with_audience_fit), text="rubric")
        assert "Rubric v2 is live" in named
        same = await share(bot, "again.yaml", rubric_yaml(with_audience_fit))
        assert "No change" in same
        neither = await share(bot, "compose.yaml", "services:\n  web: {}\n")
        assert "neither a rubric" in neither
        broken = await share(bot, "broken.yaml", "criteria: [\n")
        assert "That configuration file was not applied" in broken
        assert "`broken.yaml`: line" in broken
