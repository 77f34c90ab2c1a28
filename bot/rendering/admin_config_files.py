"""Replies in the thread of a rubric or prompt file shared in a DM."""

from __future__ import annotations

from bot.rendering.admin_reply import admin_notice
from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import SlackMessage
from evaluation.extraction.messages import display_name


def render_config_file_refused() -> SlackMessage:
    return admin_notice(
        ":lock: Only Memo Coach admins can change the rubric or the prompt, so I did not "
        "use this file and nothing was changed. YAML files are not memos: to get feedback, "
        "share a .docx, .pdf, .txt or .md file."
    )


def render_download_failed(message: str) -> SlackMessage:
    return admin_notice(f":warning: {escape_mrkdwn(message)} Nothing was changed.")


def render_not_a_config(name: str) -> SlackMessage:
    return admin_notice(
        f"{escape_mrkdwn(display_name(name))} is neither a rubric (it needs `criteria`) nor a "
        "prompt (it needs `system` and `memo_template`). Nothing was changed. If it is one, "
        "share it again with the message text `rubric` or `prompt`."
    )
