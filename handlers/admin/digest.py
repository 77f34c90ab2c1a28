"""`/memo-coach admin digest now [@manager]`: send the manager digests immediately.

Slack wants the slash command answered within 3 seconds and a digest round takes longer,
so the reply only says how many managers will get one; the sending runs in the
background and the admin gets a DM with the outcome. (The router has already checked
admin rights and audited the command.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.digests import DigestReport, digest_recipients, send_digests_now, send_in_background
from bot.rendering import SlackMessage
from bot.rendering.digest import (
    render_digest_report,
    render_digest_usage,
    render_digests_started,
)
from handlers.admin.context import AdminArea, AdminRequest

USAGE = (
    "`admin digest now` — send every manager their team digest now",
    "`admin digest now @manager` — send one manager's digest now",
)
_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,30})(?:\|[^>]*)?>|([UW][A-Z0-9]{1,30})")


def _manager(words: list[str]) -> str | None:
    """The Slack id in ``<@U123|name>``, ``<@U123>`` or ``U123``."""
    if not words:
        return None
    match = _MENTION.fullmatch(words[0])
    if match is None:
        raise ValueError(words[0])
    return match.group(1) or match.group(2)


async def digest_now(request: AdminRequest) -> Sequence[SlackMessage]:
    if not request.args or request.args[0].lower() != "now":
        return [render_digest_usage(USAGE)]
    try:
        manager = _manager(request.args[1:])
    except ValueError:
        return [render_digest_usage(USAGE)]
    services = request.services
    async with services.database.session() as session:
        count = len(await digest_recipients(session, manager))
    if count == 0:
        return [render_digests_started(0, manager)]

    async def tell_admin(report: DigestReport) -> None:
        message = render_digest_report(
            report.period.label, report.sent, report.skipped, report.failed
        )
        opened = await services.client.conversations_open(users=request.actor)
        await services.client.chat_postMessage(
            channel=str(opened["channel"]["id"]), **message.payload()
        )

    send_in_background(
        services,
        lambda: send_digests_now(services, manager_slack_id=manager),
        tell_admin,
    )
    return [render_digests_started(count, manager)]


AREA = AdminArea(handler=digest_now, usage=USAGE)
