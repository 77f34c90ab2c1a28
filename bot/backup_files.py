"""Backup files on disk: timestamped names, durable writes, and keeping the newest N.

Names sort by time (``memo_coach-20261122T023000Z.db.gz``, then ``…Z-1.db.gz`` for a
second backup in the same second), and only files matching that pattern are ever pruned,
so a backup directory shared with other files is safe.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
COPY_CHUNK_BYTES = 1024 * 1024


class BackupError(RuntimeError):
    """A backup could not be made (the message says why)."""


class InvalidBackup(ValueError):
    """A file that must not be restored (the message says why)."""


def _pattern(prefix: str, suffix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?{re.escape(suffix)}$")


def new_backup_path(directory: Path, prefix: str, suffix: str, now: datetime | None = None) -> Path:
    """``{prefix}-{UTC timestamp}[-n]{suffix}``, sorting after every backup made in the
    same second (even one already pruned away)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    taken = [
        int(match.group(2) or 0)
        for path in (directory.iterdir() if directory.is_dir() else ())
        if (match := _pattern(prefix, suffix).match(path.name)) and match.group(1) == stamp
    ]
    if not taken:
        return directory / f"{prefix}-{stamp}{suffix}"
    return directory / f"{prefix}-{stamp}-{max(taken) + 1}{suffix}"


def backups_newest_first(directory: Path, prefix: str, suffix: str) -> list[Path]:
    pattern = _pattern(prefix, suffix)
    found: list[tuple[str, int, Path]] = []
    for path in directory.iterdir() if directory.is_dir() else ():
        match = pattern.match(path.name)
        if match and path.is_file():
            found.append((match.group(1), int(match.group(2) or 0), path))
    return [path for *_, path in sorted(found, reverse=True)]


def prune_backups(directory: Path, prefix: str, suffix: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    removed = backups_newest_first(directory, prefix, suffix)[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temporary: Path, final: Path) -> Path:
    """fsync ``temporary``, rename it to ``final`` atomically, fsync the directory."""
    fsync_file(temporary)
    os.replace(temporary, final)
    fsync_directory(final.parent)
    return final


def gzip_file(source: Path, destination: Path) -> None:
    with source.open("rb") as raw, gzip.open(destination, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(raw, packed, COPY_CHUNK_BYTES)


def gunzip_file(source: Path, destination: Path) -> None:
    """Raises ``gzip.BadGzipFile``/``EOFError``/``zlib.error`` on a damaged archive."""
    with gzip.open(source, "rb") as packed, destination.open("wb") as raw:
        shutil.copyfileobj(packed, raw, COPY_CHUNK_BYTES)
