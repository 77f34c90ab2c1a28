"""Request signing beyond tests/handlers/test_security.py (forged, unsigned, stale):
a valid signature replayed with another body or timestamp, timestamps from the future or
not numbers, signatures of the wrong scheme — all 401, none recorded, none crashing.
An identical replay inside the window is answered, but the event id makes it a no-op."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes import slack_signing as signing
from tests.handlers.harness import SIGNING_SECRET, Harness
from tests.handlers.memos import STRONG
from tests.hostile.support import MEMBER, ErrorLog, assert_healthy, table_counts


async def _raw_post(harness: Harness, body: bytes, content_type: str, **headers: str) -> int:
    response = await harness.http.post(
        f"{harness.url}/slack/events", data=body, headers={"Content-Type": content_type, **headers}
    )
    return response.status


def _replays(body: bytes, other_body: bytes) -> dict[str, tuple[bytes, dict[str, str]]]:
    """(body, headers) pairs that reuse a genuine signature of ``body`` somehow wrongly
    (``other_body``: another request of the same kind)."""
    genuine = signing.sign(body, SIGNING_SECRET)
    now = int(genuine["X-Slack-Request-Timestamp"])
    return {
        "body changed": (body.replace(b"U2", b"U1"), genuine),
        "body padded": (body + b" ", genuine),
        "other request's body": (other_body, genuine),
        "timestamp moved": (body, {**genuine, "X-Slack-Request-Timestamp": str(now + 1)}),
        "timestamp not a number": (body, {**genuine, "X-Slack-Request-Timestamp": "now"}),
        "timestamp empty": (body, {**genuine, "X-Slack-Request-Timestamp": ""}),
        "scheme v1": (
            body,
            {**genuine, "X-Slack-Signature": "v1=" + genuine["X-Slack-Signature"][3:]},
        ),
        "signature upper-cased": (
            body,
            {**genuine, "X-Slack-Signature": genuine["X-Slack-Signature"].upper()},
        ),
        "signature only": (body, {"X-Slack-Signature": genuine["X-Slack-Signature"]}),
        "from the future": (body, signing.sign(body, SIGNING_SECRET, now + 6 * 60)),
    }


async def test_a_genuine_signature_does_not_carry_over_to_anything_else(
    hostile_bot: Harness, error_log: ErrorLog
) -> None:
    before = await table_counts(hostile_bot)
    pairs = [
        (signing.slash_command(STRONG, user_id=MEMBER), signing.slash_command("admin help")),
        (
            signing.event_callback(signing.dm_message(STRONG, user=MEMBER)),
            signing.event_callback(signing.dm_message("forget me", user=MEMBER)),
        ),
        (
            signing.view_submission("memo_modal", user=MEMBER),
            signing.view_submission("rubric_edit", user=MEMBER),
        ),
    ]
    for (body, content_type), (other, _) in pairs:
        for name, (sent, headers) in _replays(body, other).items():
            assert await _raw_post(hostile_bot, sent, content_type, **headers) == 401, name
    assert await table_counts(hostile_bot) == before
    assert [c.method for c in hostile_bot.slack.calls if c.method != "auth.test"] == []
    assert hostile_bot.bot.services.work_available.is_set() is False
    assert error_log.crashes() == []
    await assert_healthy(hostile_bot)


async def test_an_identical_replay_of_an_event_is_a_no_op(hostile_bot: Harness) -> None:
    """Signatures cannot stop a byte-for-byte replay within five minutes (HTTPS does);
    the event id makes a replayed memo the same memo."""
    body, content_type = signing.event_callback(signing.dm_message(STRONG, user=MEMBER))
    headers: dict[str, Any] = signing.sign(body, SIGNING_SECRET)
    for _ in range(3):
        assert await _raw_post(hostile_bot, body, content_type, **headers) == 200
    await hostile_bot.settled()
    counts = await table_counts(hostile_bot)
    assert (counts["submissions"], counts["evaluations"]) == (1, 1)


async def test_the_window_is_five_minutes_either_way(hostile_bot: Harness) -> None:
    body, content_type = signing.slash_command("help", user_id=MEMBER)
    now = int(time.time())
    for offset, expected in ((-4 * 60, 200), (4 * 60, 200), (-6 * 60, 401), (6 * 60, 401)):
        headers = signing.sign(body, SIGNING_SECRET, now + offset)
        assert await _raw_post(hostile_bot, body, content_type, **headers) == expected, offset
