"""Requests not signed by Slack, or replayed later than five minutes, are refused."""

from __future__ import annotations

import time

from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG


async def test_forged_signature_is_401_and_records_nothing(harness: Harness) -> None:
    body, content_type = signing.slash_command(STRONG)
    status, _ = await signing.post_signed(
        harness.http, f"{harness.url}/slack/events", body, content_type, "wrong-secret"
    )
    assert status == 401
    unsigned = await harness.http.post(
        f"{harness.url}/slack/events", data=body, headers={"Content-Type": content_type}
    )
    assert unsigned.status == 401
    assert harness.slack.calls_to("chat.postMessage") == []
    assert harness.bot.services.work_available.is_set() is False


async def test_stale_timestamp_is_401(harness: Harness) -> None:
    status, _ = await harness.post(
        signing.slash_command(STRONG), timestamp=int(time.time()) - 6 * 60
    )
    assert status == 401
    status, _ = await harness.post(signing.slash_command("help"), timestamp=int(time.time()) - 60)
    assert status == 200


async def test_health_ready_and_metrics(harness: Harness) -> None:
    health = await harness.http.get(f"{harness.url}/health")
    assert health.status == 200
    assert (await health.json())["status"] == "ok"
    ready = await harness.http.get(f"{harness.url}/ready")
    report = await ready.json()
    assert ready.status == 200
    assert report["database"] == "ok"
    assert report["slack"] == "ok"
    await harness.command("help")
    metrics = await (await harness.http.get(f"{harness.url}/metrics")).text()
    assert 'memo_coach_slack_requests_total{type="command"}' in metrics


async def test_ready_is_503_when_slack_rejects_the_token(harness: Harness) -> None:
    harness.slack.fail_next("auth.test", error="invalid_auth", times=5)
    harness.bot._auth = (0.0, False, "expired")
    ready = await harness.http.get(f"{harness.url}/ready")
    assert ready.status == 503
    assert "invalid_auth" in (await ready.json())["slack"]
