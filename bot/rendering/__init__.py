"""All Block Kit construction lives here; handlers and the CLI only call these functions."""

from bot.rendering.evaluation import render_evaluation
from bot.rendering.messages import SlackMessage

__all__ = ["SlackMessage", "render_evaluation"]
