"""Logs are one JSON object per line, carry the memo's submission id from intake to reply,
and never contain tokens, secrets or memo text at INFO and above."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.logging_setup import configure_logging, log_context, redact
from tests.bot.bot_driver import bot_with_model, send_dm_memo
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, running_bot

ANTHROPIC_KEY = "sk-test"  # what running_bot gives the bot when a fake model is used


class RecordKeeper(logging.Handler):
    """Keeps raw records, to check what code logged before any redaction."""

    def __init__(self, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def raw_text(self) -> str:
        return "\n".join(f"{r.getMessage()} {vars(r)}" for r in self.records)


@pytest.fixture
def json_logs(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """The production logging setup writing into a buffer, at INFO unless the test is
    parametrized with another LOG_LEVEL; the root logger restored."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging(getattr(request, "param", "INFO"), stream)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def _events(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = [line for line in stream.getvalue().splitlines() if line]
    return [json.loads(line) for line in lines]  # every line is one JSON object


def test_one_json_object_per_line_with_extra_and_context(json_logs: io.StringIO) -> None:
    log = logging.getLogger("memo_coach.test")
    with log_context(submission_id=42):
        log.info("job started", extra={"job_id": 7, "stage": "announce"})
        try:
            raise ValueError("multi\nline")
        except ValueError:
            log.warning("job failed", exc_info=True)
    log.info("after")
    started, failed, after = _events(json_logs)
    assert started["message"] == "job started"
    assert (started["level"], started["logger"]) == ("INFO", "memo_coach.test")
    assert (started["submission_id"], started["job_id"], started["stage"]) == (42, 7, "announce")
    assert started["ts"].endswith("+00:00")
    assert failed["submission_id"] == 42
    assert "ValueError: multi" in failed["exc"]
    assert "submission_id" not in after  # the context ended with its block


def test_debug_is_dropped_at_info(json_logs: io.StringIO) -> None:
    logging.getLogger("memo_coach.test").debug("noisy")
    assert _events(json_logs) == []


def test_token_shaped_values_are_redacted() -> None:
    line = (
        "xoxb-1234-5678-abcdef xapp-1-A0-123-abc sk-ant-api03-XYZ_12 "
        "postgresql://memo:hunter2@db:5432/memo_coach"
    )
    cleaned = redact(line)
    for secret in ("xoxb-1234", "xapp-1-A0", "sk-ant-api03", "hunter2"):
        assert secret not in cleaned
    assert "postgresql://memo:[redacted]@db:5432/memo_coach" in cleaned


@pytest.mark.parametrize("json_logs", ["INFO", "DEBUG"], indirect=True)
async def test_a_memo_through_the_bot_logs_no_secrets_or_text_and_keeps_its_id(
    json_logs: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    fake_anthropic: FakeAnthropic,
) -> None:
    """Also at LOG_LEVEL=DEBUG, where libraries dump requests and responses."""
    keeper = RecordKeeper(logging.getLogger().level)
    logging.getLogger().addHandler(keeper)
    marker = f"Quokka{uuid.uuid4().hex}"
    try:
        async with bot_with_model(monkeypatch, tmp_path, database_url, fake_anthropic) as bot:
            await send_dm_memo(bot, extra=f"The pilot code name is {marker} for now.")
    finally:
        logging.getLogger().removeHandler(keeper)

    written = json_logs.getvalue()
    for text in (written, keeper.raw_text()):
        for secret in (marker, BOT_TOKEN, SIGNING_SECRET, ANTHROPIC_KEY):
            assert secret not in text, f"{secret!r} reached the logs"
    events = _events(json_logs)
    accepted = [e for e in events if e["message"] == "memo accepted"]
    assert len(accepted) == 1
    submission_id = accepted[0]["submission_id"]
    job_lines = [e for e in events if e["message"] in ("job started", "job finished")]
    assert {e["stage"] for e in job_lines} == {"announce", "evaluate"}
    assert all(e["submission_id"] == submission_id for e in job_lines)
    model_lines = [e for e in events if e["logger"] == "evaluation.anthropic_evaluator"]
    assert model_lines, "the evaluator logged its call"
    assert all(e.get("submission_id") == submission_id for e in model_lines)


async def test_start_up_logs_no_warning_about_the_bot_token(
    json_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    """Bolt warns at start that SLACK_BOT_TOKEN "will be unused" when given a client, as
    the bot gives it; that client carries the same token, so the warning only misleads
    whoever reads the logs. Other warnings from Bolt still get through."""
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as slack,
        running_bot(monkeypatch, tmp_path, database_url, slack),
    ):
        logging.getLogger("slack_bolt").warning("a warning of Bolt's own")
    messages = [e["message"] for e in _events(json_logs) if e["logger"] == "slack_bolt"]
    assert messages == ["a warning of Bolt's own"]
