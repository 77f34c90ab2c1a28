"""Two replicas on one PostgreSQL database: a rubric or prompt changed through one is
used by the other's very next evaluation, with no restart and no cache to expire."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.rubric_files import (
    NEW_CRITERION,
    PROMPT_MARKER,
    prompt_yaml,
    rubric_yaml,
    with_audience_fit,
)
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.admin_support import (
    ADMIN,
    coach_memo,
    run,
    said,
    share,
    system_prompt,
)
from tests.handlers.harness import running_model_bot


async def test_a_change_on_one_replica_is_live_on_the_other(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> None:
    def replica():  # type: ignore[no-untyped-def]
        return running_model_bot(
            monkeypatch, tmp_path, postgres_database_url, slack, fake_anthropic, admins=ADMIN
        )

    async with replica() as first, replica() as second:
        await first.bot.workers.stop(grace=1)  # every memo is evaluated by the second
        assert (await coach_memo(second)).rubric_version == 1
        assert NEW_CRITERION not in system_prompt(fake_anthropic)

        assert "Rubric v2 is live" in await share(
            first, "rubric.yaml", rubric_yaml(with_audience_fit)
        )
        assert (await coach_memo(second)).rubric_version == 2
        assert NEW_CRITERION in system_prompt(fake_anthropic)

        assert "Prompt v2 is live" in await share(first, "prompt.yaml", prompt_yaml())
        await coach_memo(second)
        assert PROMPT_MARKER in system_prompt(fake_anthropic)
        assert "Rubric v2 (live)" in said(await run(second, "admin rubric show"))
