"""One version source: ``project.version`` in pyproject.toml. ``memo-coach --version``
prints it (read from the installed metadata), the image carries it in its OCI labels (the
CI workflow reads it from pyproject.toml and passes it as the VERSION build arg, and a
release tag must match it), and CHANGELOG.md has an entry for it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from bot.runners import app_version
from tests.deploy.test_containers import _instructions

ROOT = Path(__file__).resolve().parents[2]
VERSION: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
LABEL_ARGS = {
    "org.opencontainers.image.version": "VERSION",
    "org.opencontainers.image.revision": "REVISION",
    "org.opencontainers.image.created": "CREATED",
    "org.opencontainers.image.source": "SOURCE",
}


def _image_job() -> dict[str, Any]:
    ci: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    job: dict[str, Any] = ci["jobs"]["image"]
    return job


def _step(job: dict[str, Any], *, step_id: str | None = None, uses: str | None = None) -> Any:
    (found,) = [
        s
        for s in job["steps"]
        if (step_id is None or s.get("id") == step_id)
        and (uses is None or str(s.get("uses", "")).startswith(f"{uses}@"))
    ]
    return found


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from + 1 :]


def _run_version_step(tmp_path: Path, ref_type: str, ref_name: str) -> tuple[int, str, str]:
    """Run the image job's version step as GitHub would (bash -eo pipefail)."""
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_REF_TYPE": ref_type,
        "GITHUB_REF_NAME": ref_name,
        "GITHUB_REPOSITORY": "Acme/Memo-Coach",
    }
    script = _step(_image_job(), step_id="version")["run"]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, output.read_text(), done.stdout + done.stderr


def test_the_installed_version_is_pyprojects() -> None:
    assert version("memo-coach") == VERSION, "reinstall the project: make (pip install -e .)"
    assert app_version() == VERSION  # what /health reports


def test_memo_coach_version_prints_it() -> None:
    for command in (
        [sys.executable, "-m", "bot"],
        [str(Path(sys.executable).parent / "memo-coach")],
    ):
        done = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == f"memo-coach {VERSION}"


def test_dockerfile_labels_the_image_with_oci_annotations_from_build_args() -> None:
    final = _final_stage()
    labels: dict[str, str] = {}
    for keyword, arguments in final:
        if keyword == "LABEL":
            labels |= dict(token.split("=", 1) for token in shlex.split(arguments))
    assert labels["org.opencontainers.image.title"] == "memo-coach"
    assert labels["org.opencontainers.image.description"]
    for label, arg in LABEL_ARGS.items():
        assert labels[label] == f"${{{arg}}}", label
    # Declared in the final stage (an ARG is scoped to its stage), after the last RUN and
    # COPY so a new commit or build time does not invalidate the cached layers.
    declared = [i for i, (k, a) in enumerate(final) if k == "ARG"]
    names = {final[i][1].split("=", 1)[0] for i in declared}
    assert set(LABEL_ARGS.values()) <= names
    last_layer = max(i for i, (k, _) in enumerate(final) if k in ("RUN", "COPY"))
    assert min(declared) > last_layer


def test_ci_passes_every_label_build_arg_and_the_version_from_pyproject() -> None:
    job = _image_job()
    build = _step(job, uses="docker/build-push-action")
    build_args = dict(
        line.strip().split("=", 1) for line in build["with"]["build-args"].splitlines() if line
    )
    final_args = {a.split("=", 1)[0] for k, a in _final_stage() if k == "ARG"}
    assert set(build_args) == final_args == set(LABEL_ARGS.values())
    assert build_args["VERSION"] == "${{ steps.version.outputs.version }}"
    assert build_args["REVISION"] == "${{ github.sha }}"
    assert build_args["CREATED"] == "${{ steps.version.outputs.created }}"
    assert build_args["SOURCE"] == "${{ github.server_url }}/${{ github.repository }}"
    assert "pyproject.toml" in _step(job, step_id="version")["run"]


def test_the_version_step_reads_pyproject(tmp_path: Path) -> None:
    status, output, log = _run_version_step(tmp_path, "branch", "main")
    assert status == 0, log
    outputs = dict(line.split("=", 1) for line in output.splitlines())
    assert outputs["version"] == VERSION
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", outputs["created"])
    assert outputs["image"] == "ghcr.io/acme/memo-coach"  # GHCR names are lower case


def test_a_release_tag_must_match_the_version(tmp_path: Path) -> None:
    status, output, log = _run_version_step(tmp_path, "tag", f"v{VERSION}")
    assert status == 0, log
    assert f"version={VERSION}" in output
    status, output, log = _run_version_step(tmp_path, "tag", f"v{VERSION}.1")
    assert status != 0
    assert "does not match pyproject.toml's version" in log
    assert not output


def test_changelog_has_an_unreleased_section_and_an_entry_for_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "https://keepachangelog.com/" in text
    unreleased = text.index("\n## [Unreleased]\n")
    entry = re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d\d-\d\d$", text, re.M)
    assert entry, f"CHANGELOG.md needs a '## [{VERSION}] - YYYY-MM-DD' entry"
    assert unreleased < entry.start()


def test_changelog_uses_keep_a_changelog_headings_only() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    allowed = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert set(re.findall(r"^### (.+)$", text, re.M)) <= allowed
