"""`memo-coach rubric import FILE`: make a rubric YAML file the live rubric version,
with the same validation, history and audit as an upload in Slack."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from pathlib import Path

from bot.bootstrap import open_database
from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.config_service import RUBRIC, VersionChange, import_document
from bot.runtime import StartupError, load_runtime
from config.yaml_files import MAX_YAML_BYTES, ConfigError


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise CommandError(f"{path} is larger than the {MAX_YAML_BYTES:,} bytes allowed")
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


async def _import(path: Path, author: str) -> VersionChange:
    try:
        runtime = load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc
    data = _read(path)
    database = await open_database(runtime)
    try:
        return await import_document(
            database, RUBRIC, data, file_name=path.name, author=author, via="command line"
        )
    except ConfigError as exc:
        problems = "\n".join(f"  - {problem}" for problem in exc.problems)
        raise CommandError(f"{exc.file} was not imported:\n{problems}") from exc
    finally:
        await database.dispose()


def rubric_import(args: argparse.Namespace) -> int:
    change = asyncio.run(_import(args.file, args.author or f"cli:{getpass.getuser()}"[:64]))
    if not change.changed:
        print(f"no change: {args.file.name} equals the live rubric (v{change.current})")
        return 0
    print(f"rubric v{change.current} is live (was v{change.previous})")
    for line in change.changes or ["only formatting changed"]:
        print(f"  - {line}")
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("rubric", help="rubric versions")
    actions = parser.add_subparsers(dest="rubric_command", required=True, metavar="ACTION")
    imported = actions.add_parser("import", help="make a rubric YAML file the live version")
    imported.add_argument("file", type=Path, help="a rubric .yaml file")
    imported.add_argument("--author", help="recorded in the history (default: cli:<login>)")
    imported.set_defaults(handler=rubric_import)
