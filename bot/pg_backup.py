"""PostgreSQL backups with ``pg_dump`` (custom format, restorable with ``pg_restore``).

The password goes to pg_dump in ``PGPASSWORD``, never on its command line (visible in
``ps``) or in what we print. A URL that selects a schema with
``?options=-csearch_path=…`` dumps only that schema.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.backup_files import (
    BackupError,
    InvalidBackup,
    new_backup_path,
    prune_backups,
    publish,
)

DUMP_SUFFIX = ".pgdump"
PG_DUMP_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class DumpCommand:
    argv: list[str]
    password: str | None

    def shown(self) -> str:
        """What a person would type (the password left as a placeholder)."""
        prefix = "PGPASSWORD='<password>' " if self.password else ""
        return prefix + shlex.join(self.argv)


def _conninfo(url: URL) -> tuple[str, str | None]:
    """A libpq URL without password or ``options``, and the schema those options select."""
    options = url.query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    schema = None
    for part in text.replace("-c ", "-c").split():
        if part.startswith("-csearch_path="):
            schema = part.split("=", 1)[1].split(",")[0].strip('"')
    plain = URL.create(  # URL.set(password=None) would keep the password
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query={k: v for k, v in url.query.items() if k != "options"},
    )
    return plain.render_as_string(hide_password=False), schema


def dump_command(database_url: str, output: Path) -> DumpCommand:
    url = make_url(database_url)
    conninfo, schema = _conninfo(url)
    argv = ["pg_dump", "--format=custom", "--no-owner", f"--file={output}"]
    if schema:
        argv.append(f"--schema={schema}")
    argv.append(f"--dbname={conninfo}")
    return DumpCommand(argv, url.password)


def backup_postgres(database_url: str, destination: Path, keep: int) -> Path | str:
    """Run pg_dump into a timestamped file and keep the newest ``keep``; without pg_dump,
    return the exact command to run instead (nothing is written)."""
    prefix = make_url(database_url).database or "memo_coach"
    archive = new_backup_path(destination, prefix, DUMP_SUFFIX)
    command = dump_command(database_url, archive)
    executable = shutil.which("pg_dump")
    if executable is None:
        return (
            "pg_dump was not found, so no backup was made. Run this where the PostgreSQL "
            "client tools are installed (pg_dump as new as the server):\n"
            f"  mkdir -p {shlex.quote(str(destination))} && {command.shown()}"
        )
    destination.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f".{archive.name}.partial")
    try:
        finished = _run_pg_tool(_with_file(command.argv, executable, partial), command.password)
        if finished.returncode != 0:
            raise BackupError(f"pg_dump failed ({finished.returncode}): {finished.stderr.strip()}")
        publish(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
    prune_backups(destination, prefix, DUMP_SUFFIX, keep)
    return archive


def _with_file(argv: list[str], executable: str, output: Path) -> list[str]:
    """The command with the real executable and ``--file`` pointing at ``output``."""
    return [executable] + [
        f"--file={output}" if arg.startswith("--file=") else arg for arg in argv[1:]
    ]


PG_DUMP_HEADER = b"PGDMP"


def restore_command(database_url: str, archive: Path) -> DumpCommand:
    """All or nothing (one transaction); objects in the dump are dropped and recreated."""
    url = make_url(database_url)
    conninfo, _schema = _conninfo(url)
    argv = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        f"--dbname={conninfo}",
        str(archive),
    ]
    return DumpCommand(argv, url.password)


def verify_dump(archive: Path) -> None:
    """A complete pg_dump custom-format archive, or ``InvalidBackup`` saying why."""
    if not archive.is_file():
        raise InvalidBackup(f"there is no file at {archive}")
    with archive.open("rb") as file:
        if file.read(len(PG_DUMP_HEADER)) != PG_DUMP_HEADER:
            raise InvalidBackup("it is not a pg_dump archive (made with --format=custom)")
    executable = shutil.which("pg_restore")
    if executable is None:
        return
    listed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [executable, "--list", str(archive)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise InvalidBackup(f"pg_restore cannot read it: {listed.stderr.strip()}")


def run_pg_restore(database_url: str, archive: Path) -> None:
    """Blocking; the caller holds the run lock so no bot writes meanwhile."""
    command = restore_command(database_url, archive)
    executable = shutil.which("pg_restore")
    if executable is None:
        raise BackupError("pg_restore was not found")
    finished = _run_pg_tool([executable, *command.argv[1:]], command.password)
    if finished.returncode != 0:
        raise BackupError(
            f"pg_restore failed ({finished.returncode}), nothing was changed: "
            f"{finished.stderr.strip()}"
        )


def _run_pg_tool(argv: list[str], password: str | None) -> subprocess.CompletedProcess[str]:
    """Run pg_dump/pg_restore with the password in PGPASSWORD, never on the command line."""
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        argv,
        env=env,
        capture_output=True,
        text=True,
        timeout=PG_DUMP_TIMEOUT_SECONDS,
        check=False,
    )
