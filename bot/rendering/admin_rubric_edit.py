"""The `admin rubric edit` form: one number field per criterion, each hint showing the
saved weight and the running sum, so an admin sees the total reach 100 as they type.

The form remembers which rubric version it was opened for (``private_metadata``), so a
submission made after someone else changed the rubric is refused, not applied on top.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.rendering.escape import truncate
from evaluation.rubric import TOTAL_WEIGHT, Rubric

RUBRIC_EDIT_CALLBACK = "rubric_edit"
WEIGHT_ACTION = "rubric_weight"
BLOCK_PREFIX = "weight__"
MAX_LABEL = 2000
MAX_HINT = 2000
MAX_ERROR = 150


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def weight_block_id(key: str) -> str:
    return f"{BLOCK_PREFIX}{key}"


def _hint(saved: int, total: int | None) -> str:
    if total is None:
        running = "Some fields are empty or not whole numbers."
    elif total == TOTAL_WEIGHT:
        running = f"All weights sum to {total} ✓"
    else:
        running = f"All weights sum to {total}; they must sum to {TOTAL_WEIGHT}."
    return truncate(f"Saved weight: {saved}. {running}", MAX_HINT)


def rubric_edit_view(
    rubric: Rubric, version: int, typed: Mapping[str, int | None] | None = None
) -> dict[str, Any]:
    """The modal; ``typed`` (weights read from the open form) updates the running sum."""
    weights: dict[str, int | None] = {c.key: c.weight for c in rubric.criteria}
    weights.update(typed or {})
    numbers = [w for w in weights.values() if w is not None]
    total = sum(numbers) if len(numbers) == len(weights) else None
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Rubric v{version}: whole numbers from 1 to 100 that sum to "
                    f"{TOTAL_WEIGHT}. Saving makes a new rubric version, live at once.",
                }
            ],
        }
    ]
    for criterion in rubric.criteria:
        blocks.append(
            {
                "type": "input",
                "block_id": weight_block_id(criterion.key),
                "dispatch_action": True,
                "label": _plain(truncate(f"{criterion.name} ({criterion.key})", MAX_LABEL)),
                "hint": _plain(_hint(criterion.weight, total)),
                "element": {
                    "type": "number_input",
                    "action_id": WEIGHT_ACTION,
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(TOTAL_WEIGHT),
                    "initial_value": str(criterion.weight),
                    "dispatch_action_config": {"trigger_actions_on": ["on_character_entered"]},
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": RUBRIC_EDIT_CALLBACK,
        "title": _plain("Rubric weights"),
        "submit": _plain("Save weights"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"version": version}),
        "blocks": blocks,
    }


def opened_version(private_metadata: str) -> int | None:
    """The rubric version the form was opened for."""
    try:
        version = json.loads(private_metadata).get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, int) else None


def read_weights(values: Mapping[str, Any], rubric: Rubric) -> dict[str, int | None]:
    """Each criterion's typed weight; None when empty or not a whole number."""
    weights: dict[str, int | None] = {}
    for criterion in rubric.criteria:
        block = values.get(weight_block_id(criterion.key)) or {}
        field = block.get(WEIGHT_ACTION) if isinstance(block, dict) else None
        raw = field.get("value") if isinstance(field, dict) else None
        try:
            weights[criterion.key] = int(str(raw).strip())
        except ValueError:
            weights[criterion.key] = None
    return weights


def rubric_edit_errors(block_id: str, message: str) -> dict[str, Any]:
    """The view_submission answer that shows ``message`` under one field and keeps the
    form open (nothing is saved)."""
    return {"response_action": "errors", "errors": {block_id: truncate(message, MAX_ERROR)}}
