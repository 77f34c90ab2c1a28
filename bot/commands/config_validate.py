"""`memo-coach config validate [DIR]`: check the YAML files before they go live."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.parsers import Subparsers
from config.bundle import ConfigErrors, config_sources, load_config


def config_validate(args: argparse.Namespace) -> int:
    sources = config_sources(args.directory)
    try:
        bundle = load_config(args.directory)
    except ConfigErrors as exc:
        failed = {error.file for error in exc.errors}
        for name, path in sources.items():
            if name not in failed:
                print(f"ok     {name}  ({path})")
        for error in exc.errors:
            print(f"ERROR  {error.file}  ({sources.get(error.file, error.file)})")
            for problem in error.problems:
                print(f"       - {problem}")
        return 1
    for name, path in sources.items():
        print(f"ok     {name}  ({path})")
    weights = ", ".join(f"{c.key} {c.weight}" for c in bundle.rubric.criteria)
    print(f"rubric '{bundle.rubric.name}': {len(bundle.rubric.criteria)} criteria ({weights})")
    print(f"model {bundle.llm.model}; fallback {bundle.llm.fallback}")
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("config", help="configuration files")
    actions = parser.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    validate = actions.add_parser("validate", help="validate rubric/prompt/llm/coach YAML")
    validate.add_argument(
        "directory", nargs="?", type=Path, help="directory with YAML files (default: built-in)"
    )
    validate.set_defaults(handler=config_validate)
