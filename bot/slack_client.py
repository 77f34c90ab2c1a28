"""The one place Slack Web API clients are made.

Every client the bot uses comes from :func:`make_web_client`, so ``SLACK_API_URL`` (a
proxy, an Enterprise Grid gateway, or the loopback fake in tests) and the retry policy
apply to every call. Bolt copies ``base_url`` and the retry handlers from the app's
client into its per-request clients, so pass ``AsyncApp(client=make_web_client(...))``.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from config.settings import Settings

TIMEOUT_SECONDS = 30
"""Per request; uploads of a few MB still fit, a hung connection does not stall a worker."""

# The SDK counts attempts once per call, across handlers: each limit caps the retries
# of that kind, and a call is never tried more than 1 + the largest limit times.
RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2
SERVER_ERROR_RETRIES = 2


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retries for 429 (waiting ``Retry-After``), dropped connections and HTTP 500/503.

    Timeouts are not retried: the request may have reached Slack, and posting a
    message twice is worse than reporting a failure.
    """
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def make_web_client(
    settings: Settings,
    *,
    token: str | None = None,
    session: aiohttp.ClientSession | None = None,
) -> AsyncWebClient:
    """A client for ``settings.slack_api_url``; ``token`` defaults to the bot token.

    Pass a long-lived ``session`` in the bot: without one slack_sdk opens a new HTTP
    session (and connection) for every call; Bolt's per-request clients reuse it."""
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    base_url = settings.slack_api_url
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
        session=session,
    )
