"""Backups and restores: SQLite round trip through the command line, refusal of bad files
and of a database a bot is using, pg_dump on PostgreSQL (or the exact command without
it), keeping the newest N, and the memo text retention purge."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import os
import re
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from bot.cli import main
from bot.database_lock import RUN_LOCK_CLASS, DatabaseBusy, lock_file, lock_postgres
from bot.maintenance import (
    purge_old_memo_texts,
    restore_backup,
    run_backup,
    sqlite_warning,
)
from bot.runners import start_bot
from bot.runtime import load_runtime
from bot.sqlite_backup import verify_database_file
from config.coach import Backup
from config.settings import Settings
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import Evaluation, Submission
from storage.types import utcnow
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, running_bot
from tests.storage import factories

MEMO = Path(__file__).resolve().parents[1] / "data" / "memos" / "pricing_strong.md"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment with SQLite at tmp/data/coach.db; returns the database file."""
    monkeypatch.chdir(tmp_path)
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "MEMO_COACH_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "data" / "coach.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    return database


def _count(database: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _archives(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.db.gz"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- SQLite round trip ------------------------------------------------------------------


def test_backup_then_restore_round_trip_through_the_cli(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", str(MEMO), "--offline"]) == 0
    backups = tmp_path / "nightly"
    assert main(["backup", "--dest", str(backups)]) == 0
    assert "backup written" in capsys.readouterr().out
    [archive] = _archives(backups)
    copy = tmp_path / "unpacked.db"
    copy.write_bytes(gzip.decompress(archive.read_bytes()))
    assert verify_database_file(copy)  # integrity_check ok, a Memo Coach schema

    assert main(["evaluate", str(MEMO), "--offline"]) == 0  # written after the backup
    assert _count(cli_env, "evaluations") == 2
    assert main(["restore", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "restored" in out
    assert "kept as" in out
    assert _count(cli_env, "evaluations") == 1
    assert not cli_env.with_name(cli_env.name + "-wal").exists()
    [previous] = cli_env.parent.glob("coach.db.pre-restore-*")
    assert _count(previous, "evaluations") == 2  # the replaced database is kept
    assert main(["progress", "--user", "local", "--json"]) == 0  # the bot's code reads it


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"definitely not gzip", id="not-gzip"),
        pytest.param(gzip.compress(os.urandom(4096)), id="gzip-of-garbage"),
        pytest.param(gzip.compress(b"SQLite format 3\x00" + b"\x00" * 4000), id="bad-sqlite"),
        pytest.param("truncated", id="truncated-archive"),
        pytest.param("not-ours", id="someone-elses-database"),
        pytest.param("corrupt", id="fails-integrity-check"),
    ],
)
def test_damaged_or_foreign_files_are_refused_and_nothing_changes(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | str
) -> None:
    assert main(["evaluate", str(MEMO), "--offline"]) == 0
    assert main(["backup", "--dest", str(tmp_path / "b")]) == 0
    [good] = _archives(tmp_path / "b")
    bad = tmp_path / "bad.db.gz"
    if content == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif content == "not-ours":
        other = tmp_path / "other.db"
        with contextlib.closing(sqlite3.connect(other)) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
            connection.commit()
        bad.write_bytes(gzip.compress(other.read_bytes()))
    elif content == "corrupt":
        raw = bytearray(gzip.decompress(good.read_bytes()))
        page = 4096
        raw[page * 2 : page * 3] = b"\xff" * page  # wreck a b-tree page
        bad.write_bytes(gzip.compress(bytes(raw)))
    else:
        assert isinstance(content, bytes)
        bad.write_bytes(content)
    before = _digest(cli_env)
    capsys.readouterr()
    assert main(["restore", str(bad)]) == 1
    assert "was not restored" in capsys.readouterr().err
    assert _digest(cli_env) == before
    assert not list(cli_env.parent.glob(".coach.db.restore-*")), "no staging file left behind"
    assert not list(cli_env.parent.glob("coach.db.pre-restore-*"))


# --- a running bot and a restore exclude each other ---------------------------------------


async def test_restore_is_refused_while_a_bot_runs_on_the_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    if not database_url.startswith("sqlite") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed: the PostgreSQL restore cannot be exercised")
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        async with running_bot(monkeypatch, tmp_path, database_url, slack) as harness:
            settings = harness.bot.services.runtime.settings
            archive = run_backup(settings, Backup(keep=2), tmp_path / "backups")
            assert isinstance(archive, Path)
            with pytest.raises(DatabaseBusy, match="bot is running"):
                await restore_backup(settings, archive)
            if database_url.startswith("sqlite"):
                async with harness.bot.services.database.session() as session:
                    assert (await session.scalars(select(Submission))).all() == []
        restored = await restore_backup(settings, archive)  # the bot stopped: allowed now
        assert not isinstance(restored, str)
        assert restored.revision


async def test_a_bot_does_not_start_during_a_restore(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str
) -> None:
    database_file = Path(sqlite_database_url.removeprefix("sqlite:///"))
    held = lock_file(database_file, exclusive=True)  # what restore_sqlite holds
    try:
        async with FakeSlack(bot_token=BOT_TOKEN) as slack:
            monkeypatch.setenv("SLACK_API_URL", slack.api_url)
            monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
            monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
            monkeypatch.setenv("MEMO_COACH_MODE", "http")
            monkeypatch.setenv("DATABASE_URL", sqlite_database_url)
            monkeypatch.chdir(tmp_path)
            with pytest.raises(DatabaseBusy, match="a restore is running"):
                await start_bot(load_runtime(), host="127.0.0.1", port=0)
    finally:
        held.release_now()


async def _end_the_run_lock_session(database_url: str) -> None:
    """What a PostgreSQL restart or failover does to the bot's run lock: its session ends."""
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            ended = await connection.scalar(
                select(func.count()).select_from(
                    select(func.pg_terminate_backend(text("pid")))
                    .select_from(text("pg_locks"))
                    .where(text("locktype = 'advisory'"), text(f"classid = {RUN_LOCK_CLASS}"))
                    .subquery()
                )
            )
            await connection.commit()
        assert ended
    finally:
        await database.dispose()


async def test_a_bot_takes_its_run_lock_again_after_a_database_restart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_database_url: str
) -> None:
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as slack,
        running_bot(monkeypatch, tmp_path, postgres_database_url, slack) as harness,
    ):
        restore_database = Database(postgres_database_url)
        try:
            await _end_the_run_lock_session(postgres_database_url)
            restore = await lock_postgres(restore_database, exclusive=True)
            await restore.release()  # unlocked in between: a restore could have run
            await harness.bot.check_run_lock()
            with pytest.raises(DatabaseBusy, match="bot is running"):
                await lock_postgres(restore_database, exclusive=True)
            assert not harness.bot.lost_database.is_set()

            await _end_the_run_lock_session(postgres_database_url)
            restore = await lock_postgres(restore_database, exclusive=True)
            try:  # this time the restore got in first: the bot must stop
                await harness.bot.check_run_lock()
            finally:
                await restore.release()
            assert harness.bot.lost_database.is_set()
        finally:
            await restore_database.dispose()


