"""A stand-in for the `docker` command, enough to run the deploy script of
.github/workflows/deploy.yml here (no Docker engine runs on our machines).

It keeps the containers of the compose project in a JSON state file and appends every
call's arguments to a log, so a test can check what the script did and in which order.
``docker compose up`` follows Compose's rules that the script relies on: a missing
replica gets the next number after the highest existing one, ``--no-recreate`` leaves
existing containers alone, and a plain ``up`` recreates only the containers whose image
is not the current ``MEMO_COACH_IMAGE``.

Usage: python fake_docker.py ARGS... with FAKE_DOCKER_STATE and FAKE_DOCKER_LOG set.
State keys: ``containers`` (name -> {"number", "image"}), ``replicas``, ``fail`` (steps
that exit 1: "pull", "migrate", "pg_dump"), ``new_health`` (health of containers running
the image being deployed), ``ready`` (what /ready answers), ``postgres_running``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

PROJECT = "memo-coach"


def _up(state: dict[str, Any], args: list[str]) -> None:
    image = os.environ["MEMO_COACH_IMAGE"]
    containers: dict[str, dict[str, Any]] = state["containers"]
    if "--no-recreate" not in args:
        for container in containers.values():
            container["image"] = image
    while len(containers) < state["replicas"]:
        number = max((c["number"] for c in containers.values()), default=0) + 1
        containers[f"{PROJECT}-bot-{number}"] = {"number": number, "image": image}


def _compose(state: dict[str, Any], args: list[str]) -> int:
    while args and args[0] == "-f":
        args = args[2:]
    command, rest = args[0], args[1:]
    if command == "ps":
        if state.get("postgres_running", True):
            print("0123456789ab")
    elif command == "exec" and "pg_dump" in rest:
        if "pg_dump" in state["fail"]:
            return 1
        print("PGDMP-fake")
    elif command == "run" and rest[-1] == "migrate":
        return 1 if "migrate" in state["fail"] else 0
    elif command == "up":
        _up(state, rest)
    else:
        print(f"fake docker: unexpected compose {args}", file=sys.stderr)
        return 99
    return 0


def _inspect(state: dict[str, Any], template: str, name: str) -> int:
    container = state["containers"].get(name)
    if container is None:
        print(f"Error: No such object: {name}", file=sys.stderr)
        return 1
    if ".Config.Image" in template:
        print(container["image"])
    elif "Health" in template:
        new = container["image"] == os.environ.get("MEMO_COACH_IMAGE")
        print(state.get("new_health", "healthy") if new else "healthy")
    return 0


def _image_inspect(state: dict[str, Any], template: str, image: str) -> int:
    if "org.opencontainers.image.version" in template:
        print(state.get("version_label", "1.2.3"))
    elif "RepoDigests" in template:
        print(f"{image.rsplit(':', 1)[0]}@sha256:{'ab' * 32}")
    return 0


def run(state: dict[str, Any], args: list[str]) -> int:
    command, rest = args[0], args[1:]
    if command == "compose":
        return _compose(state, rest)
    if command == "pull":
        return 1 if "pull" in state["fail"] else 0
    if command == "image" and rest[0] == "inspect":
        return _image_inspect(state, rest[rest.index("--format") + 1], rest[-1])
    if command == "ps":
        for name, container in reversed(state["containers"].items()):
            print(f"{container['number']} {name}")
        return 0
    if command == "inspect":
        return _inspect(state, rest[rest.index("--format") + 1], rest[-1])
    if command in ("stop", "rm"):
        if command == "rm":
            del state["containers"][rest[-1]]
        return 0
    if command == "exec":
        ready = state.get("ready", True)
        print(json.dumps({"ready": ready, "database": "ok"}))
        return 0 if ready else 1
    if command == "logs":
        return 0
    print(f"fake docker: unexpected {args}", file=sys.stderr)
    return 99


def main() -> int:
    state_file = Path(os.environ["FAKE_DOCKER_STATE"])
    state: dict[str, Any] = json.loads(state_file.read_text())
    args = sys.argv[1:]
    with Path(os.environ["FAKE_DOCKER_LOG"]).open("a") as log:
        log.write(json.dumps(args) + "\n")
    status = run(state, args)
    state_file.write_text(json.dumps(state))
    return status


if __name__ == "__main__":
    sys.exit(main())
