"""The `memo-coach` command line: one sub-command per job, each a thin wrapper over a
service so the CLI, the Slack app and tests share the same code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot import commands

Handler = Callable[[argparse.Namespace], int]


def _version() -> str:
    try:
        return version("memo-coach")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memo-coach", description="Memo Coach: feedback on business memos, in Slack."
    )
    parser.add_argument("--version", action="version", version=f"memo-coach {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the Slack bot (Socket Mode or HTTP mode)")
    run.set_defaults(handler=commands.run)

    demo = sub.add_parser(
        "demo", help="evaluate the bundled example memo offline and show it as Slack would"
    )
    demo.set_defaults(handler=commands.demo)

    evaluate = sub.add_parser("evaluate", help="evaluate a memo file and store the result")
    evaluate.add_argument("file", type=Path, help=".txt, .md, .docx or .pdf")
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON")
    evaluate.add_argument("--user", default="local", help="whose progress it counts for")
    evaluate.add_argument("--audience", help="who the memo is for and what it should achieve")
    evaluate.add_argument(
        "--offline", action="store_true", help="use the offline evaluator even with an API key"
    )
    evaluate.add_argument("--no-store", action="store_true", help="do not save the result")
    evaluate.set_defaults(handler=commands.evaluate)

    progress = sub.add_parser("progress", help="show a user's progress over time")
    progress.add_argument("--user", default="local")
    progress.add_argument("--json", action="store_true", help="print the summary as JSON")
    progress.set_defaults(handler=commands.progress)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_sub.add_parser("upgrade", help="apply database migrations").set_defaults(
        handler=commands.db_upgrade
    )

    config = sub.add_parser("config", help="configuration files")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    validate = config_sub.add_parser("validate", help="validate rubric/prompt/llm/coach YAML")
    validate.add_argument(
        "directory", nargs="?", type=Path, help="directory with YAML files (default: built-in)"
    )
    validate.set_defaults(handler=commands.config_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `memo-coach evaluate x --json | head` is fine
        sys.stderr.close()
        return 0
    except commands.CommandError as exc:
        print(f"memo-coach: {exc}", file=sys.stderr)
        return exc.exit_code
