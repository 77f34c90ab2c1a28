"""Bodies that are not Slack payloads, and signed payloads missing what the listeners
need: each is refused cleanly (400 before anything is read, or 200 and ignored), never
with a 500, a traceback, a post or a database change. Regression tests for what the
fuzzers in test_fuzz_requests.py found."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy.exc import DBAPIError

from bot.rendering.evaluation import ACTION_HELPFUL
from bot.rendering.forget_me import ACTION_FORGET_ME_CANCEL, ACTION_FORGET_ME_CONFIRM
from bot.rendering.notices import ACTION_RETRY_SUBMISSION
from bot.web import MAX_SLACK_BODY
from storage.models import User
from storage.repositories.submissions import create_submission
from storage.repositories.users import upsert_user
from tests.fakes import slack_signing as signing
from tests.handlers.harness import SIGNING_SECRET, Harness
from tests.handlers.memos import STRONG
from tests.hostile.support import (
    FORM,
    JSON,
    MEMBER,
    ErrorLog,
    assert_healthy,
    interactive,
    table_counts,
    unpack_interactive,
)

UNREADABLE = [
    (b"payload=notjson", FORM),
    (b"payload=%5B%5D", FORM),  # payload=[]
    (b"payload=null", FORM),
    (b"[]", JSON),
    (b"null", JSON),
    (b'"text"', JSON),
    (b"{", JSON),
    (b"\xff\xfe\x00garbage", JSON),
    (json.dumps({"type": "event_callback", "authorizations": [None]}).encode(), JSON),
    (json.dumps({"type": "event_callback", "authorizations": 5}).encode(), JSON),
    (json.dumps({"type": "event_callback", "event": None}).encode(), JSON),
    (json.dumps({"type": "event_callback", "event": ["message"]}).encode(), JSON),
]


def _without(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != key}


def _click(action_id: str, value: str | None = "1", **changes: Any) -> dict[str, Any]:
    payload = unpack_interactive(signing.block_actions(action_id, value, user=MEMBER))
    return {**payload, **changes}


def _unusable() -> dict[str, signing.Payload]:
    """Signed payloads Slack would never send, each missing or twisting one field."""
    click = _click(ACTION_HELPFUL)
    form = unpack_interactive(signing.view_submission("memo_modal", user=MEMBER))
    shortcut = unpack_interactive(signing.message_shortcut(user=MEMBER))
    dm = signing.dm_message(STRONG, user=MEMBER)
    long_id = "U" + "9" * 80
    return {
        "click without user": interactive(_without(click, "user")),
        "click with user as text": interactive({**click, "user": MEMBER}),
        "click with no actions": interactive({**click, "actions": []}),
        "click with team id object": interactive({**click, "team": {"id": {"x": 1}}}),
        "form without user": interactive(_without(form, "user")),
        "form without state": interactive({**form, "view": _without(form["view"], "state")}),
        "shortcut without user": interactive(_without(shortcut, "user")),
        "shortcut with message text list": interactive(
            {**shortcut, "message": {**shortcut["message"], "text": ["a"]}}
        ),
        "shortcut with file ids too long": interactive(
            {**shortcut, "message": {**shortcut["message"], "files": [{"id": "F" * 99}]}}
        ),
        "command without user": (
            urlencode({"command": "/memo-coach", "text": "help", "team_id": "T1"}).encode(),
            FORM,
        ),
        "command from a too-long user id": signing.slash_command(STRONG, user_id=long_id),
        "command in a too-long channel id": signing.slash_command(STRONG, channel_id=long_id),
        "dm with a too-long ts": signing.event_callback({**dm, "ts": "1" * 40}),
        "dm in a too-long channel": signing.event_callback({**dm, "channel": "D" + "1" * 80}),
        "dm from a too-long user": signing.event_callback({**dm, "user": long_id}),
        "dm with a too-long event id": signing.event_callback(dm, event_id="Ev" * 40),
        "dm with a too-long team id": signing.event_callback(dm, team_id="T" * 80),
        "dm with files not a list": signing.event_callback({**dm, "files": "F1"}),
        "dm with user object": signing.event_callback({**dm, "user": {"id": MEMBER}}),
    }


async def test_unreadable_bodies_are_400_even_unsigned(
    hostile_bot: Harness, error_log: ErrorLog
) -> None:
    """Bolt reads the body before it checks the signature, so anyone can send these."""
    url = f"{hostile_bot.url}/slack/events"
    for body, content_type in UNREADABLE:
        unsigned = await hostile_bot.http.post(
            url, data=body, headers={"Content-Type": content_type}
        )
        assert unsigned.status == 400, body
        assert await unsigned.json() == {"error": "malformed request"}
        status, _ = await signing.post_signed(
            hostile_bot.http, url, body, content_type, SIGNING_SECRET
        )
        assert status == 400, body
    too_big = b'{"type": "event_callback", "x": "' + b"x" * MAX_SLACK_BODY + b'"}'
    status, _ = await hostile_bot.post((too_big, JSON))
    assert status == 413
    assert error_log.crashes() == []
    assert hostile_bot.slack.calls_to("chat.postMessage") == []
    await assert_healthy(hostile_bot)


async def test_unusable_payloads_are_acknowledged_and_ignored(
    bot_on_each_database: Harness, error_log: ErrorLog
) -> None:
    harness = bot_on_each_database
    before = await table_counts(harness)
    for name, payload in _unusable().items():
        status, body = await harness.post(payload)
        assert (status, body) == (200, ""), name
    assert error_log.crashes() == []
    ignored = [r for r in error_log.records if r.name == "bot.request_shape"]
    assert len(ignored) == len(_unusable())
    assert STRONG[:40] not in error_log.text()
    assert await table_counts(harness) == before
    assert [c.method for c in harness.slack.calls if c.method != "auth.test"] == []
    await assert_healthy(harness)


@pytest.mark.parametrize(
    "value", ["\u00b2", "\u0663", "9" * 19, "18446744073709551616", "-1", " 1", "1.0"]
)
async def test_button_values_that_are_not_row_ids_are_ignored(
    hostile_bot: Harness, error_log: ErrorLog, value: str
) -> None:
    """ "²".isdigit() is true and 10**19 overflows a BIGINT: neither may reach the query."""
    for action_id in (ACTION_HELPFUL, ACTION_RETRY_SUBMISSION):
        status, _ = await hostile_bot.post(interactive(_click(action_id, value)))
        assert status == 200
    assert error_log.crashes() == []


async def test_forget_me_clicks_from_outside_our_message_delete_nothing(
    hostile_bot: Harness, error_log: ErrorLog
) -> None:
    """The confirmation message always carries a response_url; a click without one did not
    come from it, and deleting without being able to confirm would be silent."""
    await hostile_bot.command(STRONG, user_id=MEMBER)
    await hostile_bot.settled()
    before = await table_counts(hostile_bot)
    for action_id in (ACTION_FORGET_ME_CONFIRM, ACTION_FORGET_ME_CANCEL):
        click = _without(_click(action_id, "confirm"), "response_url")
        status, _ = await hostile_bot.post(interactive(click))
        assert status == 200
    assert await table_counts(hostile_bot) == before
    assert error_log.crashes() == []


async def test_file_shared_for_a_file_slack_no_longer_has(
    hostile_bot: Harness, error_log: ErrorLog
) -> None:
    """files.info answers file_not_found when the file was deleted right after sharing."""
    status, _ = await hostile_bot.event(signing.file_shared_event("FGONE", user=MEMBER))
    assert status == 200
    assert error_log.crashes() == []
    assert hostile_bot.slack.calls_to("files.info")[0].response == {
        "ok": False,
        "error": "file_not_found",
    }


async def test_database_errors_do_not_put_memo_text_in_logs(
    bot_on_each_database: Harness,
) -> None:
    """SQLAlchemy prints a failed statement's parameters in the error message, which is
    logged; the engine hides them, so a memo in an INSERT never reaches the logs."""
    marker = "Quokka memo text that must stay private"
    database = bot_on_each_database.bot.services.database

    async def store() -> None:
        async with database.transaction() as session:
            user: User = await upsert_user(session, MEMBER, team_id="T1")
            await create_submission(
                session,
                user=user,
                source="not-a-source",  # type: ignore[arg-type]  # breaks a CHECK constraint
                memo_text=marker,
                status="queued",
            )

    with pytest.raises(DBAPIError) as failure:
        await store()
    assert marker not in str(failure.value)
    assert "hide_parameters" in str(failure.value)
