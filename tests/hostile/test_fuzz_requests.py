"""Fuzzed Slack requests against one running bot each: slash command text, Events API
payloads and interactivity payloads of odd shapes.

Every request is signed (so it gets past verification and reaches the listeners), and
every one must be answered 200 (404 "unhandled request" for an event type or callback
the app has no listener for). Afterwards nothing crashed (no ERROR log, no traceback),
nothing was posted anywhere but to the sender, no ping or disguised link went out, no
memo text reached the logs, admin-only tables are untouched and /ready is 200.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import AuditEntry, Evaluation, Job, Submission
from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET, Harness
from tests.handlers.memos import STRONG
from tests.hostile.strategies import ADMIN_TEXTS, MARKER, TEXTS, events, interactive_payloads
from tests.hostile.support import (
    ADMIN,
    MEMBER,
    ErrorLog,
    active_forms,
    as_json,
    assert_healthy,
    foreign_token_downloads,
    fuzz,
    interactive,
    misdirected,
    sent_active_forms,
    table_counts,
)

ADMIN_TABLES = (
    "admins",
    "audit_log",
    "coaching_channels",
    "prompt_versions",
    "rubric_versions",
    "team_memberships",
)
CLEAN_REFUSALS = {
    400: {"error": "malformed request"},  # a body Bolt cannot read as a Slack payload
    404: {"error": "unhandled request"},  # no listener for this event type or callback
}


def _answered(status: int, body: str) -> None:
    """200, or a clean refusal (never a 500 or a crash)."""
    if status in CLEAN_REFUSALS:
        assert json.loads(body) == CLEAN_REFUSALS[status], body
        return
    assert status == 200, (status, body[:500])


def _admin_tables(counts: dict[str, int]) -> dict[str, int]:
    return {name: counts[name] for name in ADMIN_TABLES}


async def _aftermath(
    harness: Harness,
    error_log: ErrorLog,
    fake_anthropic: FakeAnthropic,
    *,
    allowed: set[str],
    users: set[str],
    mentions_allowed: bool = False,
) -> None:
    await harness.settled(within=90)
    forms = sent_active_forms(harness.slack)
    if mentions_allowed:  # admin replies name the people they changed, on purpose
        forms = [form for form in forms if not form.startswith("<@")]
    assert forms == []
    assert misdirected(harness.slack, allowed, users) == []
    assert foreign_token_downloads(harness.slack) == []
    assert error_log.crashes() == []
    logged = error_log.text()
    for private in (MARKER, BOT_TOKEN, SIGNING_SECRET, "sk-test"):
        assert private not in logged, f"{private!r} reached the logs"
    assert [r.problems for r in fake_anthropic.requests if r.problems] == []
    await assert_healthy(harness)


async def test_fuzzed_slash_command_text_from_a_member(
    hostile_bot: Harness, error_log: ErrorLog, fake_anthropic: FakeAnthropic
) -> None:
    harness = hostile_bot
    before = await table_counts(harness)

    async def check(case: tuple[str, str]) -> None:
        text, channel = case
        status, body = await harness.command(text, user_id=MEMBER, channel_id=channel)
        assert status == 200, body
        assert active_forms([body]) == []
        assert body == "" or isinstance(json.loads(body), dict)

    await fuzz(st.tuples(TEXTS, st.sampled_from(["C1", "DU2", "G1"])), check, examples=300)
    await _aftermath(harness, error_log, fake_anthropic, allowed=set(), users={MEMBER})
    assert _admin_tables(await table_counts(harness)) == _admin_tables(before)


async def test_fuzzed_admin_commands_from_an_admin(
    hostile_bot: Harness, error_log: ErrorLog, fake_anthropic: FakeAnthropic
) -> None:
    harness = hostile_bot

    async def check(text: str) -> None:
        status, body = await harness.command(text, user_id=ADMIN, channel_id="C1")
        assert status == 200, body
        assert [f for f in active_forms([body]) if not f.startswith("<@")] == []

    await fuzz(ADMIN_TEXTS, check, examples=200)
    people = {ADMIN, MEMBER, "U999", "U2"}  # digests go to the managers a fuzzed team names
    await _aftermath(
        harness, error_log, fake_anthropic, allowed=set(), users=people, mentions_allowed=True
    )


def _shared_files(slack: FakeSlack) -> list[dict[str, Any]]:
    evil = slack.add_file("FEVIL", b"memo " * 100, name="evil.txt", user=MEMBER)
    evil["url_private_download"] = "https://evil.example/files/FEVIL/evil.txt"
    return [
        slack.add_file("FGOOD", STRONG.encode(), name="memo.md", user=MEMBER),
        slack.add_file("FBIN", bytes(range(256)) * 8, name="memo.txt", user=MEMBER),
        slack.add_file("FYAML", b"criteria: []\n", name="rubric.yaml", user=MEMBER),
        evil,
        {"id": "FODD", "name": None, "url_private": 42},
    ]


async def test_fuzzed_events(
    bot_on_each_database: Harness, error_log: ErrorLog, fake_anthropic: FakeAnthropic
) -> None:
    harness = bot_on_each_database
    before = await table_counts(harness)
    files = _shared_files(harness.slack)
    places: set[str] = set()
    users: set[str] = set()

    async def check(body: dict[str, Any]) -> None:
        event = body.get("event")
        if isinstance(event, dict):
            for key in ("channel", "channel_id", "user", "user_id"):
                if isinstance(event.get(key), str):
                    (users if key.startswith("user") else places).add(event[key])
        status, answer = await harness.post(as_json(body))
        _answered(status, answer)

    await fuzz(events(files), check, examples=250)
    await _aftermath(harness, error_log, fake_anthropic, allowed=places, users=users)
    assert _admin_tables(await table_counts(harness)) == _admin_tables(before)
    assert not any(d.url.startswith("https://evil") for d in harness.slack.downloads)


async def test_fuzzed_interactive_payloads_change_nothing_of_anyone_else(
    hostile_bot: Harness, error_log: ErrorLog, fake_anthropic: FakeAnthropic
) -> None:
    harness = hostile_bot
    await harness.event(signing.dm_message(STRONG, user=ADMIN))
    await harness.settled()
    async with harness.bot.services.database.session() as session:
        evaluation = (await session.scalars(select(Evaluation))).one()
        job = (await session.scalars(select(Job))).one()
    ids = {"evaluation": evaluation.id, "submission": evaluation.submission_id}
    before = await table_counts(harness)
    harness.slack.reset()  # what follows is MEMBER's doing

    async def check(payload: dict[str, Any]) -> None:
        status, answer = await harness.post(interactive(payload))
        _answered(status, answer)

    await fuzz(interactive_payloads(ids, harness.slack.new_response_url()), check, examples=300)
    await _aftermath(harness, error_log, fake_anthropic, allowed=set(), users={MEMBER, "U999"})
    after = await table_counts(harness)
    unchanged = [name for name in ADMIN_TABLES if name != "audit_log"]
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}
    async with harness.bot.services.database.session() as session:
        audited = (await session.execute(select(AuditEntry.actor, AuditEntry.action))).all()
    # "forget me" is audited; nothing else a member can click is.
    assert {tuple(row) for row in audited} <= {(MEMBER, "forget_me"), ("U999", "forget_me")}
    async with harness.bot.services.database.session() as session:
        evaluation_after = await session.get(Evaluation, ids["evaluation"])
        submission = await session.get(Submission, ids["submission"])
        job_after = await session.get(Job, job.id)
    assert evaluation_after is not None
    assert evaluation_after.feedback is None, "someone else's feedback button changed it"
    assert submission is not None
    assert submission.status == "done"
    assert job_after is not None
    assert job_after.attempts == job.attempts, "retried by another user"
