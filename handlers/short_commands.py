"""Answers to the short commands (help, rubric, privacy, progress, history, forget me),
shared by the slash command and DMs: read what is needed, then render."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import is_admin
from bot.rendering import SlackMessage
from bot.rendering.forget_me import render_forget_me_confirm
from bot.rendering.help import render_help
from bot.rendering.privacy import render_privacy
from bot.rendering.progress_blocks import render_history, render_progress
from bot.rendering.rubric_view import render_rubric
from bot.services import Services
from handlers.admin import is_admin_command, run_admin_command
from handlers.command_words import Command, parse_command
from storage.repositories.progress import user_progress
from storage.repositories.rubrics import active_rubric
from storage.repositories.users import get_user_by_slack_id


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
    coach = services.runtime.config.coach
    if command is Command.PRIVACY:
        return [render_privacy(coach, evaluator_label=evaluator_label(services))]
    if command is Command.FORGET_ME:
        return [render_forget_me_confirm()]
    async with services.database.session() as session:
        rubric = await active_rubric(session)
        scale_max = rubric.rubric.scale.max
        if command is Command.HELP:
            admin = await is_admin(services, slack_user_id)
            return [
                render_help(
                    rubric.rubric,
                    rubric.version,
                    max_characters=coach.memo.max_characters,
                    is_admin=admin,
                )
            ]
        if command is Command.RUBRIC:
            return render_rubric(rubric.rubric, rubric.version)
        user = await get_user_by_slack_id(session, slack_user_id)
        progress = None if user is None else await user_progress(session, user.id)
    if command is Command.HISTORY:
        return [render_history(progress.recent if progress else [], scale_max=scale_max)]
    return render_progress(progress, scale_max=scale_max)


async def command_replies(
    services: Services,
    client: AsyncWebClient,
    slack_user_id: str,
    text: str,
    *,
    trigger_id: str | None = None,
) -> list[SlackMessage] | None:
    """Replies when ``text`` is a short command or an admin command; None for a memo."""
    word = parse_command(text)
    if word is not None:
        return await answer_command(services, word, slack_user_id)
    if is_admin_command(text):
        return list(
            await run_admin_command(services, client, slack_user_id, text, trigger_id=trigger_id)
        )
    return None
