"""Drive a Bolt app over HTTP exactly as Slack does: signed requests with Slack's payloads.

Builders return ``(body, content_type)`` so they splat into :func:`post_signed`:

    status, text = await post_signed(session, url, *slash_command("review"), SECRET)
    status, text = await post_signed(url, *event_callback(dm_message("hi")), SECRET)

Slash commands and interactivity payloads are form-encoded (interactivity as one
``payload=<json>`` field); Events API requests are JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated field Slack still sends
API_APP_ID = "A1"
BOT_USER_ID = "UBOT"
TEAM_DOMAIN = "fake-workspace"
RESPONSE_URL = "http://127.0.0.1:9/commands/T1/1/fake"  # refused; use FakeSlack.new_response_url()

Payload = tuple[bytes, str]
Event = dict[str, Any]

_micros = itertools.count(int(time.time() * 1_000_000))


def sign(body: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 scheme: ``v0=`` + hex HMAC-SHA256(secret, ``v0:{timestamp}:{body}``)."""
    raw = body.encode() if isinstance(body, str) else body
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), b"v0:%d:%s" % (ts, raw), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def new_ts() -> str:
    """A unique, increasing Slack message timestamp near now."""
    micros = next(_micros)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def new_trigger_id() -> str:
    return f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def new_event_id() -> str:
    return "Ev" + secrets.token_hex(5).upper()


def _form(fields: dict[str, Any]) -> Payload:
    return urlencode(fields).encode(), FORM


def _interactive(payload: dict[str, Any]) -> Payload:
    return _form({"payload": json.dumps(payload)})


def _user(user: str, team_id: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


# requests


def slash_command(
    text: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    command: str = "/memo-coach",
    team_id: str = "T1",
    trigger_id: str | None = None,
    response_url: str = RESPONSE_URL,
    *,
    channel_name: str = "general",
) -> Payload:
    """A slash command invocation, form-encoded as Slack sends it."""
    return _form(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else channel_name,
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def event_callback(
    event: Event,
    event_id: str | None = None,
    team_id: str = "T1",
    *,
    event_time: int | None = None,
) -> Payload:
    """An Events API envelope around ``event`` (JSON), with the bot's authorization."""
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time or int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(8)}",
    }
    return json.dumps(body).encode(), JSON


def url_verification(challenge: str) -> Payload:
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode(), JSON


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    user: str = "U1",
    channel: str | None = "C1",
    message: Event | None = None,
    view: dict[str, Any] | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    team_id: str = "T1",
    trigger_id: str | None = None,
    response_url: str = RESPONSE_URL,
    **action_fields: Any,
) -> Payload:
    """A click in a message (default) or, with ``view``, in a modal/App Home.

    ``action_fields`` are merged into the action (e.g. ``selected_option={...}``).
    """
    action = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": new_ts(),
        **({"value": value} if value is not None else {}),
        **action_fields,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
        payload["view"] = view
    else:
        message = message or {"type": "message", "user": BOT_USER_ID, "ts": new_ts(), "text": ""}
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel, "name": "general"}
        payload["message"] = message
        payload["response_url"] = response_url
    return _interactive(payload)


