"""One module per `memo-coach` sub-command. Each defines ``add_parser(sub)`` (its
arguments, with ``handler`` set to a function that takes the parsed arguments, returns an
exit code, and raises CommandError with a message for the person at the terminal).
To add a command: write its module and list it in COMMAND_MODULES."""

from types import ModuleType

from bot.commands import (
    backup,
    config_validate,
    database,
    demo,
    digest,
    evaluate,
    progress,
    rubric,
    run,
)
from bot.commands.errors import CommandError

COMMAND_MODULES: tuple[ModuleType, ...] = (
    run,
    demo,
    evaluate,
    progress,
    digest,
    database,
    backup,
    rubric,
    config_validate,
)

__all__ = ["COMMAND_MODULES", "CommandError"]
