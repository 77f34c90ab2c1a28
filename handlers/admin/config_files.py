"""A rubric or prompt shared as a YAML file in a DM with the bot.

A DM file share is a config file when a file is named .yaml/.yml, or when the message
says `rubric` or `prompt` (then any file). Only admins may send one (the same
``is_admin`` check as every admin command); anyone else is refused and the file is not
treated as a memo. The file is downloaded with the usual limits, validated with the
models behind config/*.yaml, and either becomes a new live version (the reply lists what
changed) or is refused with every problem named; the live version stays either way.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import is_admin
from bot.config_service import PROMPT, RUBRIC, Document, import_document, live_version
from bot.rendering import SlackMessage
from bot.rendering.admin_config_files import (
    render_config_file_refused,
    render_download_failed,
    render_not_a_config,
)
from bot.rendering.admin_versions import render_change, render_config_errors
from bot.services import Services
from bot.slack_files import download_slack_file
from config.yaml_files import MAX_YAML_BYTES, ConfigError, parse_yaml
from evaluation.errors import ExtractionError
from handlers.admin.uploads import after_ack
from handlers.command_words import strip_mentions

CONFIG_EXTENSIONS = (".yaml", ".yml")
DOCUMENTS: dict[str, Document[Any]] = {"rubric": RUBRIC, "prompt": PROMPT}


def _named_kind(text: str) -> str | None:
    """ "rubric" or "prompt" when that is what the message says."""
    word = " ".join(strip_mentions(text).lower().split()).strip(" .!:")
    return word if word in DOCUMENTS else None


def is_config_file(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or file.get("title") or "").lower()
    return name.endswith(CONFIG_EXTENSIONS)


def is_config_share(event: dict[str, Any]) -> bool:
    """Whether a DM's files are a rubric or prompt upload rather than a memo."""
    files = event.get("files") or []
    if not files:
        return False
    return _named_kind(str(event.get("text") or "")) is not None or any(
        isinstance(f, dict) and is_config_file(f) for f in files
    )


def _sniff_kind(data: bytes, name: str) -> str | None:
    """Which document a YAML file holds, judged by its top-level keys."""
    top = parse_yaml(data, name)
    if not isinstance(top, dict):
        return None
    if "criteria" in top:
        return "rubric"
    if "system" in top or "memo_template" in top:
        return "prompt"
    return None


async def _apply(
    services: Services, user: str, file: dict[str, Any], named: str | None
) -> list[SlackMessage]:
    name = str(file.get("name") or file.get("title") or "config.yaml")
    settings = services.runtime.settings
    try:
        data = await download_slack_file(
            file,
            token=services.bot_token,
            allowed_hosts=settings.file_hosts,
            max_bytes=MAX_YAML_BYTES,
            http=services.http,
        )
    except ExtractionError as exc:
        return [render_download_failed(exc.user_message)]
    try:
        kind = named or _sniff_kind(data, name)
    except ConfigError as exc:  # not YAML at all: neither document can be judged
        return render_config_errors(exc, "configuration", None)
    if kind is None:
        return [render_not_a_config(name)]
    document = DOCUMENTS[kind]
    try:
        change = await import_document(
            services.database, document, data, file_name=name, author=user, via="Slack"
        )
    except ConfigError as exc:
        live = await live_version(services.database, document)
        return render_config_errors(exc, kind, live.version)
    return render_change(change, source=name)


async def _reply(
    client: AsyncWebClient, event: dict[str, Any], messages: list[SlackMessage]
) -> None:
    for message in messages:
        await client.chat_postMessage(
            channel=event["channel"], thread_ts=event["ts"], **message.payload()
        )


async def handle_config_share(
    services: Services, client: AsyncWebClient, event: dict[str, Any]
) -> None:
    """Refuse non-admins at once; apply an admin's file after Slack has its answer."""
    user = str(event["user"])
    if not await is_admin(services, user):
        await _reply(client, event, [render_config_file_refused()])
        return
    named = _named_kind(str(event.get("text") or ""))
    files = [f for f in event.get("files") or [] if isinstance(f, dict)]
    if not files:
        return
    file = next((f for f in files if is_config_file(f)), files[0])

    async def apply_and_reply() -> None:
        await _reply(client, event, await _apply(services, user, file, named))

    after_ack(apply_and_reply(), what="config file")
