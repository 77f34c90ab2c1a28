"""Rubric and prompt YAML for the admin tests, built from the bundled defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from config.bundle import DEFAULTS_DIR

DEFAULT_RUBRIC_TEXT = (DEFAULTS_DIR / "rubric.yaml").read_text(encoding="utf-8")
DEFAULT_PROMPT_TEXT = (DEFAULTS_DIR / "prompt.yaml").read_text(encoding="utf-8")
NEW_CRITERION = "Audience fit"
PROMPT_MARKER = "Always end with one sentence of encouragement."


def default_rubric() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_RUBRIC_TEXT)
    return data


def rubric_yaml(change: Callable[[dict[str, Any]], None] | None = None) -> str:
    data = default_rubric()
    if change is not None:
        change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def with_audience_fit(data: dict[str, Any]) -> None:
    """Adds a criterion (weight 10) and takes 10 from "risks" so the sum stays 100."""
    for criterion in data["criteria"]:
        if criterion["key"] == "risks":
            criterion["weight"] -= 10
    data["criteria"].append(
        {
            "key": "audience_fit",
            "name": NEW_CRITERION,
            "weight": 10,
            "description": "Written for its reader: their knowledge, their decision.",
            "levels": {level: f"Audience fit level {level}." for level in range(1, 6)},
        }
    )


def with_negative_weight(data: dict[str, Any]) -> None:
    data["criteria"][1]["weight"] = -5


def prompt_yaml(*, marker: bool = True, delimiters: bool = True) -> str:
    data: dict[str, str] = yaml.safe_load(DEFAULT_PROMPT_TEXT)
    if marker:
        data["system"] = data["system"].replace("{rubric}", f"{PROMPT_MARKER}\n\n{{rubric}}")
    if not delimiters:
        data["memo_template"] = data["memo_template"].replace("<memo>", "").replace("</memo>", "")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
