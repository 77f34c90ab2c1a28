"""Socket Mode end to end: the real bot dials the fake's websocket with the app token, and
envelopes pushed down it are acked and coached exactly like their HTTP twins."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import WSCloseCode
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.runners import RunningBot, start_bot
from bot.runtime import load_runtime
from tests.fakes import slack_signing as signing
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, Harness, write_config
from tests.handlers.memos import STRONG

APP_TOKEN = "xapp-test"  # FakeSlack's default app token


@pytest.fixture
def socket_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> None:
    """harness.running_bot's environment, but Socket Mode: an app token, no signing secret."""
    monkeypatch.chdir(tmp_path)
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "SLACK_FILE_HOSTS": "127.0.0.1",
        "MEMO_COACH_MODE": "socket",
        "DATABASE_URL": database_url,
        "MEMO_COACH_CONFIG_DIR": str(write_config(tmp_path / "config")),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("SLACK_SIGNING_SECRET", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ADMIN_USER_IDS", raising=False)


async def start_socket_bot() -> RunningBot:
    """start_bot, bounded: the SDK retries a failed connection forever instead of raising."""
    async with asyncio.timeout(10):
        return await start_bot(load_runtime(), host="127.0.0.1", port=0)


@pytest_asyncio.fixture
async def socket_harness(socket_env: None, slack: FakeSlack) -> AsyncIterator[Harness]:
    """The usual Harness (settled(), thread_replies()) around a Socket Mode bot."""
    bot = await start_socket_bot()
    try:
        async with aiohttp.ClientSession() as http:
            yield Harness(bot, slack, http)
    finally:
        await bot.stop(grace=5)


def command(slack: FakeSlack, text: str, **kwargs: Any) -> dict[str, str]:
    """A slash command's form fields as the JSON object Socket Mode carries."""
    body, _ = signing.slash_command(text, response_url=slack.new_response_url(), **kwargs)
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


def event(inner: dict[str, Any]) -> dict[str, Any]:
    """An Events API envelope (event_callback) as the JSON object Socket Mode carries."""
    body, _ = signing.event_callback(inner)
    return dict(json.loads(body))


async def test_app_token_is_checked(slack: FakeSlack) -> None:
    """Only the xapp token opens a connection, so a mixed-up token fails loudly."""
    client = AsyncWebClient(base_url=slack.api_url)
    opened = await client.apps_connections_open(app_token=APP_TOKEN)
    assert str(opened["url"]).startswith(f"ws://127.0.0.1:{slack.port}/socket-mode?")
    for token, error in [(BOT_TOKEN, "not_allowed_token_type"), ("xapp-wrong", "invalid_auth")]:
        with pytest.raises(SlackApiError) as info:
            await client.apps_connections_open(app_token=token)
        assert info.value.response["error"] == error


async def test_the_fake_closes_its_sockets_on_close() -> None:
    """A fake shut down under a live connection says goodbye instead of leaving it dangling."""
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        client = AsyncWebClient(base_url=slack.api_url)
        url = str((await client.apps_connections_open(app_token=APP_TOKEN))["url"])
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(url.replace("ticket=", "ticket=forged"))
        async with http.ws_connect(url) as ws:
            assert (await ws.receive_json())["type"] == "hello"
            await slack.close()
            goodbye = await ws.receive()
        assert (goodbye.type, goodbye.data) == (aiohttp.WSMsgType.CLOSE, WSCloseCode.GOING_AWAY)
        assert slack.socket_close_codes == [WSCloseCode.GOING_AWAY]


async def test_connects_with_the_app_token_and_serves_only_probes(
    socket_harness: Harness,
) -> None:
    """Socket Mode needs no public request URL, but orchestrators still probe PORT."""
    slack = socket_harness.slack
    opened = slack.calls_to("apps.connections.open")
    assert len(opened) == 2  # the start-up check of the app token, then the connection
    for call in opened:
        assert call.headers["Authorization"] == f"Bearer {APP_TOKEN}"
        assert call.response is not None
        assert call.response["ok"]
    await slack.wait_for_open_sockets(1)
    assert slack.socket_connections == 1
    socket_client = socket_harness.bot.socket_handler.client  # type: ignore[union-attr]
    async with asyncio.timeout(5):  # the SDK's first ping came back as a pong
        while socket_client.last_ping_pong_time is None:  # noqa: ASYNC110 - no pong event
            await asyncio.sleep(0.02)
    http, url = socket_harness.http, socket_harness.url
    async with http.get(f"{url}/health") as health:
        assert health.status == 200
    async with http.get(f"{url}/ready") as ready:
        assert ready.status == 200
        assert (await ready.json())["ready"] is True
    async with http.post(f"{url}/slack/events", data=b"{}") as events:
        assert events.status in (404, 405)


async def test_slash_command_memo_is_acked_and_answered_in_a_dm_thread(
    socket_harness: Harness,
) -> None:
    """The ack travels back over the socket; the coaching lands in the user's DM thread."""
    slack = socket_harness.slack
    ack = await slack.socket_send("slash_commands", command(slack, STRONG, channel_id="C1"))
    assert "coaching your memo" in ack["payload"]["text"].lower()
    await socket_harness.settled()
    [feedback] = await slack.wait_for(
        "chat.postMessage", predicate=lambda c: "Memo feedback" in str(c.args.get("text"))
    )
    root = slack.calls_to("chat.postMessage")[0]
    assert root.response is not None
    assert root.response["channel"] == "DU1"
    assert feedback.args["thread_ts"] == root.response["ts"]


async def test_dm_event_is_acked_and_answered_in_its_thread(socket_harness: Harness) -> None:
    """Events are acked with an empty payload, then the memo is coached in its own thread."""
    dm = signing.dm_message(STRONG, user="U1")
    ack = await socket_harness.slack.socket_send("events_api", event(dm))
    assert not ack.get("payload")
    await socket_harness.settled()
    replies = socket_harness.thread_replies("DU1", dm["ts"])
    assert len(replies) >= 2  # status message + at least one feedback part
    assert any("Memo feedback" in str(r.get("text")) for r in replies)


async def test_help_is_the_command_ack(socket_harness: Harness) -> None:
    """Short commands answer in the ack payload itself, as over HTTP."""
    slack = socket_harness.slack
    ack = await slack.socket_send("slash_commands", command(slack, "help"))
    assert "coach this memo" in json.dumps(ack["payload"]).lower()
    async with socket_harness.http.get(f"{socket_harness.url}/metrics") as scrape:
        metrics = await scrape.text()
    assert 'memo_coach_slack_requests_total{type="command"}' in metrics
    assert "memo_coach_ack_seconds_count" in metrics


async def test_stop_closes_the_socket_cleanly(socket_env: None, slack: FakeSlack) -> None:
    """Shutdown says goodbye with a normal close and does not dial back in."""
    bot = await start_socket_bot()
    try:
        await slack.wait_for_open_sockets(1)
        await slack.socket_send("slash_commands", command(slack, "help"))
    finally:
        await bot.stop(grace=5)
    await slack.wait_for_open_sockets(0)
    assert slack.socket_close_codes == [WSCloseCode.OK]
    assert [ack.envelope_type for ack in slack.socket_acks] == ["slash_commands"]
    assert slack.socket_connections == 1
    assert (
        len(slack.calls_to("apps.connections.open")) == 2
    )  # token check + connection; no reconnect


async def test_a_wrong_app_token_fails_fast_with_a_clear_message(
    socket_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-wrong")
    with pytest.raises(RuntimeError, match="SLACK_APP_TOKEN was refused"):
        await asyncio.wait_for(start_bot(load_runtime(), host="127.0.0.1", port=0), 10)
