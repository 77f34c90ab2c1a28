"""/metrics after real traffic: one memo through the bot moves every counter it should,
and no label carries a user id. Counters are process-wide, so the test compares a scrape
before with a scrape after."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import REGISTRY
from tests.bot.bot_driver import bot_with_model, send_dm_memo
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
EVALUATOR = "anthropic:claude-sonnet-5"


async def _scrape(harness: Harness) -> tuple[Samples, str]:
    async with harness.http.get(f"{harness.url}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples, text


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_one_memo_moves_the_counters_and_no_label_names_a_user(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    fake_anthropic: FakeAnthropic,
) -> None:
    coach = {"rate_limit": {"memos_per_hour": 1}}
    async with bot_with_model(monkeypatch, tmp_path, database_url, fake_anthropic, coach) as bot:
        before, _ = await _scrape(bot)
        await send_dm_memo(bot)
        refused, _ = await bot.event(signing.dm_message(STRONG + "\n\nOnce more.", user="U1"))
        assert refused == 200
        after, text = await _scrape(bot)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("memo_coach_slack_requests_total", type="event") == 2
    assert grew("memo_coach_ack_seconds_count") == 2
    assert grew("memo_coach_evaluations_total", evaluator=EVALUATOR, outcome="ok") == 1
    assert grew("memo_coach_evaluation_seconds_count", evaluator=EVALUATOR) == 1
    assert grew("memo_coach_model_tokens_total", kind="input") > 0
    assert grew("memo_coach_model_tokens_total", kind="output") > 0
    assert grew("memo_coach_model_tokens_total", kind="cache_write") > 0
    assert grew("memo_coach_rate_limit_refusals_total") == 1
    for status in ("queued", "running", "failed"):
        assert (("memo_coach_jobs", frozenset({("status", status)}))) in after
        assert _value(after, "memo_coach_jobs", status=status) == 0  # all answered
    assert ("memo_coach_digests_sent_total", frozenset()) in after
    assert ("memo_coach_job_failures_total", frozenset()) not in after  # labelled by stage

    labels = {key for _, label_set in after for key, _ in label_set}
    assert not {label for label in labels if "user" in label}
    assert "U1" not in text
    assert "DU1" not in text


def test_names_follow_prometheus_conventions() -> None:
    for family in REGISTRY.collect():
        name = family.name
        assert name.startswith("memo_coach_")
        if family.type == "counter":
            assert not name.endswith("_total")  # the client adds _total to samples
        if family.type == "histogram":
            assert name.endswith("_seconds"), name
