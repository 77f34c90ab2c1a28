"""SQLite backups: a consistent online copy, checked before it counts, and an atomic
restore that never leaves the database path half-written.

The copy uses SQLite's online backup API, so a running bot keeps working (WAL readers do
not block its writer). The copy is switched to rollback-journal mode so the archive is
one self-contained file; the bot switches it back to WAL when it opens it.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import shutil
import sqlite3
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError as AlembicCommandError

from bot.backup_files import (
    TIMESTAMP_FORMAT,
    BackupError,
    InvalidBackup,
    gunzip_file,
    gzip_file,
    new_backup_path,
    prune_backups,
    publish,
)
from bot.database_lock import lock_file
from storage.migrate import alembic_config

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
ARCHIVE_SUFFIX = ".db.gz"
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class RestoredDatabase:
    database: str
    """The file restored into, or the PostgreSQL URL (password hidden)."""
    revision: str
    previous: Path | None
    """The database that was replaced, kept beside it (None when there was none)."""


def backup_sqlite(database_file: Path, destination: Path, keep: int) -> Path:
    """Copy, check, compress and keep the newest ``keep`` archives; returns the archive."""
    if not database_file.is_file():
        raise BackupError(f"there is no database at {database_file}")
    destination.mkdir(parents=True, exist_ok=True)
    prefix = database_file.stem
    archive = new_backup_path(destination, prefix, ARCHIVE_SUFFIX)
    copy = destination / f".{archive.name}.{uuid.uuid4().hex[:8]}.db"
    packed = copy.with_suffix(".gz.partial")
    try:
        _online_copy(database_file, copy)
        try:
            verify_database_file(copy)
        except InvalidBackup as exc:
            raise BackupError(f"the copy failed its check, nothing kept: {exc}") from exc
        gzip_file(copy, packed)
        publish(packed, archive)
    finally:
        copy.unlink(missing_ok=True)
        packed.unlink(missing_ok=True)
    removed = prune_backups(destination, prefix, ARCHIVE_SUFFIX, keep)
    log.info(
        "backup written",
        extra={"backup": str(archive), "bytes": archive.stat().st_size, "pruned": len(removed)},
    )
    return archive


def _online_copy(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")


def verify_database_file(path: Path) -> str:
    """The file is an intact Memo Coach database this version can open; returns its
    schema revision. Raises ``InvalidBackup`` with the reason otherwise."""
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise InvalidBackup("it is not a SQLite database")
    try:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise InvalidBackup(f"integrity check failed: {'; '.join(problems[:3])}")
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise InvalidBackup("it is not a Memo Coach database (no schema version)")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise InvalidBackup(f"SQLite cannot read it ({exc})") from exc
    if row is None:
        raise InvalidBackup("it is not a Memo Coach database (no schema version)")
    revision = str(row[0])
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except AlembicCommandError:
        known = None
    if known is None:
        raise InvalidBackup(
            f"it was made by a newer Memo Coach (schema {revision}); upgrade Memo Coach first"
        )
    return revision


def unpack_archive(archive: Path, target: Path) -> str:
    """Decompress ``archive`` into ``target`` and verify it; returns the revision."""
    try:
        gunzip_file(archive, target)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InvalidBackup(f"it is not a complete gzip archive ({exc})") from exc
    return verify_database_file(target)


def restore_sqlite(archive: Path, database_file: Path) -> RestoredDatabase:
    """Verify the archive, then swap it in under the exclusive lock (refused while a bot
    runs). The replaced database is kept as ``<db>.pre-restore-<time>``."""
    if not archive.is_file():
        raise InvalidBackup(f"there is no file at {archive}")
    database_file.parent.mkdir(parents=True, exist_ok=True)
    staged = database_file.with_name(f".{database_file.name}.restore-{uuid.uuid4().hex[:8]}")
    try:
        revision = unpack_archive(archive, staged)
        _match_ownership(staged, database_file)
        lock = lock_file(database_file, exclusive=True)
        try:
            previous = _set_aside(database_file)
            publish(staged, database_file)
        finally:
            lock.release_now()
    finally:
        for leftover in (staged, *(staged.with_name(staged.name + s) for s in SIDE_FILES)):
            leftover.unlink(missing_ok=True)
    log.info(
        "database restored",
        extra={"database": str(database_file), "revision": revision, "previous": str(previous)},
    )
    return RestoredDatabase(str(database_file), revision, previous)


def _match_ownership(staged: Path, database_file: Path) -> None:
    """The bot (often another user, e.g. in a container) must be able to write it."""
    if not database_file.exists():
        return
    status = database_file.stat()
    shutil.copymode(database_file, staged)
    with contextlib.suppress(PermissionError):
        os.chown(staged, status.st_uid, status.st_gid)


def _set_aside(database_file: Path) -> Path | None:
    """Fold the WAL into the current database and keep it (hard link, so the path still
    holds a whole database until the atomic replace). Stale -wal/-shm files are moved
    aside too: left in place they would be replayed into the restored database."""
    if not database_file.exists():
        _move_side_files(database_file, None)
        return None
    try:
        with contextlib.closing(sqlite3.connect(database_file, timeout=5)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as exc:  # a damaged database is why people restore
        log.warning("could not checkpoint the old database", extra={"error": str(exc)})
    stamp = datetime.now(UTC).strftime(TIMESTAMP_FORMAT)
    kept = database_file.with_name(f"{database_file.name}.pre-restore-{stamp}")
    try:
        os.link(database_file, kept)
    except OSError:
        shutil.copy2(database_file, kept)
    _move_side_files(database_file, kept)
    return kept


def _move_side_files(database_file: Path, kept: Path | None) -> None:
    for suffix in SIDE_FILES:
        side = database_file.with_name(database_file.name + suffix)
        if not side.exists():
            continue
        if kept is None:
            side.unlink()
        else:
            os.replace(side, kept.with_name(kept.name + suffix))
