"""Replies about versioned configuration (rubric and prompt): history, what a change did,
diffs between versions, and why an uploaded file was refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.config_service import VersionChange, VersionInfo
from bot.rendering.admin_reply import admin_notice, admin_reply, bullets, when, who
from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import SlackMessage
from config.yaml_files import ConfigError


def render_history(kind: str, versions: Sequence[VersionInfo[Any]]) -> list[SlackMessage]:
    lines = []
    for info in versions:
        live = " · *live*" if info.is_active else ""
        comment = f" · {escape_mrkdwn(info.comment)}" if info.comment else ""
        lines.append(
            f"*v{info.version}*{live} · {when(info.created_at)} · {who(info.author)}{comment}"
        )
    return admin_reply(
        f"{kind.capitalize()} history",
        bullets(lines, escape=False) or "No versions yet.",
        note=f"`admin {kind} diff A B` compares two versions; "
        f"`admin {kind} rollback N` makes N's content live again.",
    )


def render_change(change: VersionChange, *, source: str) -> list[SlackMessage]:
    """What a change did: the new live version and what is different, or that nothing
    changed because the content equals the live version."""
    kind = change.kind
    if not change.changed:
        return [
            admin_notice(
                f"No change: {escape_mrkdwn(source)} is the same {kind} as the live "
                f"version (v{change.current}), so nothing was stored."
            )
        ]
    body = bullets(change.changes) if change.changes else "Only formatting changed."
    return admin_reply(
        f"{kind.capitalize()} v{change.current} is live (was v{change.previous})",
        f"*What changed* ({escape_mrkdwn(source)}):\n{body}",
        note=f"The next evaluation uses it, on every replica. "
        f"`admin {kind} rollback {change.previous}` undoes this.",
    )


def render_diff(kind: str, before: int, after: int, changes: Sequence[str]) -> list[SlackMessage]:
    body = bullets(changes) if changes else "No differences."
    return admin_reply(f"{kind.capitalize()} v{before} → v{after}", body)


def render_config_errors(
    error: ConfigError, kind: str, live_version: int | None
) -> list[SlackMessage]:
    """Every problem with the file, each naming the field and the rule it breaks."""
    lines = [f"`{escape_mrkdwn(error.file)}`: {escape_mrkdwn(p)}" for p in error.problems]
    live = (
        f"The live {kind} is unchanged (v{live_version})."
        if live_version is not None
        else "The live rubric and prompt are unchanged."
    )
    return admin_reply(
        f"That {kind} file was not applied",
        bullets(lines, escape=False),
        note=f"{live} Fix the file and share it again.",
        fallback=f"That {kind} file was not applied: {escape_mrkdwn(str(error))}",
    )


def render_unknown_version(kind: str, version: int) -> SlackMessage:
    return admin_notice(f"There is no {kind} version {version}. `admin {kind} history` lists them.")


def render_export_started(kind: str, version: int) -> SlackMessage:
    return admin_notice(
        f"Sending {kind} v{version} as a YAML file to our DM. Edit it and share it back "
        "with me in that DM to make it live."
    )


def render_upload_failed(what: str, reason: str) -> SlackMessage:
    return admin_notice(
        f":warning: I couldn't upload {escape_mrkdwn(what)} ({escape_mrkdwn(reason)}). "
        "Try again in a minute."
    )