def view_submission(
    callback_id: str,
    values: dict[str, Any] | None = None,
    *,
    user: str = "U1",
    private_metadata: str = "",
    view_id: str = "V1",
    team_id: str = "T1",
    trigger_id: str | None = None,
    response_urls: list[dict[str, str]] | None = None,
) -> Payload:
    """A modal submit; ``values`` is ``view.state.values`` ({block_id: {action_id: {...}}})."""
    view: dict[str, Any] = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values or {}},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": "Memo Coach"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": API_APP_ID,
        "external_id": "",
        "bot_id": "BBOT",
    }
    return _interactive(
        {
            "type": "view_submission",
            "team": _team(team_id),
            "user": _user(user, team_id),
            "api_app_id": API_APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id or new_trigger_id(),
            "view": view,
            "response_urls": response_urls or [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )


def message_shortcut(
    callback_id: str = "coach_memo",
    message: str | Event = "Please approve the Q3 budget.",
    channel: str = "C1",
    user: str = "U1",
    *,
    team_id: str = "T1",
    trigger_id: str | None = None,
    response_url: str = RESPONSE_URL,
) -> Payload:
    """A message shortcut ("More actions" menu); a str ``message`` becomes one by ``user``."""
    if isinstance(message, str):
        message = {"type": "message", "user": user, "text": message, "ts": new_ts()}
    return _interactive(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": new_ts(),
            "team": _team(team_id),
            "user": _user(user, team_id),
            "channel": {"id": channel, "name": "general"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or new_trigger_id(),
            "response_url": response_url,
            "message_ts": message["ts"],
            "message": message,
        }
    )


# event dicts (wrap with event_callback)


def _rich_text(text: str) -> list[dict[str, Any]]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": secrets.token_hex(3), "elements": [section]}]


def dm_message(
    text: str, user: str = "U1", channel: str | None = None, ts: str | None = None
) -> Event:
    """A direct message to the bot (``channel`` defaults to the DM ``"D" + user``)."""
    ts = ts or new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel or f"D{user}",
        "team": "T1",
        "client_msg_id": secrets.token_hex(16),
        "blocks": _rich_text(text) if text else [],
    }


def file_share_message(
    files: list[dict[str, Any]],
    user: str = "U1",
    channel: str | None = None,
    ts: str | None = None,
    text: str = "",
) -> Event:
    """A message with attachments (subtype ``file_share``); pass ``FakeSlack.add_file`` objects."""
    channel = channel or f"D{user}"
    ts = ts or new_ts()
    return {
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "files": files,
        "upload": False,
        "user": user,
        "display_as_bot": False,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "channel_type": "im" if channel.startswith("D") else "channel",
        "team": "T1",
        "client_msg_id": secrets.token_hex(16),
    }


def file_shared_event(file_id: str, user: str = "U1", channel: str | None = None) -> Event:
    return {
        "type": "file_shared",
        "channel_id": channel or f"D{user}",
        "file_id": file_id,
        "user_id": user,
        "file": {"id": file_id},
        "event_ts": new_ts(),
    }


def app_mention(
    text: str,
    user: str = "U1",
    channel: str = "C1",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> Event:
    """An @-mention; the ``<@UBOT>`` prefix is added as Slack renders it."""
    ts = ts or new_ts()
    full = f"<@{BOT_USER_ID}> {text}"
    event = {
        "type": "app_mention",
        "user": user,
        "text": full,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "team": "T1",
        "client_msg_id": secrets.token_hex(16),
        "blocks": _rich_text(full),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened(user: str = "U1", tab: str = "home", view: Event | None = None) -> Event:
    event: Event = {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": tab,
        "event_ts": new_ts(),
    }
    if view is not None:
        event["view"] = view
    return event


# transport


async def post_signed(
    session_or_url: aiohttp.ClientSession | str | None,
    url: str | bytes,
    body: bytes | str,
    content_type: str | None = None,
    secret: str | None = None,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> tuple[int, str]:
    """POST ``body`` signed like Slack; returns (status, text).

    Call as ``post_signed(session, url, body, content_type, secret)`` or, with a
    throwaway session, ``post_signed(url, body, content_type, secret)``.
    """
    if isinstance(session_or_url, str):
        session: aiohttp.ClientSession | None = None
        url, body, content_type, secret = session_or_url, url, str(body), content_type
    else:
        session = session_or_url
    if not isinstance(url, str) or content_type is None or secret is None:
        raise TypeError("post_signed needs url, body, content_type and secret")
    raw = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": content_type, **sign(raw, secret, timestamp)}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        headers["X-Slack-Retry-Reason"] = retry_reason
    if session is None:
        async with aiohttp.ClientSession() as own:
            return await _post(own, url, raw, headers)
    return await _post(session, url, raw, headers)


async def _post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str]:
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()
