"""SQL is built only through SQLAlchemy's expression language: no string ever becomes a
statement, except a short allow-list of constant maintenance statements (SQLite pragmas,
the readiness probe, backup checks). A new raw statement fails here until a reviewer adds
it, constant, with a reason. Migrations are exempt (DDL by nature); tests are not
product code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "config", "evaluation", "handlers", "storage")
EXEMPT = ("storage/migrations/",)
RAW_SQL_FUNCTIONS = {"text", "literal_column", "DDL", "column", "table"}
"""SQLAlchemy functions that turn a string into SQL (matched only when imported from it)."""
RAW_SQL_METHODS = {"exec_driver_sql"}
LOOKS_LIKE_SQL = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|DROP|ALTER|BEGIN|COMMIT|ANALYZE"
    r"|VACUUM|WITH|TRUNCATE|GRANT|SET|LOCK|COPY)\s"
)

ALLOWED = {
    # why each constant statement is raw, next to it
    ("storage/db.py", "PRAGMA journal_mode=WAL"): "SQLite setup on connect (driver level)",
    ("storage/db.py", "PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}"): "a module int constant",
    ("storage/db.py", "PRAGMA journal_mode"): "SQLite setup on connect",
    ("storage/db.py", "PRAGMA foreign_keys=ON"): "SQLite setup on connect",
    ("storage/db.py", "PRAGMA synchronous=NORMAL"): "SQLite setup on connect",
    ("storage/db.py", "PRAGMA wal_autocheckpoint=0"): "the bot's connections, on connect",
    ("storage/db.py", "PRAGMA wal_checkpoint(PASSIVE)"): "the bot's WAL checkpoints",
    ("storage/db.py", "SELECT 1"): "the /ready probe",
    ("storage/stale_connections.py", "SELECT 1"): "the pool's ping",
    ("storage/models.py", "is_active"): "partial unique index: one active version",
    ("storage/models.py", "JOB_UNFINISHED"): "partial index on unfinished jobs (a constant)",
    ("storage/repositories/jobs.py", "JOB_UNFINISHED"): "the same constant, word for word, "
    "so SQLite uses that index",
    ("storage/migrate.py", "PRAGMA foreign_keys=OFF"): "SQLite batch migrations",
    ("storage/migrate.py", "BEGIN IMMEDIATE"): "SQLite: take the write lock to migrate",
    ("storage/migrate.py", "PRAGMA foreign_key_check"): "after SQLite batch migrations",
    ("bot/sqlite_backup.py", "PRAGMA journal_mode=DELETE"): "the backup copy, a plain file",
    ("bot/sqlite_backup.py", "PRAGMA integrity_check"): "checking a backup",
    ("bot/sqlite_backup.py", "SELECT name FROM sqlite_master"): "is it our schema",
    ("bot/sqlite_backup.py", "SELECT version_num FROM alembic_version"): "backup revision",
    ("bot/sqlite_backup.py", "PRAGMA wal_checkpoint(TRUNCATE)"): "before an online backup",
}


def _python_files() -> Iterator[tuple[str, ast.Module]]:
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(EXEMPT):
                yield relative, ast.parse(path.read_text(encoding="utf-8"), relative)


def _string(node: ast.AST) -> str | None:
    """A constant string as written; an f-string with its placeholders in braces."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                spec = _string(value.format_spec) if value.format_spec else None
                parts.append("{" + ast.unparse(value.value) + (f":{spec}" if spec else "") + "}")
        return "".join(parts)
    return None


def _sqlalchemy_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(raw-SQL functions imported by name, aliases of the sqlalchemy module)."""
    functions: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            functions |= {a.asname or a.name for a in node.names if a.name in RAW_SQL_FUNCTIONS}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}
    return functions, modules


def _raw_call(call: ast.Call, functions: set[str], modules: set[str]) -> str | None:
    """The name of the raw-SQL function or method ``call`` makes, if it makes one."""
    function = call.func
    if isinstance(function, ast.Name) and function.id in functions:
        return function.id
    if isinstance(function, ast.Attribute):
        if function.attr in RAW_SQL_METHODS:
            return function.attr
        owner = function.value
        if isinstance(owner, ast.Name) and owner.id in modules:
            return function.attr if function.attr in RAW_SQL_FUNCTIONS else None
        if function.attr == "execute":
            return "execute"
    return None


def raw_sql() -> dict[tuple[str, str], str]:
    """(file, statement) -> how it was found, for every raw statement in product code."""
    found: dict[tuple[str, str], str] = {}
    for relative, tree in _python_files():
        functions, modules = _sqlalchemy_names(tree)
        skipped = {
            id(node.body[0].value)  # docstrings
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        skipped |= {  # the pieces of an f-string (the whole is checked)
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _raw_call(node, functions, modules)
                argument = node.args[0] if node.args else None
                if name is None or argument is None:
                    continue
                text = _string(argument)
                if text is not None:
                    found[(relative, text)] = f"{name}() of a string"
                elif name != "execute":  # execute() of SQLAlchemy constructs is the norm
                    found[(relative, ast.unparse(argument))] = f"{name}() of a non-constant"
            elif id(node) not in skipped:
                text = _string(node)
                if text is not None and LOOKS_LIKE_SQL.match(text):
                    found[(relative, text)] = "a string that reads as SQL"
    return found


def test_no_sql_is_built_from_strings_outside_the_allow_list() -> None:
    unexpected = {key: how for key, how in raw_sql().items() if key not in ALLOWED}
    assert unexpected == {}, (
        "raw SQL outside the allow-list (build it with SQLAlchemy, or add a constant "
        f"statement to ALLOWED with a reason): {unexpected}"
    )


def test_the_scanner_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan itself works: each forbidden shape in a sample module is reported."""
    sample = """
from sqlalchemy import text
async def leak(session, name, cursor, conn):
    await session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
    await session.execute(text("DELETE FROM users"))
    cursor.execute("PRAGMA foreign_keys=OFF")
    conn.exec_driver_sql("DROP TABLE users")
    query = "UPDATE users SET name = " + name
"""
    path = tmp_path / "sample.py"
    path.write_text(sample)
    tree = ast.parse(sample)
    functions, modules = _sqlalchemy_names(tree)
    assert functions == {"text"}
    calls = {
        _raw_call(node, functions, modules) for node in ast.walk(tree) if isinstance(node, ast.Call)
    }
    assert {"text", "execute", "exec_driver_sql"} <= calls
    strings = [_string(node) for node in ast.walk(tree)]
    assert "SELECT * FROM users WHERE name = '{name}'" in strings
    assert LOOKS_LIKE_SQL.match("UPDATE users SET name = ")
    assert not LOOKS_LIKE_SQL.match("Update the rubric")
    figure_text = ast.parse("figure.text(0.5, 0.5, 'label')", mode="eval").body
    assert isinstance(figure_text, ast.Call)
    assert _raw_call(figure_text, functions, modules) is None, "matplotlib's text() is not SQL"
