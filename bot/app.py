"""Assemble the Bolt app: one Web API client (SLACK_API_URL, retry handlers), request
verification in HTTP mode, and listeners that finish before Slack gets its response —
they only write to the database, so a crash before the response makes Slack retry."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.bolt_middleware import ObservedApp
from bot.request_metrics import ObserveRequests
from bot.request_shape import RequireUsableShape
from bot.services import Services
from handlers import register_listeners

log = logging.getLogger(__name__)


def build_app(services: Services) -> AsyncApp:
    settings = services.runtime.settings
    secret = settings.slack_signing_secret
    bolt_log = logging.getLogger("slack_bolt")
    with _without(bolt_log, warning_client_prioritized_and_token_skipped()):
        app = ObservedApp(
            observers=(ObserveRequests(), services.acks),
            client=services.client,
            signing_secret=secret.get_secret_value() if secret else None,
            request_verification_enabled=settings.mode == "http",
            process_before_response=True,
            logger=bolt_log,
        )
    app.middleware(RequireUsableShape())  # listeners only see usable payloads
    register_listeners(app, services)
    return app


@contextlib.contextmanager
def _without(logger: logging.Logger, message: str) -> Iterator[None]:
    """Drop one known-false warning: Bolt reads SLACK_BOT_TOKEN from the environment
    even when given a client, then warns that the token "will be unused", at every
    start. The client it is given carries that very token (``bot.slack_client``)."""

    def keep(record: logging.LogRecord) -> bool:
        return record.getMessage() != message

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)
