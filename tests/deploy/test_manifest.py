"""manifest.yml is valid against Slack's official schema and wires what the bot listens to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def test_valid_against_slack_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.exists():
        pytest.fail(
            f"Slack's manifest schema is missing at {SCHEMA} (shared/ sits beside the repo)"
        )
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(manifest)


def test_slash_command_and_shortcut(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/memo-coach"
    assert command["should_escape"] is True
    assert command["usage_hint"]
    (shortcut,) = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", "coach_memo")


def test_least_privilege_scopes_and_events(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    required = {
        "commands",
        "chat:write",
        "im:history",
        "im:read",
        "im:write",
        "files:read",
        "files:write",  # progress chart uploads and admin exports
        "users:read",
        "app_mentions:read",
    }
    assert required <= scopes
    assert scopes - required <= {"channels:history"}
    assert not any(s.endswith(":write.public") or s.startswith("admin") for s in scopes)
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {
        "app_home_opened",
        "app_mention",
        "file_shared",
        "message.channels",
        "message.im",
    }
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"]
    assert home["messages_tab_enabled"]
