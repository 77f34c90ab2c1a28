"""`admin rubric show`: what scores memos now — keys, weights and scale, and who made
this version when (the full level guidance is in `/memo-coach rubric` and the export)."""

from __future__ import annotations

from bot.config_service import VersionInfo
from bot.rendering.admin_reply import admin_notice, admin_reply, bullets, when, who
from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import SlackMessage
from evaluation.rubric import Rubric


def render_rubric_version(info: VersionInfo[Rubric]) -> list[SlackMessage]:
    rubric = info.document
    live = "live" if info.is_active else "not live"
    criteria = [
        f"*{escape_mrkdwn(c.name)}* · `{c.key}` · weight {c.weight}%" for c in rubric.criteria
    ]
    body = "\n".join(
        [
            f"*{escape_mrkdwn(rubric.name)}* · scale {rubric.scale.min}–{rubric.scale.max} · "
            f"{len(rubric.criteria)} criteria, weights sum to "
            f"{sum(c.weight for c in rubric.criteria)}",
            bullets(criteria, escape=False),
        ]
    )
    comment = f" · {escape_mrkdwn(info.comment)}" if info.comment else ""
    return admin_reply(
        f"Rubric v{info.version} ({live})",
        body,
        note=f"By {who(info.author)} · {when(info.created_at)}{comment} · "
        "`admin rubric export` sends the full YAML.",
    )


def render_weight_error(message: str) -> SlackMessage:
    """``message`` comes from config_service and may quote what the admin typed."""
    return admin_notice(f":no_entry: {message}")


def render_edit_needs_slash_command() -> SlackMessage:
    return admin_notice(
        "The weights form opens from the slash command: `/memo-coach admin rubric edit`. "
        "Here you can use `admin rubric weight KEY N KEY N …` instead."
    )


def render_edit_opened(version: int) -> SlackMessage:
    return admin_notice(f"Opened the weights form for rubric v{version}.")
