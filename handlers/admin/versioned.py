"""Sub-commands the rubric and the prompt share: show, history, diff, rollback, export.

Each takes the request and the words after the sub-command, and returns the reply;
changes go through bot.config_service, which validates, stores and audits them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.config_service import (
    Document,
    UnknownVersionError,
    compare,
    get_version,
    history,
    live_version,
    rollback,
)
from bot.rendering import SlackMessage
from bot.rendering.admin_reply import admin_notice
from bot.rendering.admin_versions import (
    render_change,
    render_diff,
    render_export_started,
    render_history,
    render_unknown_version,
)
from handlers.admin.context import AdminRequest
from handlers.admin.uploads import after_ack, upload_to_dm

HISTORY_LIMIT = 20

Renderer = Callable[[Any], list[SlackMessage]]
SubCommand = Callable[
    [AdminRequest, Document[Any], list[str], Renderer], Awaitable[Sequence[SlackMessage]]
]


def version_number(word: str) -> int | None:
    """``"3"`` or ``"v3"`` → 3."""
    digits = word.lower().removeprefix("v")
    return int(digits) if digits.isdigit() and len(digits) < 9 else None


def _needs_versions(kind: str, usage: str) -> list[SlackMessage]:
    return [admin_notice(f"Which version? e.g. `admin {kind} {usage}`.")]


async def show(
    request: AdminRequest, doc: Document[Any], words: list[str], render: Renderer
) -> Sequence[SlackMessage]:
    database = request.services.database
    version = version_number(words[0]) if words else None
    if words and version is None:
        return _needs_versions(doc.kind, "show 3")
    try:
        info = await (
            live_version(database, doc) if version is None else get_version(database, doc, version)
        )
    except UnknownVersionError:
        return [render_unknown_version(doc.kind, version or 0)]
    return render(info)


async def list_history(
    request: AdminRequest, doc: Document[Any], words: list[str], render: Renderer
) -> Sequence[SlackMessage]:
    return render_history(doc.kind, await history(request.services.database, doc, HISTORY_LIMIT))


async def diff(
    request: AdminRequest, doc: Document[Any], words: list[str], render: Renderer
) -> Sequence[SlackMessage]:
    versions = [version_number(word) for word in words[:2]]
    if len(versions) != 2 or None in versions:
        return _needs_versions(doc.kind, "diff 1 2")
    before, after = (v or 0 for v in versions)
    try:
        changes = await compare(request.services.database, doc, before, after)
    except UnknownVersionError as exc:
        return [render_unknown_version(doc.kind, exc.version)]
    return render_diff(doc.kind, before, after, changes)


async def roll_back(
    request: AdminRequest, doc: Document[Any], words: list[str], render: Renderer
) -> Sequence[SlackMessage]:
    version = version_number(words[0]) if words else None
    if version is None:
        return _needs_versions(doc.kind, "rollback 2")
    try:
        change = await rollback(request.services.database, doc, version, author=request.actor)
    except UnknownVersionError:
        return [render_unknown_version(doc.kind, version)]
    return render_change(change, source=f"rollback to v{version}")


async def export(
    request: AdminRequest, doc: Document[Any], words: list[str], render: Renderer
) -> Sequence[SlackMessage]:
    """Answer at once; the upload to the admin's DM runs after the answer."""
    info = await live_version(request.services.database, doc)
    after_ack(
        upload_to_dm(
            request.client,
            request.actor,
            content=info.yaml_text,
            filename=f"{doc.kind}-v{info.version}.yaml",
            title=f"Memo Coach {doc.kind} v{info.version}",
            comment=f"The live {doc.kind} (v{info.version}). Edit it and share it back "
            "here to make a new version.",
        ),
        what=f"{doc.kind} export",
    )
    return [render_export_started(doc.kind, info.version)]


SHARED: dict[str, SubCommand] = {
    "show": show,
    "history": list_history,
    "diff": diff,
    "rollback": roll_back,
    "export": export,
}
