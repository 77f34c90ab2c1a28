""".env.example documents every setting with its real default, and every variable the
compose files read; nothing else, so a typo or a removed setting is caught."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic.fields import FieldInfo

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def _documented() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = ENTRY.match(line)
        if match:
            name, value = match.groups()
            assert name not in entries, f"{name} is listed twice"
            entries[name] = value
    return entries


def _default_as_written(field: FieldInfo) -> str:
    default: Any = field.get_default(call_default_factory=True)
    if default is None:
        return ""
    if hasattr(default, "get_secret_value"):
        return str(default.get_secret_value())
    return str(default)


def _compose_variables() -> set[str]:
    found: set[str] = set()
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        found |= set(COMPOSE_VARIABLE.findall((ROOT / name).read_text()))
    return found


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    documented = _documented()
    variable = name.upper()
    assert variable in documented, f"{variable} is missing from .env.example"
    assert documented[variable] == _default_as_written(Settings.model_fields[name])


def test_every_compose_variable_is_documented() -> None:
    missing = _compose_variables() - set(_documented())
    assert not missing, f"add {sorted(missing)} to .env.example"


def test_nothing_unknown_is_documented() -> None:
    known = {name.upper() for name in Settings.model_fields} | _compose_variables()
    unknown = set(_documented()) - known
    assert not unknown, f"{sorted(unknown)} in .env.example is neither a setting nor used"


def test_the_example_loads_as_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cp .env.example .env` must not break start-up (empty values are valid)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.port == 3000
    assert not settings.slack_bot_token
    assert settings.mode == "http"  # no app token yet
