"""`admin channel add|remove|list #channel …`: coaching channels, where every shared memo
file is coached (not only files that @mention the bot)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.rendering import SlackMessage
from bot.rendering.admin_people import render_channel_changes, render_channels
from bot.rendering.admin_reply import render_usage
from handlers.admin.context import AdminArea, AdminRequest
from handlers.command_words import mentioned_channels
from storage.repositories.audit import record_audit
from storage.repositories.channels import (
    add_coaching_channel,
    list_coaching_channels,
    remove_coaching_channel,
)

USAGE = ("`admin channel add|remove #channel …` · `admin channel list` — coaching channels",)
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


def _channels(request: AdminRequest) -> list[str]:
    """Escaped mentions (`<#C123|name>`), or bare ids typed by hand."""
    typed = [word for word in request.args[1:] if CHANNEL_ID.match(word)]
    return list(dict.fromkeys(mentioned_channels(request.text) + typed))


async def _change(request: AdminRequest, channels: list[str], *, adding: bool) -> SlackMessage:
    done, unchanged = [], []
    action = "channel.add" if adding else "channel.remove"
    async with request.services.database.transaction() as session:
        for channel in channels:
            if adding:
                changed = await add_coaching_channel(session, channel, added_by=request.actor)
            else:
                changed = await remove_coaching_channel(session, channel)
            if changed:
                done.append(channel)
                await record_audit(session, request.actor, action, target=channel)
            else:
                unchanged.append(channel)
    return render_channel_changes(done, unchanged, adding=adding)


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    sub = request.args[0].lower() if request.args else "list"
    if sub == "list":
        async with request.services.database.session() as session:
            return render_channels(await list_coaching_channels(session))
    channels = _channels(request)
    if sub in ("add", "remove") and channels:
        return [await _change(request, channels, adding=sub == "add")]
    return [render_usage(USAGE)]


AREA = AdminArea(handler=handle, usage=USAGE)
