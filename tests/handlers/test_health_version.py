"""/health names the running version: pyproject.toml's, the one `memo-coach --version`
prints and the image labels carry, so a deploy can be checked against what was shipped."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.handlers.harness import Harness

ROOT = Path(__file__).resolve().parents[2]


async def test_health_reports_the_pyproject_version(harness: Harness) -> None:
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    async with harness.http.get(f"{harness.url}/health") as health:
        assert health.status == 200
        body = await health.json()
    assert body["status"] == "ok"
    assert body["version"] == expected
