"""Replies for `admin admins …` and `admin channel …`: who can administer the coach and
where it reviews every shared file."""

from __future__ import annotations

from collections.abc import Sequence

from bot.rendering.admin_reply import admin_notice, admin_reply, bullets, when, who
from bot.rendering.messages import SlackMessage
from storage.models import Admin, CoachingChannel


def render_admins(
    bootstrap: Sequence[str], stored: Sequence[Admin], workspace_admins: bool
) -> list[SlackMessage]:
    lines = [f"{who(user)} · from ADMIN_USER_IDS (change it on the server)" for user in bootstrap]
    lines += [
        f"{who(admin.slack_user_id)} · added by {who(admin.added_by or 'unknown')} · "
        f"{when(admin.created_at)}"
        for admin in stored
        if admin.slack_user_id not in bootstrap
    ]
    note = (
        "Slack workspace admins and owners are also coach admins (coach.yaml "
        "`admins.workspace_admins_are_admins`)."
        if workspace_admins
        else "Only the people listed are admins."
    )
    return admin_reply("Memo Coach admins", bullets(lines, escape=False) or "None yet.", note=note)


def render_admin_changes(added: Sequence[str], already: Sequence[str]) -> SlackMessage:
    parts = []
    if added:
        parts.append("Now admins: " + ", ".join(who(u) for u in added) + ".")
    if already:
        parts.append("Already admins: " + ", ".join(who(u) for u in already) + ".")
    return admin_notice(" ".join(parts))


def render_admin_removals(
    removed: Sequence[str], not_admins: Sequence[str], bootstrap: Sequence[str]
) -> SlackMessage:
    parts = []
    if removed:
        parts.append("No longer admins: " + ", ".join(who(u) for u in removed) + ".")
    if not_admins:
        parts.append("Not admins (added in Slack): " + ", ".join(who(u) for u in not_admins) + ".")
    if bootstrap:
        parts.append(
            "Admins from ADMIN_USER_IDS stay admins until the variable is changed on the "
            "server: " + ", ".join(who(u) for u in bootstrap) + "."
        )
    return admin_notice(" ".join(parts))


def render_last_admin() -> SlackMessage:
    return admin_notice(
        ":no_entry: That would leave the coach without any admin, so nothing was changed. "
        "Add another admin first."
    )


def render_channels(channels: Sequence[CoachingChannel]) -> list[SlackMessage]:
    lines = [
        f"<#{c.channel_id}> · added by {who(c.added_by or 'unknown')} · {when(c.created_at)}"
        for c in channels
    ]
    return admin_reply(
        "Coaching channels",
        bullets(lines, escape=False) or "None yet.",
        note="Every .docx, .pdf, .txt or .md file shared in these channels is coached "
        "(the bot must be a member: `/invite @Memo Coach`).",
    )


def render_channel_changes(
    done: Sequence[str], unchanged: Sequence[str], *, adding: bool
) -> SlackMessage:
    parts = []
    if done:
        verb = "Now coaching" if adding else "No longer coaching"
        parts.append(f"{verb}: " + ", ".join(f"<#{c}>" for c in done) + ".")
    if unchanged:
        state = "Already coaching" if adding else "Was not coaching"
        parts.append(f"{state}: " + ", ".join(f"<#{c}>" for c in unchanged) + ".")
    if adding and done:
        parts.append("Invite me there (`/invite @Memo Coach`) so I see the files.")
    return admin_notice(" ".join(parts))
