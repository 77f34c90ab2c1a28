"""Answers to the short commands (help, rubric, privacy, progress, history, forget me),
shared by the slash command and DMs: read what is needed, then render.

Progress goes to the user's DM with its chart in the thread (a background task, see
bot/progress_report.py); where the command was ephemeral, the answer points there.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import is_admin
from bot.progress_report import load_progress, start_progress_report, thread_permalinks
from bot.rendering import SlackMessage
from bot.rendering.forget_me import render_forget_me_confirm
from bot.rendering.help import render_help
from bot.rendering.privacy import render_privacy
from bot.rendering.progress_blocks import (
    render_history,
    render_progress,
    render_progress_here,
    render_progress_pointer,
)
from bot.rendering.rubric_view import render_rubric
from bot.services import Services
from handlers.admin import is_admin_command, run_admin_command
from handlers.command_words import Command, parse_command
from storage.repositories.rubrics import active_rubric

ACK_WAIT_SECONDS = 1.5
"""How long a slash command waits for the DM post, to link to it; Slack wants the ack
within 3 s, so after this the ack goes without the link and the post carries on."""


def evaluator_label(services: Services) -> str:
    """Where memos go for scoring, for the privacy notice."""
    name = services.evaluator.name
    if name == "offline":
        return "nowhere: memos are scored by rules on our own server (offline evaluator)"
    model = services.runtime.config.llm.model
    return f"Anthropic's API (model {model})"


async def answer_command(
    services: Services, command: Command, slack_user_id: str
) -> list[SlackMessage]:
    """Replies that need only the database (progress here is the summary without the
    chart, for surfaces that cannot take a DM post)."""
    coach = services.runtime.config.coach
    if command is Command.PRIVACY:
        return [render_privacy(coach, evaluator_label=evaluator_label(services))]
    if command is Command.FORGET_ME:
        return [render_forget_me_confirm()]
    if command in (Command.PROGRESS, Command.HISTORY):
        data = await load_progress(services, slack_user_id)
        if command is Command.HISTORY:
            recent = data.progress.recent if data.progress else []
            return [render_history(recent, scale_max=data.scale_max)]
        return render_progress(
            data.progress,
            scale_max=data.scale_max,
            scale_min=data.scale_min,
            criterion_order=data.criterion_order,
        )
    async with services.database.session() as session:
        rubric = await active_rubric(session)
    if command is Command.RUBRIC:
        return render_rubric(rubric.rubric, rubric.version)
    return [
        render_help(
            rubric.rubric,
            rubric.version,
            max_characters=coach.memo.max_characters,
            is_admin=await is_admin(services, slack_user_id),
        )
    ]


async def progress_replies(
    services: Services, client: AsyncWebClient, slack_user_id: str, *, ephemeral: bool
) -> list[SlackMessage]:
    """Start posting progress to the DM. An ephemeral surface (the slash command) gets a
    pointer, linked when the post was quick; a DM gets nothing more (the post is there)."""
    data = await load_progress(services, slack_user_id)
    if not data.has_memos:
        return render_progress(None)
    report = start_progress_report(services, client, slack_user_id, data)
    if not ephemeral:
        return []
    posted = await report.wait_posted(ACK_WAIT_SECONDS)
    if posted is None and report.failed:
        return render_progress_here(
            data.progress,
            scale_max=data.scale_max,
            scale_min=data.scale_min,
            criterion_order=data.criterion_order,
        )
    permalink = posted.permalink if posted else None
    return [render_progress_pointer(permalink, posted=posted is not None)]


async def history_reply(
    services: Services, client: AsyncWebClient, slack_user_id: str
) -> SlackMessage:
    """The last memos, linked with Slack permalinks (app_redirect when one is slow)."""
    data = await load_progress(services, slack_user_id)
    recent = data.progress.recent if data.progress else []
    links = await thread_permalinks(client, recent)
    return render_history(recent, scale_max=data.scale_max, permalinks=links)


async def command_replies(
    services: Services,
    client: AsyncWebClient,
    slack_user_id: str,
    text: str,
    *,
    ephemeral: bool,
    trigger_id: str | None = None,
) -> list[SlackMessage] | None:
    """Replies when ``text`` is a short command or an admin command; None for a memo.

    ``ephemeral``: the replies are shown only to the user (slash command), so progress
    is posted to the DM with a pointer here; otherwise they go straight into the DM."""
    word = parse_command(text)
    if word is Command.PROGRESS:
        return await progress_replies(services, client, slack_user_id, ephemeral=ephemeral)
    if word is Command.HISTORY:
        return [await history_reply(services, client, slack_user_id)]
    if word is not None:
        return await answer_command(services, word, slack_user_id)
    if is_admin_command(text):
        return list(
            await run_admin_command(services, client, slack_user_id, text, trigger_id=trigger_id)
        )
    return None
