"""Change the rubric and the prompt: validate, compare, store a new version and audit
it in one transaction.

Slack (file uploads, `admin rubric|prompt …`, the weights form) and the CLI (`memo-coach
rubric import`) all come through here, so every way in applies the same validation
(``parse_rubric``/``parse_prompt``, the models behind config/*.yaml) and the same rules:

- History is linear and append-only: every change, a rollback included, adds a version
  and makes it active. A rollback to N copies N into a new version, so the newest version
  is always the live one and each version number keeps meaning exactly one content.
- Content equal to the live version is not stored again (a re-uploaded file, or a
  retried Slack event, changes nothing).

No Slack imports: callers render ``VersionChange`` and the errors themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel

from bot.config_diff import prompt_changes, rubric_changes
from config.yaml_files import ConfigError
from evaluation.prompt_template import PromptTemplate, parse_prompt
from evaluation.rubric import TOTAL_WEIGHT, Rubric, parse_rubric
from storage.db import Database
from storage.repositories.audit import record_audit
from storage.repositories.prompts import PROMPTS
from storage.repositories.rubrics import RUBRICS
from storage.repositories.versions import NotSeededError, UnknownVersionError, VersionedStore

DocT = TypeVar("DocT", bound=BaseModel)

MAX_AUDITED_CHANGES = 30


@dataclass(frozen=True)
class Document(Generic[DocT]):
    """One kind of versioned configuration and how to read, compare and write it."""

    kind: str
    store: VersionedStore[Any, DocT]
    parse: Callable[[str | bytes, str], DocT]
    changes: Callable[[DocT, DocT], list[str]]


def _parse_rubric(source: str | bytes, file: str) -> Rubric:
    return parse_rubric(source, file)


def _parse_prompt(source: str | bytes, file: str) -> PromptTemplate:
    return parse_prompt(source, file)


RUBRIC: Document[Rubric] = Document("rubric", RUBRICS, _parse_rubric, rubric_changes)
PROMPT: Document[PromptTemplate] = Document("prompt", PROMPTS, _parse_prompt, prompt_changes)


@dataclass(frozen=True)
class VersionChange:
    """The live version before and after a change; equal when nothing changed."""

    kind: str
    previous: int
    current: int
    changes: list[str]

    @property
    def changed(self) -> bool:
        return self.current != self.previous


@dataclass(frozen=True)
class VersionInfo(Generic[DocT]):
    """One stored version, parsed, with who made it and why."""

    version: int
    document: DocT
    yaml_text: str
    author: str
    comment: str | None
    created_at: datetime
    is_active: bool


class WeightError(ValueError):
    """Weights that cannot be applied; the message says why and what to type instead."""


class StaleVersion(Exception):
    """The live version moved on since the admin looked at it (e.g. the edit form)."""

    def __init__(self, kind: str, expected: int, current: int) -> None:
        self.kind = kind
        self.expected = expected
        self.current = current
        super().__init__(f"{kind} is now version {current}, not {expected}")


def _as_text(source: str | bytes) -> str:
    return source if isinstance(source, str) else source.decode("utf-8")


async def _store(
    database: Database,
    doc: Document[DocT],
    document: DocT,
    yaml_text: str,
    *,
    author: str,
    action: str,
    comment: str | None,
    expected_version: int | None = None,
) -> VersionChange:
    """Add ``document`` as the live version unless it is already live; audited."""
    async with database.transaction() as session:
        live, live_version = await doc.store.active(session)
        if expected_version is not None and expected_version != live_version:
            raise StaleVersion(doc.kind, expected_version, live_version)
        if document == live:
            return VersionChange(doc.kind, live_version, live_version, [])
        changes = doc.changes(live, document)
        row = await doc.store.add(session, document, yaml_text, author, comment)
        await record_audit(
            session,
            author,
            action,
            target=f"{doc.kind} v{row.version}",
            detail={
                "from_version": live_version,
                "to_version": row.version,
                "comment": comment,
                "changes": changes[:MAX_AUDITED_CHANGES],
            },
        )
    return VersionChange(doc.kind, live_version, row.version, changes)


async def import_document(
    database: Database,
    doc: Document[DocT],
    source: str | bytes,
    *,
    file_name: str,
    author: str,
    via: str,
) -> VersionChange:
    """Validate YAML (ConfigError names the file, the field and the rule) and make it
    the live version. ``via`` says where it came from, for the history and the audit."""
    document = doc.parse(source, file_name)
    return await _store(
        database,
        doc,
        document,
        _as_text(source),
        author=author,
        action=f"{doc.kind}.import",
        comment=f"{file_name} ({via})",
    )


async def rollback(
    database: Database, doc: Document[DocT], version: int, *, author: str
) -> VersionChange:
    """Make version ``version``'s content live again, as a new version (see module doc).
    UnknownVersionError when there is no such version."""
    async with database.session() as session:
        row = await doc.store.get(session, version)
        if row is None:
            raise UnknownVersionError(doc.kind, version)
        document, yaml_text = doc.store.parse(row), row.yaml_text
    return await _store(
        database,
        doc,
        document,
        yaml_text,
        author=author,
        action=f"{doc.kind}.rollback",
        comment=f"rollback to v{version}",
    )


def _info(doc: Document[DocT], row: Any) -> VersionInfo[DocT]:
    return VersionInfo(
        version=row.version,
        document=doc.store.parse(row),
        yaml_text=row.yaml_text,
        author=row.author,
        comment=row.comment,
        created_at=row.created_at,
        is_active=row.is_active,
    )


async def live_version(database: Database, doc: Document[DocT]) -> VersionInfo[DocT]:
    async with database.session() as session:
        row = await doc.store.active_row(session)
        if row is None:
            raise NotSeededError(f"no active {doc.kind}: seed the default first")
        return _info(doc, row)


async def get_version(database: Database, doc: Document[DocT], version: int) -> VersionInfo[DocT]:
    """UnknownVersionError when there is no such version."""
    async with database.session() as session:
        row = await doc.store.get(session, version)
        if row is None:
            raise UnknownVersionError(doc.kind, version)
        return _info(doc, row)


async def history(database: Database, doc: Document[DocT], limit: int) -> list[VersionInfo[DocT]]:
    """Newest first."""
    async with database.session() as session:
        return [_info(doc, row) for row in await doc.store.history(session, limit)]


async def compare(database: Database, doc: Document[DocT], before: int, after: int) -> list[str]:
    """What changed from version ``before`` to ``after`` (UnknownVersionError)."""
    old = await get_version(database, doc, before)
    new = await get_version(database, doc, after)
    return doc.changes(old.document, new.document)


async def current_prompt(database: Database) -> PromptTemplate:
    """The live prompt; the bot's evaluator calls this for every evaluation."""
    async with database.session() as session:
        prompt, _ = await PROMPTS.active(session)
    return prompt


