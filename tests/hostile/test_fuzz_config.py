"""Hostile rubric and prompt YAML: alias bombs, deep nesting, Python tags, wrong types,
10 MB files and hypothesis-mutated documents.

Directly (fast, many examples): the parsers behind every way in either return a valid
document or raise ConfigError with readable problems, never anything else, quickly.
Through the app (an admin sharing the file in a DM): each file gets a reply, the live
version stays unless the file was valid, no ping goes out, nothing crashes, and the
next memo is still evaluated with a well-formed request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from config.yaml_files import MAX_YAML_BYTES, ConfigError
from evaluation.prompt_template import parse_prompt
from evaluation.rubric import TOTAL_WEIGHT, Rubric, parse_rubric
from tests.bot.rubric_files import DEFAULT_PROMPT_TEXT, DEFAULT_RUBRIC_TEXT, default_rubric
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG
from tests.hostile.support import (
    ADMIN,
    ErrorLog,
    assert_healthy,
    fuzz,
    mutated,
    sent_active_forms,
    table_counts,
)

PARSERS: dict[str, Callable[[str | bytes, str], BaseModel]] = {
    "rubric": parse_rubric,
    "prompt": parse_prompt,
}
DEFAULT_PROMPT = yaml.safe_load(DEFAULT_PROMPT_TEXT)
QUICK = 2.0
"""Seconds any one document may take to be refused: no bomb expands."""


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        previous = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{previous}]")
    return "\n".join(lines) + "\ncriteria: *a9\n"


HOSTILE_TEXTS: dict[str, str | bytes] = {
    "billion laughs": billion_laughs(),
    "merge-key alias": "base: &b {weight: 100}\ncriteria:\n  - <<: *b\n    key: x\n",
    "deep nesting": "criteria: " + "[" * 5000 + "]" * 5000,
    "deep mapping": "".join(f"{'  ' * i}k{i}:\n" for i in range(60)),
    "python tag": "criteria: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
    "unknown tag": "criteria: !custom [1]\n",
    "binary": bytes(range(256)) * 40,
    "utf-16": DEFAULT_RUBRIC_TEXT.encode("utf-16"),
    "latin-1": ("name: caf\xe9\n" + DEFAULT_RUBRIC_TEXT).encode("latin-1", "replace"),
    "over the size limit": "name: x\n" + "# padding\n" * (MAX_YAML_BYTES // 10 + 10),
    "just under the limit": "description: '" + "x" * (MAX_YAML_BYTES - 100) + "'\n",
    "duplicate keys": DEFAULT_RUBRIC_TEXT + "\ncriteria: []\n",
    "a list": "- criteria\n- system\n",
    "a scalar": "5/5\n",
    "empty": "",
    "nul bytes": "criteria:\x00\n",
    "pings in values": DEFAULT_RUBRIC_TEXT.replace("weight: 25", "weight: '<!channel> @here'")
    + "\nbad: <https://evil.example|click>\n",
    "4,000 criteria": yaml.safe_dump(
        {"criteria": [{"key": f"k{i}", "weight": 1} for i in range(4000)]}
    ),
}


def _check_document(kind: str, document: BaseModel) -> None:
    """Whatever a parser accepts is a usable document."""
    if kind == "rubric":
        assert isinstance(document, Rubric)
        assert sum(c.weight for c in document.criteria) == TOTAL_WEIGHT
        assert 1 <= len(document.criteria) <= 12
        assert len({c.key for c in document.criteria}) == len(document.criteria)
    else:
        assert "{memo}" in document.memo_template  # type: ignore[attr-defined]


def _outcome(kind: str, source: str | bytes) -> str:
    started = time.perf_counter()
    problems: list[str] = []
    try:
        document = PARSERS[kind](source, f"{kind}.yaml")
    except ConfigError as error:
        problems = error.problems
    else:
        _check_document(kind, document)
    assert time.perf_counter() - started < QUICK, f"{kind} took too long"
    assert all(isinstance(p, str) and p for p in problems)
    return "refused" if problems else "accepted"


@pytest.mark.parametrize("kind", sorted(PARSERS))
@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_hostile_yaml_is_refused_quickly_and_cleanly(kind: str, name: str) -> None:
    outcome = _outcome(kind, HOSTILE_TEXTS[name])
    assert outcome == "refused" or name == "duplicate keys"


def _dumped(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


DOCUMENTS = st.one_of(
    mutated(default_rubric(), max_changes=3).map(_dumped),
    mutated(DEFAULT_PROMPT, max_changes=3).map(_dumped),
)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(text=DOCUMENTS, kind=st.sampled_from(sorted(PARSERS)))
def test_mutated_documents_are_valid_or_refused(text: str, kind: str) -> None:
    _outcome(kind, text)


# --- through the app -----------------------------------------------------------------


async def _share(harness: Harness, name: str, content: bytes, text: str = "") -> str:
    file = harness.slack.add_file(f"FY{len(harness.slack.calls)}", content, name, user=ADMIN)
    event = signing.file_share_message([file], user=ADMIN, text=text)
    assert (await harness.event(event))[0] == 200
    replies = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == event["ts"]
    )
    return json.dumps([c.args for c in replies], ensure_ascii=False)


async def test_hostile_files_from_an_admin_get_a_reply_and_change_nothing(
    hostile_bot: Harness, error_log: ErrorLog
) -> None:
    harness = hostile_bot
    before = await table_counts(harness)
    for name, content in HOSTILE_TEXTS.items():
        if name == "duplicate keys":
            continue  # PyYAML keeps the last value: a legitimate (if odd) file
        raw = content.encode() if isinstance(content, str) else content
        said = await _share(harness, "rubric.yaml", raw, text="rubric")
        assert "not applied" in said or "Nothing was changed" in said, (name, said[:300])
    ten_mb = harness.slack.add_file("FY10MB", b"# x\n" * (10 * 2**20 // 4), "rubric.yaml")
    event = signing.file_share_message([ten_mb], user=ADMIN, text="rubric")
    await harness.event(event)
    [reply] = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == event["ts"]
    )
    assert "limit" in json.dumps(reply.args)
    assert harness.slack.downloads[-1].file_id != "FY10MB", "refused by its declared size"
    ten_mb["size"] = 10  # a lying size: the download itself stops at 256 KiB
    event = signing.file_share_message([ten_mb], user=ADMIN, text="rubric")
    await harness.event(event)
    [reply] = await harness.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == event["ts"]
    )
    assert "limit" in json.dumps(reply.args)
    after = await table_counts(harness)
    assert (after["rubric_versions"], after["prompt_versions"]) == (
        before["rubric_versions"],
        before["prompt_versions"],
    )
    assert sent_active_forms(harness.slack) == []
    assert error_log.crashes() == []
    await assert_healthy(harness)


async def test_fuzzed_uploads_leave_a_working_coach(
    hostile_bot: Harness, fake_anthropic: FakeAnthropic, error_log: ErrorLog
) -> None:
    harness = hostile_bot

    async def check(case: tuple[str, str]) -> None:
        text, name = case
        said = await _share(harness, name, text.encode())
        assert any(
            words in said for words in ("not applied", "is live", "Nothing was", "No change")
        ), said

    await fuzz(st.tuples(DOCUMENTS, st.sampled_from(["new.yaml", "x.yml"])), check, examples=100)
    assert sent_active_forms(harness.slack) == []
    assert error_log.crashes() == []
    # Whatever became live, the next memo is evaluated with a well-formed request.
    await harness.event(signing.dm_message(STRONG, user=ADMIN))
    await harness.settled()
    assert fake_anthropic.requests
    assert fake_anthropic.last.problems == []
    assert fake_anthropic.last.status == 200
    await assert_healthy(harness)


async def test_hostile_config_file_names_are_shown_inert(hostile_bot: Harness) -> None:
    harness = hostile_bot
    valid = DEFAULT_RUBRIC_TEXT.replace("weight: 25", "weight: 30").replace(
        "weight: 15", "weight: 10"
    )
    said = await _share(harness, "<!channel> @here.yaml", valid.encode())
    assert "is live" in said
    await _share(harness, "<https://evil.example|x>.yml", b"criteria: 5\n")
    await _share(harness, "<@U999>.txt", b"not: a rubric\n", text="rubric")
    assert sent_active_forms(harness.slack) == []
