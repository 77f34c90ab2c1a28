"""The HTTP server on PORT: Slack's request URL (HTTP mode) plus /health, /ready and
/metrics (both modes), so orchestrators and Prometheus see every replica the same way."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.metrics import ACK_SECONDS, REGISTRY, SLACK_REQUESTS

ReadinessCheck = Callable[[], Awaitable[dict[str, Any]]]
EVENTS_PATH = "/slack/events"
MAX_SLACK_BODY = 1024 * 1024


def request_type(body: str) -> str:
    """A coarse label for metrics: command, event, or the interactive payload type."""
    if body.startswith("{"):
        try:
            return "event" if json.loads(body).get("type") == "event_callback" else "other"
        except ValueError:
            return "invalid"
    form = parse_qs(body, max_num_fields=100)
    if "command" in form:
        return "command"
    if "payload" in form:
        try:
            return str(json.loads(form["payload"][0]).get("type", "other"))[:32]
        except ValueError:
            return "invalid"
    return "other"


def build_web_app(
    *, bolt_app: AsyncApp | None, readiness: ReadinessCheck, version: str
) -> web.Application:
    app = web.Application(client_max_size=MAX_SLACK_BODY)

    async def slack_events(request: web.Request) -> web.Response:
        assert bolt_app is not None
        started = time.perf_counter()
        bolt_request = await to_bolt_request(request)
        SLACK_REQUESTS.labels(type=request_type(bolt_request.raw_body)).inc()
        response = await to_aiohttp_response(await bolt_app.async_dispatch(bolt_request))
        ACK_SECONDS.observe(time.perf_counter() - started)
        return response

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": version})

    async def ready(_: web.Request) -> web.Response:
        report = await readiness()
        return web.json_response(report, status=200 if report.get("ready") else 503)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    if bolt_app is not None:
        app.router.add_post(EVENTS_PATH, slack_events)
    app.router.add_get("/health", health)
    app.router.add_get("/ready", ready)
    app.router.add_get("/metrics", metrics)
    return app