# --- weights -----------------------------------------------------------------------


def parse_weight_args(words: Sequence[str]) -> dict[str, int]:
    """``["answer_first", "30", "risks", "10"]`` → ``{"answer_first": 30, "risks": 10}``."""
    if not words or len(words) % 2:
        raise WeightError(
            "Give criterion keys and weights in pairs, e.g. `weight answer_first 30 risks 10`."
        )
    weights: dict[str, int] = {}
    for key, value in zip(words[::2], words[1::2], strict=True):
        try:
            weights[key] = int(value.rstrip("%"))
        except ValueError:
            message = f"`{value[:20]}` is not a whole number (weight of `{key[:40]}`)."
            raise WeightError(message) from None
    return weights


def with_weights(rubric: Rubric, weights: Mapping[str, int]) -> Rubric:
    """``rubric`` with new weights, validated by the same model as rubric.yaml; refuses
    unknown keys, weights outside 1–100, and any result that does not sum to 100."""
    keys = {c.key for c in rubric.criteria}
    unknown = sorted(set(weights) - keys)
    if unknown:
        known = ", ".join(sorted(keys))
        raise WeightError(f"Unknown criterion key(s): {', '.join(unknown)}. Keys: {known}.")
    bad = sorted(key for key, weight in weights.items() if not 0 < weight <= TOTAL_WEIGHT)
    if bad:
        raise WeightError(f"Weights must be whole numbers from 1 to 100 ({', '.join(bad)}).")
    result = {c.key: weights.get(c.key, c.weight) for c in rubric.criteria}
    total = sum(result.values())
    if total != TOTAL_WEIGHT:
        listed = ", ".join(f"{key} {weight}" for key, weight in result.items())
        raise WeightError(
            f"The weights would sum to {total} ({listed}); they must sum to {TOTAL_WEIGHT}. "
            "Change several weights in one command so the total stays 100, e.g. "
            "`weight answer_first 30 risks 10`. Nothing was changed."
        )
    data = rubric.model_dump(mode="json")
    for criterion in data["criteria"]:
        criterion["weight"] = result[criterion["key"]]
    return Rubric.model_validate(data)


def rubric_yaml(rubric: Rubric) -> str:
    """YAML for a rubric changed in Slack (no file to keep), readable by parse_rubric."""
    data = rubric.model_dump(mode="json")
    for criterion in data["criteria"]:
        criterion["levels"] = {int(level): text for level, text in criterion["levels"].items()}
        if not criterion["frameworks"]:
            del criterion["frameworks"]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


async def set_weights(
    database: Database,
    weights: Mapping[str, int],
    *,
    author: str,
    via: str,
    expected_version: int | None = None,
) -> VersionChange:
    """New live version with ``weights`` changed (WeightError, StaleVersion)."""
    live = await live_version(database, RUBRIC)
    if expected_version is not None and live.version != expected_version:
        raise StaleVersion(RUBRIC.kind, expected_version, live.version)
    rubric = with_weights(live.document, weights)
    return await _store(
        database,
        RUBRIC,
        rubric,
        rubric_yaml(rubric),
        author=author,
        action="rubric.weights",
        comment=f"weights changed ({via})",
        expected_version=live.version,
    )


__all__ = [
    "PROMPT",
    "RUBRIC",
    "ConfigError",
    "Document",
    "StaleVersion",
    "UnknownVersionError",
    "VersionChange",
    "VersionInfo",
    "WeightError",
]