# --- PostgreSQL ---------------------------------------------------------------------------


async def test_pg_dump_backup_of_the_bots_schema(
    postgres_database_url: str, tmp_path: Path
) -> None:
    await upgrade_database(postgres_database_url)
    settings = Settings(database_url=postgres_database_url)
    made = run_backup(settings, Backup(keep=2), tmp_path / "pg")
    if shutil.which("pg_dump") is None:
        assert isinstance(made, str)
        assert "pg_dump --format=custom" in made
        return
    assert isinstance(made, Path)
    assert made.suffix == ".pgdump"
    assert made.read_bytes()[:5] == b"PGDMP"
    lister = await asyncio.create_subprocess_exec(
        "pg_restore", "--list", str(made), stdout=asyncio.subprocess.PIPE
    )
    listing = (await lister.communicate())[0].decode()
    assert lister.returncode == 0
    schema = postgres_database_url.rsplit("search_path%3D", 1)[-1].rsplit("=", 1)[-1]
    tables = re.findall(r" TABLE (?:DATA )?(\S+) (\S+) ", listing)
    assert (schema, "submissions") in tables
    assert {owner for owner, _ in tables} == {schema}  # only the bot's schema


def test_without_pg_dump_the_exact_command_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    url = "postgresql://memo:s3cret@db.example:5432/memo_coach?options=-csearch_path%3Dtenant"
    made = run_backup(Settings(database_url=url), Backup(keep=2), tmp_path / "pg")
    assert isinstance(made, str)
    assert "pg_dump --format=custom --no-owner" in made
    assert "--schema=tenant" in made
    assert "--dbname=postgresql://memo@db.example:5432/memo_coach" in made
    assert "PGPASSWORD='<password>'" in made
    assert "s3cret" not in made
    assert not (tmp_path / "pg").exists(), "nothing is written"


# --- keeping the newest N -----------------------------------------------------------------


async def test_only_the_newest_backups_are_kept(tmp_path: Path, sqlite_database_url: str) -> None:
    await upgrade_database(sqlite_database_url)
    destination = tmp_path / "backups"
    destination.mkdir()
    unrelated = destination / "notes.txt"
    unrelated.write_text("keep me")
    settings = Settings(database_url=sqlite_database_url)
    made = [run_backup(settings, Backup(keep=3), destination) for _ in range(5)]
    assert sorted(_archives(destination)) == sorted(made[-3:])  # type: ignore[type-var]
    assert unrelated.exists()


# --- retention ----------------------------------------------------------------------------


async def test_memo_texts_older_than_the_retention_are_purged(database: Database) -> None:
    async with database.transaction() as session:
        owner = await factories.user(session)
        old = await factories.evaluated_memo(session, owner)
        recent = await factories.evaluated_memo(session, owner)
        await session.execute(
            update(Submission)
            .where(Submission.id == old.submission_id)
            .values(created_at=utcnow() - timedelta(days=31))
        )
    assert await purge_old_memo_texts(database, retention_days=30) == 1
    assert await purge_old_memo_texts(database, retention_days=30) == 0
    async with database.session() as session:
        texts = dict((await session.execute(select(Submission.id, Submission.memo_text))).all())
        scores = list(await session.scalars(select(Evaluation.overall_score)))
    assert texts[old.submission_id] is None
    assert texts[recent.submission_id] == factories.MEMO
    assert len(scores) == 2
    assert all(score is not None for score in scores)


# --- the SQLite version check -------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "warned"),
    [("3.40.1", True), ("3.51.2", True), ("3.51.3", False), ("3.52.0", False)],
)
def test_sqlite_before_the_wal_reset_fix_is_flagged(version: str, warned: bool) -> None:
    warning = sqlite_warning(version)
    assert (warning is not None) == warned
    if warning:
        assert version in warning
        assert "3.51.3" in warning


async def test_ready_reports_the_sqlite_version_and_any_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_database_url: str
) -> None:
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as slack,
        running_bot(monkeypatch, tmp_path, sqlite_database_url, slack) as harness,
        harness.http.get(f"{harness.url}/ready") as response,
    ):
        report = await response.json()
    assert report["sqlite_version"] == sqlite3.sqlite_version
    assert report.get("sqlite_warning") == sqlite_warning(sqlite3.sqlite_version)
