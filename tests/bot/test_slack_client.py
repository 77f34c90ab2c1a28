"""make_web_client against the loopback fake: SLACK_API_URL, token and retry policy."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_client import make_web_client
from config.settings import Settings
from tests.fakes.fake_slack import FakeSlack

TOKEN = "xoxb-client-test"


class RecordingInterval(FixedValueRetryIntervalCalculator):
    """Tiny back-off, and a record of which attempts were retried."""

    def __init__(self) -> None:
        super().__init__(0.01)
        self.attempts: list[int] = []

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        self.attempts.append(current_attempt)
        return self.fixed_interval


def settings_for(api_url: str, token: str | None = TOKEN) -> Settings:
    return Settings(
        _env_file=None,
        slack_api_url=api_url,
        slack_bot_token=SecretStr(token) if token else None,
    )


def fast_retries(client: AsyncWebClient) -> RecordingInterval:
    recorder = RecordingInterval()
    for handler in client.retry_handlers:
        handler.interval_calculator = recorder
    return recorder


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


async def test_uses_slack_api_url_and_bot_token(slack: FakeSlack) -> None:
    client = make_web_client(settings_for(slack.api_url.rstrip("/")))
    assert client.base_url == slack.api_url
    assert client.token == TOKEN
    assert (await client.auth_test())["user_id"] == slack.bot_user_id
    [call] = slack.calls_to("auth.test")
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_explicit_token_overrides_the_bot_token(slack: FakeSlack) -> None:
    client = make_web_client(settings_for(slack.api_url, token=None), token="xoxb-installed")
    assert client.token == "xoxb-installed"
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await client.auth_test()
    assert slack.calls_to("auth.test")[0].headers["Authorization"] == "Bearer xoxb-installed"


def test_retry_handlers_cover_rate_limits_connections_and_server_errors() -> None:
    client = make_web_client(settings_for("https://slack.example/api"))
    kinds = {type(handler) for handler in client.retry_handlers}
    assert kinds == {
        AsyncRateLimitErrorRetryHandler,
        AsyncConnectionErrorRetryHandler,
        AsyncServerErrorRetryHandler,
    }
    assert 0 < client.timeout <= 60


async def test_rate_limit_waits_for_retry_after_then_succeeds(slack: FakeSlack) -> None:
    client = make_web_client(settings_for(slack.api_url))
    slack.fail_next("chat.postMessage", retry_after=1)
    response = await client.chat_postMessage(channel="C1", text="hello")
    assert response["ok"]
    first, second = slack.calls_to("chat.postMessage")
    assert first.status == 429
    assert second.status == 200
    assert second.at - first.at >= 1.0


async def test_server_errors_are_retried_then_succeed(slack: FakeSlack) -> None:
    client = make_web_client(settings_for(slack.api_url))
    recorder = fast_retries(client)
    slack.fail_next("conversations.open", status=500)
    slack.fail_next("conversations.open", status=503)
    response = await client.conversations_open(users="U1")
    assert response["channel"]["id"] == "DU1"
    assert [c.status for c in slack.calls_to("conversations.open")] == [500, 503, 200]
    assert recorder.attempts == [0, 1]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_connection_errors_are_retried_then_raise() -> None:
    client = make_web_client(settings_for(f"http://127.0.0.1:{_closed_port()}/api/"))
    recorder = fast_retries(client)
    with pytest.raises(aiohttp.ClientConnectorError):
        await client.auth_test()
    assert recorder.attempts == [0, 1]
