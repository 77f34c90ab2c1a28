"""`memo-coach progress [--user U]`: a user's scores over time, in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict

from bot.bootstrap import open_database
from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.rendering.progress_text import progress_as_text
from bot.runtime import StartupError, load_runtime
from storage.repositories.progress import UserProgress, user_progress
from storage.repositories.users import get_user_by_slack_id


async def _progress(user_id: str) -> UserProgress | None:
    try:
        runtime = load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc
    database = await open_database(runtime)
    try:
        async with database.session() as session:
            user = await get_user_by_slack_id(session, user_id)
            return None if user is None else await user_progress(session, user.id)
    finally:
        await database.dispose()


def progress(args: argparse.Namespace) -> int:
    summary = asyncio.run(_progress(args.user))
    if summary is None or summary.memo_count == 0:
        if args.json:
            print(json.dumps({"user": args.user, "memo_count": 0}))
            return 0
        print(f"No memos evaluated yet for '{args.user}'. Try: memo-coach evaluate MEMO.md")
        return 0
    if args.json:
        print(json.dumps({"user": args.user, **asdict(summary)}, default=str, indent=2))
        return 0
    print(progress_as_text(args.user, summary))
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("progress", help="show a user's progress over time")
    parser.add_argument("--user", default="local")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(handler=progress)
