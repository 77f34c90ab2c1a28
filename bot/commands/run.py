"""`memo-coach run`: the Slack bot (Socket Mode or HTTP mode), logging JSON lines to
stdout at LOG_LEVEL."""

from __future__ import annotations

import argparse

from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.logging_setup import configure_logging
from bot.runners import run_event_loop, serve
from bot.runtime import StartupError, load_runtime


def run(args: argparse.Namespace) -> int:
    try:
        runtime = load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc
    configure_logging(runtime.settings.log_level)
    try:
        run_event_loop(serve(runtime))
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("run", help="run the Slack bot (Socket Mode or HTTP mode)")
    parser.set_defaults(handler=run)
