"""`memo-coach backup [--dest DIR]` and `memo-coach restore FILE`: thin wrappers over
bot.maintenance, which the scheduler calls too."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.backup_files import BackupError, InvalidBackup
from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.database_lock import DatabaseBusy
from bot.maintenance import restore_backup, run_backup
from bot.runtime import Runtime, StartupError, load_runtime


def _runtime() -> Runtime:
    try:
        return load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc


def backup(args: argparse.Namespace) -> int:
    runtime = _runtime()
    try:
        made = run_backup(runtime.settings, runtime.config.coach.backup, args.dest)
    except BackupError as exc:
        raise CommandError(f"backup failed: {exc}") from exc
    if isinstance(made, str):
        raise CommandError(made)
    keep = runtime.config.coach.backup.keep
    print(f"backup written: {made} ({made.stat().st_size:,} bytes; keeping the newest {keep})")
    return 0


def restore(args: argparse.Namespace) -> int:
    runtime = _runtime()
    try:
        restored = asyncio.run(restore_backup(runtime.settings, args.file))
    except InvalidBackup as exc:
        raise CommandError(f"{args.file} was not restored: {exc}") from exc
    except DatabaseBusy as exc:
        raise CommandError(f"refusing to restore: {exc}") from exc
    except BackupError as exc:
        raise CommandError(f"restore failed: {exc}") from exc
    if isinstance(restored, str):
        raise CommandError(restored)
    print(f"restored {args.file} (schema {restored.revision}) into {restored.database}")
    if restored.previous is not None:
        print(f"the database it replaced is kept as {restored.previous}")
    print("start the bot: it applies any newer migrations first")
    return 0


def add_parser(sub: Subparsers) -> None:
    backup_parser = sub.add_parser(
        "backup", help="back up the database (SQLite copy, or pg_dump on PostgreSQL)"
    )
    backup_parser.add_argument(
        "--dest", type=Path, help="directory for the backup (default: coach.yaml backup.dest)"
    )
    backup_parser.set_defaults(handler=backup)
    restore_parser = sub.add_parser(
        "restore", help="replace the database with a backup (stop the bot first)"
    )
    restore_parser.add_argument("file", type=Path, help="a .db.gz or .pgdump file from backup")
    restore_parser.set_defaults(handler=restore)
