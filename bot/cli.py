"""The `memo-coach` command line: one sub-command per job, each a thin wrapper over a
service so the CLI, the Slack app and tests share the same code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

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
    for module in commands.COMMAND_MODULES:
        module.add_parser(sub)
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
