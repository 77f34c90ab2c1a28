"""The form `/memo-coach` opens when run without text: paste a memo, optionally say
who it is for. Ids are constants so the view_submission handler reads the same ones."""

from __future__ import annotations

from typing import Any

from bot.rendering.escape import escape_mrkdwn, truncate

MEMO_MODAL_CALLBACK = "memo_modal"
MEMO_BLOCK = "memo_block"
MEMO_ACTION = "memo_input"
AUDIENCE_BLOCK = "audience_block"
AUDIENCE_ACTION = "audience_input"

MODAL_MEMO_MAX_LENGTH = 3000
"""Slack's cap for a plain_text_input."""
AUDIENCE_MAX_LENGTH = 200
MAX_PRIVATE_METADATA = 3000
MAX_MODAL_ERROR = 150
"""Slack cuts longer inline errors short; we truncate cleanly ourselves."""


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def memo_modal_view(*, private_metadata: str = "") -> dict[str, Any]:
    """The `views.open` payload. ``private_metadata`` (e.g. the channel to answer in)
    comes back with the submission; it must fit Slack's 3,000 characters."""
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError(f"private_metadata is longer than {MAX_PRIVATE_METADATA} characters")
    return {
        "type": "modal",
        "callback_id": MEMO_MODAL_CALLBACK,
        "title": _plain("Memo Coach"),
        "submit": _plain("Coach my memo"),
        "close": _plain("Cancel"),
        "private_metadata": private_metadata,
        "blocks": [
            {
                "type": "input",
                "block_id": MEMO_BLOCK,
                "label": _plain("Your memo"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": MEMO_ACTION,
                    "multiline": True,
                    "max_length": MODAL_MEMO_MAX_LENGTH,
                    "placeholder": _plain("Paste your memo here."),
                },
                "hint": _plain(
                    "Slack caps this field at 3,000 characters. For a longer memo, share it "
                    "as a file (.docx, .pdf, .txt or .md) in a DM with Memo Coach."
                ),
            },
            {
                "type": "input",
                "block_id": AUDIENCE_BLOCK,
                "optional": True,
                "label": _plain("Audience and purpose"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": AUDIENCE_ACTION,
                    "max_length": AUDIENCE_MAX_LENGTH,
                    "placeholder": _plain("e.g. Leadership team — approve the Q3 hiring plan"),
                },
                "hint": _plain("Who will read it and what you need from them."),
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "Your feedback arrives privately in your DMs with Memo Coach.",
                    }
                ],
            },
        ],
    }


def _value(values: dict[str, Any], block_id: str, action_id: str) -> str:
    block = values.get(block_id)
    field = block.get(action_id) if isinstance(block, dict) else None
    value = field.get("value") if isinstance(field, dict) else None
    return value if isinstance(value, str) else ""


def read_memo_modal(view_state_values: dict[str, Any]) -> tuple[str, str | None]:
    """``(memo, audience)`` from ``view["state"]["values"]``; a missing or blank
    audience is None. Tolerates missing keys (Slack omits untouched optional inputs)."""
    memo = _value(view_state_values, MEMO_BLOCK, MEMO_ACTION).strip()
    audience = " ".join(_value(view_state_values, AUDIENCE_BLOCK, AUDIENCE_ACTION).split())
    return memo, audience or None


def memo_modal_errors(message: str) -> dict[str, Any]:
    """The view_submission response that shows ``message`` under the memo field."""
    text = escape_mrkdwn(" ".join(message.split())) or "Please check your memo."
    return {"response_action": "errors", "errors": {MEMO_BLOCK: truncate(text, MAX_MODAL_ERROR)}}
