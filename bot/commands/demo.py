"""`memo-coach demo`: the whole coaching job on embedded defaults — no Slack, no API key."""

from __future__ import annotations

import argparse
import asyncio
import sys
from importlib.resources import files

from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.rendering import render_evaluation
from bot.rendering.preview import render_preview
from config.bundle import ConfigErrors, load_config
from evaluation.limits import check_memo
from evaluation.memo import Memo, RubricVersion
from evaluation.offline import OfflineEvaluator

EXAMPLE_MEMO = "example_memo.md"


def example_memo_text() -> str:
    return files("evaluation").joinpath("data", EXAMPLE_MEMO).read_text(encoding="utf-8")


def demo(args: argparse.Namespace) -> int:
    try:
        config = load_config()
    except ConfigErrors as exc:  # the bundled defaults are tested; this means a broken install
        raise CommandError(f"the built-in configuration is invalid:\n{exc}") from exc
    memo = Memo(text=check_memo(example_memo_text(), config.coach.memo))
    outcome = asyncio.run(OfflineEvaluator().evaluate(memo, RubricVersion(config.rubric, 1)))
    ansi = sys.stdout.isatty()
    print("Memo Coach demo: the bundled example memo, scored offline (no Slack, no API key).")
    print("Everything below the line is the thread reply as it appears in Slack.\n")
    print("\n".join("    " + line for line in memo.text.strip().splitlines()))
    print("\n" + "━" * 88 + "\n")
    print(render_preview(render_evaluation(outcome.result, evaluation_id=1), ansi=ansi))
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser(
        "demo", help="evaluate the bundled example memo offline and show it as Slack would"
    )
    parser.set_defaults(handler=demo)
