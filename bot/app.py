"""Assemble the Bolt app: one Web API client (SLACK_API_URL, retry handlers), request
verification in HTTP mode, and listeners that finish before Slack gets its response —
they only write to the database, so a crash before the response makes Slack retry."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.request_metrics import ObserveRequests
from bot.request_shape import RequireUsableShape
from bot.services import Services
from handlers import register_listeners

log = logging.getLogger(__name__)


def build_app(services: Services) -> AsyncApp:
    settings = services.runtime.settings
    secret = settings.slack_signing_secret
    app = AsyncApp(
        client=services.client,
        signing_secret=secret.get_secret_value() if secret else None,
        request_verification_enabled=settings.mode == "http",
        process_before_response=True,
        logger=logging.getLogger("slack_bolt"),
    )
    app.middleware(RequireUsableShape())  # first: listeners only see usable payloads
    app.middleware(ObserveRequests())
    app.middleware(services.acks)
    register_listeners(app, services)
    return app
