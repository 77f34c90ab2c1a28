"""Data safety, one entry point per job, shared by the CLI and the scheduler:
``run_backup``, ``restore_backup``, ``purge_old_memo_texts`` and ``sqlite_warning``.

``run_backup`` blocks (file copies, pg_dump): from the event loop, call it with
``await asyncio.to_thread(run_backup, settings, coach.backup)``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.backup_files import BackupError, InvalidBackup
from bot.database_lock import lock_postgres, sqlite_file
from bot.pg_backup import backup_postgres, restore_command, run_pg_restore, verify_dump
from bot.sqlite_backup import RestoredDatabase, backup_sqlite, restore_sqlite
from config.coach import Backup
from config.settings import Settings
from storage.db import Database, is_sqlite
from storage.migrate import current_revision
from storage.repositories.retention import purge_memo_texts
from storage.types import utcnow

log = logging.getLogger(__name__)

SQLITE_WAL_RESET_FIXED = (3, 51, 3)

__all__ = [
    "BackupError",
    "InvalidBackup",
    "RestoredDatabase",
    "purge_old_memo_texts",
    "restore_backup",
    "run_backup",
    "sqlite_warning",
]


def run_backup(settings: Settings, backup: Backup, dest: Path | None = None) -> Path | str:
    """Back up the configured database into ``dest`` (default ``backup.dest``), keeping
    the newest ``backup.keep``. Returns the new file, or, on PostgreSQL without
    pg_dump, the exact command to run instead. Raises BackupError when it fails."""
    destination = dest or backup.dest
    url = settings.database_url
    if is_sqlite(url):
        database_file = sqlite_file(url)
        if database_file is None:
            raise BackupError("an in-memory database cannot be backed up")
        return backup_sqlite(database_file, destination, backup.keep)
    return backup_postgres(url, destination, backup.keep)


async def restore_backup(settings: Settings, archive: Path) -> RestoredDatabase | str:
    """Replace the configured database with ``archive`` after verifying it. Refused
    (DatabaseBusy) while a bot runs against the database; InvalidBackup for a bad file.
    On PostgreSQL without pg_restore, returns the exact command to run instead."""
    url = settings.database_url
    if is_sqlite(url):
        database_file = sqlite_file(url)
        if database_file is None:
            raise BackupError("an in-memory database cannot be restored")
        return await asyncio.to_thread(restore_sqlite, archive, database_file)
    verify_dump(archive)
    if shutil.which("pg_restore") is None:
        return (
            "pg_restore was not found, so nothing was restored. Stop every bot, then run "
            "this where the PostgreSQL client tools are installed:\n"
            f"  {restore_command(url, archive).shown()}"
        )
    database = Database(url)
    try:
        lock = await lock_postgres(database, exclusive=True)
        try:
            await asyncio.to_thread(run_pg_restore, url, archive)
        finally:
            await lock.release()
    finally:
        await database.dispose()
    revision = str(await current_revision(url))
    log.info("database restored", extra={"archive": str(archive), "revision": revision})
    shown = make_url(url).render_as_string(hide_password=True)
    return RestoredDatabase(shown, revision, None)


async def purge_old_memo_texts(database: Database, retention_days: int) -> int:
    """Null memo texts older than ``retention_days`` (coach.yaml retention.memo_text_days);
    scores and feedback stay. Returns how many memos were purged."""
    older_than = utcnow() - timedelta(days=retention_days)
    async with database.transaction() as session:
        purged = await purge_memo_texts(session, older_than)
    log.info("memo texts purged", extra={"purged": purged, "retention_days": retention_days})
    return purged


def sqlite_warning(version: str = sqlite3.sqlite_version) -> str | None:
    """Why this SQLite library is risky, or None when it has the WAL-reset fix."""
    try:
        parsed = tuple(int(part) for part in version.split(".")[:3])
    except ValueError:
        return None
    if parsed >= SQLITE_WAL_RESET_FIXED:
        return None
    fixed = ".".join(map(str, SQLITE_WAL_RESET_FIXED))
    return (
        f"SQLite {version} is older than {fixed}, which fixed a WAL-reset bug that can "
        "corrupt a database written by several connections at once; run one replica, "
        "back up nightly, or use PostgreSQL"
    )
