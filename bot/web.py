"""The HTTP server on PORT: Slack's request URL (HTTP mode) plus /health, /ready and
/metrics (both modes), so orchestrators and Prometheus see every replica the same way."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.metrics import REGISTRY
from bot.request_shape import envelope_problem

ReadinessCheck = Callable[[], Awaitable[dict[str, Any]]]
BeforeScrape = Callable[[], Awaitable[None]]
EVENTS_PATH = "/slack/events"
MAX_SLACK_BODY = 1024 * 1024
MALFORMED = (ValueError, TypeError, LookupError, AttributeError)
"""What Bolt raises while reading a body that is not a Slack payload (not JSON, not an
object, odd ``authorizations``…)."""

log = logging.getLogger(__name__)


def build_web_app(
    *,
    bolt_app: AsyncApp | None,
    readiness: ReadinessCheck,
    version: str,
    before_scrape: BeforeScrape | None = None,
) -> web.Application:
    app = web.Application(client_max_size=MAX_SLACK_BODY)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt_app is not None
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit()):
            # Bolt's check would raise on it (int()) and answer 500: it is simply unsigned.
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
            problem = envelope_problem(bolt_request.body)
        except MALFORMED as exc:
            problem = type(exc).__name__
        if problem is not None:
            # Bolt parses the body before it checks the signature: this is anyone's input,
            # so refuse it cleanly rather than answer 500 with a traceback in the logs.
            log.warning("refused a malformed Slack request (%s)", problem)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(await bolt_app.async_dispatch(bolt_request))

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": version})

    async def ready(_: web.Request) -> web.Response:
        report = await readiness()
        return web.json_response(report, status=200 if report.get("ready") else 503)

    async def metrics(_: web.Request) -> web.Response:
        if before_scrape is not None:
            await before_scrape()  # e.g. job counts read from the database
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    if bolt_app is not None:
        app.router.add_post(EVENTS_PATH, slack_events)
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics)
    return app
