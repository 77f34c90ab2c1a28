"""`memo-coach db upgrade`: apply migrations (what the `migrate` service runs)."""

from __future__ import annotations

import argparse
import asyncio

from bot.bootstrap import open_database
from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.runtime import StartupError, load_runtime
from storage.migrate import current_revision


async def _upgrade() -> str | None:
    try:
        runtime = load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc
    database = await open_database(runtime)
    await database.dispose()
    return await current_revision(runtime.settings.database_url)


def db_upgrade(args: argparse.Namespace) -> int:
    revision = asyncio.run(_upgrade())
    print(f"database is at revision {revision} (rubric and prompt seeded)")
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("db", help="database maintenance")
    db_sub = parser.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_sub.add_parser("upgrade", help="apply database migrations").set_defaults(handler=db_upgrade)
