"""Who changed what: every admin action is recorded in the same transaction as it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def record_audit(
    session: AsyncSession,
    actor: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(actor=actor, action=action, target=target, detail=detail)
    session.add(entry)
    await session.flush()
    return entry


async def recent_audit(session: AsyncSession, n: int = 20) -> list[AuditEntry]:
    """The ``n`` newest entries, newest first."""
    result = await session.scalars(
        select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(n)
    )
    return list(result)
