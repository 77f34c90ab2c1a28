"""One module per `memo-coach` sub-command; each takes parsed arguments, returns an
exit code, and raises CommandError with a message for the person at the terminal."""

from bot.commands.config_validate import config_validate
from bot.commands.database import db_upgrade
from bot.commands.demo import demo
from bot.commands.errors import CommandError
from bot.commands.evaluate import evaluate
from bot.commands.progress import progress
from bot.commands.run import run

__all__ = ["CommandError", "config_validate", "db_upgrade", "demo", "evaluate", "progress", "run"]
