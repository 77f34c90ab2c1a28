"""Refuse Slack payloads whose fields have shapes the listeners cannot use.

Slack always sends a user id with a command, a list of actions with a click, a view
state with a form; the listeners rely on that. A signed payload without them (a Slack
change, or someone holding the signing secret) would make a listener raise, answer 500
and have Slack retry it. This middleware runs first, after the signature check, and
acknowledges such a payload without acting on it: 200 with an empty body (so Slack
neither retries an event nor shows the user an error), and a warning naming the field,
never its value. Ids and timestamps longer than their database columns are refused the
same way (PostgreSQL would refuse the insert).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.response import BoltResponse

from bot.bolt_middleware import BodyMiddleware, Next
from storage.models import SLACK_ID, TS

log = logging.getLogger(__name__)

MAX_ROW_ID_DIGITS = 18
"""Button values are our own row ids; more digits than a BIGINT holds is not one."""
MAX_ID = SLACK_ID.length or 64
MAX_TS = TS.length or 32

_INTERACTIVE = frozenset(
    {"block_actions", "view_submission", "view_closed", "message_action", "shortcut"}
)
_HANDLED_EVENTS = frozenset({"message", "app_mention", "file_shared", "app_home_opened"})
_EVENT_IDS = ("user", "channel", "user_id", "channel_id", "file_id")
_EVENT_TIMESTAMPS = ("ts", "thread_ts")
_EVENT_TEXTS = ("text", "subtype", "channel_type", "bot_id", "tab")


def _type(payload: dict[str, Any]) -> str | None:
    kind = payload.get("type")
    return kind if isinstance(kind, str) else None


def row_id(value: object) -> int | None:
    """A database id carried in a button's value ("42"), or None for anything else."""
    digits = isinstance(value, str) and value.isascii() and value.isdigit()
    if digits and len(str(value)) <= MAX_ROW_ID_DIGITS:
        return int(str(value))
    return None


def _optional_text(container: dict[str, Any], *keys: str, max_length: int = 0) -> str | None:
    """The first key whose value is present but not a string (or a longer one than
    ``max_length``, when given)."""
    for key in keys:
        value = container.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or (max_length and len(value) > max_length):
            return key
    return None


def _id_of(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    user_id = value.get("id")
    return isinstance(user_id, str) and 0 < len(user_id) <= MAX_ID


def _optional_object(container: dict[str, Any], key: str) -> bool:
    return container.get(key) is None or isinstance(container[key], dict)


def _files_problem(files: Any) -> bool:
    if files is None:
        return False
    if not isinstance(files, list) or not all(isinstance(item, dict) for item in files):
        return True
    return any(_optional_text(item, "id", max_length=MAX_ID) for item in files)


def _command_problem(body: dict[str, Any]) -> str | None:
    if not isinstance(body.get("user_id"), str) or not body["user_id"]:
        return "user_id"
    if problem := _optional_text(body, "user_id", "team_id", "channel_id", max_length=MAX_ID):
        return problem
    return _optional_text(body, "text", "trigger_id", "response_url")


def _view_problem(view: Any, *, submitted: bool) -> str | None:
    """A submitted form must carry its state; a click in a view may omit it."""
    if not isinstance(view, dict):
        return "view"
    state = view.get("state")
    if (submitted or state is not None) and not (
        isinstance(state, dict) and isinstance(state.get("values"), dict)
    ):
        return "view.state.values"
    return _optional_text(view, "id", "hash", "private_metadata", "callback_id")


def _interactive_problem(body: dict[str, Any]) -> str | None:
    if not _id_of(body.get("user")):
        return "user.id"
    for key in ("team", "channel"):
        if not _optional_object(body, key) or _optional_text(
            body.get(key) or {}, "id", max_length=MAX_ID
        ):
            return f"{key}.id"
    if problem := _optional_text(body, "trigger_id", "response_url", "callback_id"):
        return problem
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "actions[].action_id"
        if body.get("view") is not None:
            return _view_problem(body["view"], submitted=False)
    if kind in ("view_submission", "view_closed"):
        return _view_problem(body.get("view"), submitted=kind == "view_submission")
    if kind == "message_action":
        message = body.get("message")
        if not isinstance(message, dict):
            return "message"
        if problem := _optional_text(message, "text"):
            return f"message.{problem}"
        if _files_problem(message.get("files")):
            return "message.files"
    return None


def _event_problem(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if not isinstance(event, dict) or _type(event) not in _HANDLED_EVENTS:
        return None  # Bolt answers 404 "unhandled request" itself
    if problem := _optional_text(body, "team_id", "event_id", max_length=MAX_ID):
        return problem
    for keys, limit in ((_EVENT_IDS, MAX_ID), (_EVENT_TIMESTAMPS, MAX_TS), (_EVENT_TEXTS, 0)):
        if problem := _optional_text(event, *keys, max_length=limit):
            return f"event.{problem}"
    if _files_problem(event.get("files")):
        return "event.files"
    return None


def envelope_problem(body: Any) -> str | None:
    """What Bolt's own middleware (the signature check, authorization), which runs
    before ours, would raise on: checked by the HTTP server before dispatching."""
    if not isinstance(body, dict):
        return "body"
    if "event" in body and not isinstance(body["event"], dict):
        return "event"
    return None


def shape_problem(body: Any) -> str | None:
    """The first field a listener would trip over, or None when the payload is usable."""
    if not isinstance(body, dict):
        return "body"
    if "command" in body:
        return _command_problem(body)
    if _type(body) == "event_callback":
        return _event_problem(body)
    if _type(body) in _INTERACTIVE:
        return _interactive_problem(body)
    return None


class RequireUsableShape(BodyMiddleware):
    """Acknowledge, and otherwise ignore, payloads :func:`shape_problem` refuses."""

    async def around(self, body: dict[str, Any], next: Next) -> BoltResponse | None:
        problem = shape_problem(body)
        if problem is None:
            return await next()
        kind = _type(body) if isinstance(body, dict) else None
        log.warning("ignored a Slack payload with an unusable %s (type %.32r)", problem, kind)
        return BoltResponse(status=200, body="")
