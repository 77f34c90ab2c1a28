"""`memo-coach digest --now [--manager U…]`: send manager digests immediately.

Scheduled digests are sent by `memo-coach run`; this is for a first try-out or a resend.
It uses the same Services as the bot, and the same per-run claims, so it never races a
running bot into sending one digest twice.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.digests import DigestReport, send_digests_now
from bot.runners import build_services
from bot.runtime import StartupError, load_runtime


async def _send(manager: str | None) -> DigestReport:
    try:
        runtime = load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc
    if not runtime.settings.slack_bot_token:
        raise CommandError("SLACK_BOT_TOKEN is not set: digests are sent as Slack DMs")
    services = await build_services(runtime)
    try:
        return await send_digests_now(services, manager_slack_id=manager)
    finally:
        await services.aclose()


def _print(report: DigestReport, manager: str | None) -> None:
    attempted = len(report.sent) + len(report.skipped) + len(report.failed)
    if attempted == 0:
        who = f"{manager} manages no team" if manager else "no manager has a team yet"
        print(f"No digests to send: {who}.")
        return
    print(f"Digests for {report.period.label}: sent {len(report.sent)}", end="")
    if report.skipped:
        print(f", already sent {len(report.skipped)}", end="")
    print(f", failed {len(report.failed)}.")
    for failed_manager, reason in report.failed.items():
        print(f"  {failed_manager}: {reason}")


def digest(args: argparse.Namespace) -> int:
    if not args.now:
        raise CommandError(
            "scheduled digests are sent by `memo-coach run` (coach.yaml `digest`); "
            "use `memo-coach digest --now` to send them immediately"
        )
    report = asyncio.run(_send(args.manager))
    _print(report, args.manager)
    return 1 if report.failed else 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("digest", help="send the manager digests now")
    parser.add_argument("--now", action="store_true", help="send immediately")
    parser.add_argument("--manager", metavar="U…", help="only this manager's digest")
    parser.set_defaults(handler=digest)
