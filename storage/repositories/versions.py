"""Versioned YAML documents (rubrics, prompts): one generic implementation per table.

History is append-only; exactly one version is active. Writers are serialised per table
(``serialize_writes``) so "next version number" and "switch the active one" cannot
interleave across replicas; the partial unique index is the last line of defence.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base, VersionedDocument
from storage.repositories._sql import POPULATE_EXISTING, serialize_writes, upsert

RowT = TypeVar("RowT", bound=VersionedDocument)
DocT = TypeVar("DocT", bound=BaseModel)

SEED_VERSION = 1

_PARSED: weakref.WeakKeyDictionary[Engine | Connection, dict[tuple[str, int, datetime], BaseModel]]
_PARSED = weakref.WeakKeyDictionary()
"""Parsed documents per database (engine) and version; see ``VersionedStore.active``."""


class NotSeededError(LookupError):
    """No active version yet: seed the bundled default at start-up."""


class UnknownVersionError(LookupError):
    def __init__(self, kind: str, version: int) -> None:
        self.kind = kind
        self.version = version
        super().__init__(f"{kind} version {version} does not exist")


@dataclass(frozen=True)
class VersionedStore(Generic[RowT, DocT]):
    """Operations on one history table whose rows hold a pydantic ``document``."""

    kind: str
    row: type[RowT]
    document: type[DocT]

    def _entity(self) -> type[Base]:
        if not issubclass(self.row, Base):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{self.row.__name__} is not a mapped table")
        return self.row

    def parse(self, row: RowT) -> DocT:
        """The stored JSON content, validated again (it was valid when written)."""
        return self.document.model_validate(row.content)

    async def seed(
        self, session: AsyncSession, document: DocT, yaml_text: str, author: str
    ) -> RowT:
        """Insert version 1 as active unless any version exists; return the active row.

        Idempotent, and safe when several processes seed at once (ON CONFLICT DO NOTHING
        on the version key and on the single-active index).
        """
        await serialize_writes(session, self._entity())
        await session.execute(
            upsert(session, self.row)
            .values(
                version=SEED_VERSION,
                yaml_text=yaml_text,
                content=document.model_dump(mode="json"),
                author=author,
                comment="bundled default",
                is_active=True,
            )
            .on_conflict_do_nothing()
        )
        active = await self.active_row(session)
        if active is None:  # pragma: no cover - versions exist but none active
            raise NotSeededError(f"{self.kind} history exists but no version is active")
        return active

    async def add(
        self,
        session: AsyncSession,
        document: DocT,
        yaml_text: str,
        author: str,
        comment: str | None = None,
    ) -> RowT:
        """Append the next version and make it the active one."""
        await serialize_writes(session, self._entity())
        latest = await session.scalar(select(func.max(self.row.version)))
        await self._deactivate_all(session)
        result = await session.scalars(
            insert(self.row)
            .values(
                version=(latest or 0) + 1,
                yaml_text=yaml_text,
                content=document.model_dump(mode="json"),
                author=author,
                comment=comment,
                is_active=True,
            )
            .returning(self.row),
            execution_options=POPULATE_EXISTING,
        )
        return result.one()

    async def activate(self, session: AsyncSession, version: int) -> RowT:
        """Make an existing version the active one (roll back or forward)."""
        await serialize_writes(session, self._entity())
        row = await self.get(session, version)
        if row is None:
            raise UnknownVersionError(self.kind, version)
        if not row.is_active:
            await self._deactivate_all(session)
            await session.execute(
                update(self.row).where(self.row.version == version).values(is_active=True)
            )
        return await self._reload(session, version)

    async def _deactivate_all(self, session: AsyncSession) -> None:
        await session.execute(
            update(self.row)
            .where(self.row.is_active.is_(True))
            .values(is_active=False)
            .execution_options(synchronize_session=False)
        )

    async def _reload(self, session: AsyncSession, version: int) -> RowT:
        result = await session.scalars(
            select(self.row).where(self.row.version == version),
            execution_options=POPULATE_EXISTING,
        )
        return result.one()

    async def active_row(self, session: AsyncSession) -> RowT | None:
        result = await session.scalars(
            select(self.row).where(self.row.is_active.is_(True)),
            execution_options=POPULATE_EXISTING,
        )
        return result.one_or_none()

    async def active(self, session: AsyncSession) -> tuple[DocT, int]:
        """The active document and its version; NotSeededError before seeding.

        Every memo asks, so a version's document is parsed once per database: a stored
        version never changes, and this query reads two small columns rather than the
        row's YAML and JSON. ``created_at`` tells a database recreated under the same
        engine (tests) from the one parsed before."""
        head = (await session.execute(self._active_head)).one_or_none()
        if head is None:
            raise NotSeededError(f"no active {self.kind}: seed the default first")
        version, created_at = head
        parsed = _PARSED.setdefault(session.get_bind(), {})
        key = (self.kind, version, created_at)
        document = parsed.get(key)
        if not isinstance(document, self.document):
            row = await self.get(session, version)
            if row is None:  # pragma: no cover - deleted between the two queries
                raise NotSeededError(f"{self.kind} version {version} disappeared")
            document = parsed[key] = self.parse(row)
        return document, version

    @functools.cached_property
    def _active_head(self) -> Select[int, datetime]:
        """Built once per store: every memo runs it twice (rubric and prompt)."""
        return select(self.row.version, self.row.created_at).where(self.row.is_active.is_(True))

    async def get(self, session: AsyncSession, version: int) -> RowT | None:
        result = await session.scalars(
            select(self.row).where(self.row.version == version),
            execution_options=POPULATE_EXISTING,
        )
        return result.one_or_none()

    async def history(self, session: AsyncSession, limit: int | None = None) -> list[RowT]:
        """Versions, newest first."""
        statement = select(self.row).order_by(self.row.version.desc())
        if limit is not None:
            statement = statement.limit(limit)
        result = await session.scalars(statement, execution_options=POPULATE_EXISTING)
        return list(result)
