"""Short commands are recognised however they are typed; mentions in Slack's escaped form
(`<@U123|name>`, sent because the manifest sets should_escape) are parsed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.command_words import (
    Command,
    mentioned_channels,
    mentioned_users,
    parse_command,
    strip_mentions,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", Command.HELP),
        ("  HELP! ", Command.HELP),
        ("<@UBOT> help", Command.HELP),
        ("<@UBOT|memo-coach> rubric", Command.RUBRIC),
        ("forget   me", Command.FORGET_ME),
        ("Forget me.", Command.FORGET_ME),
        ("progress", Command.PROGRESS),
        ("history", Command.HISTORY),
        ("privacy", Command.PRIVACY),
        ("ayuda", Command.HELP),
        ("help me write a memo about the Q3 budget", None),
        ("We recommend moving to annual pricing.", None),
        ("", None),
        ("help" + " " * 300, None),  # longer than any command: a memo, not read further
        ("<@U0123456789|memo-coach> " * 5 + "help", Command.HELP),
    ],
)
def test_parse_command(text: str, expected: Command | None) -> None:
    assert parse_command(text) == expected


def test_escaped_mentions() -> None:
    text = "team set <@U123|ana> <@W456|bo.reader> <@U123> in <#C42|general>"
    assert mentioned_users(text) == ["U123", "W456"]
    assert mentioned_channels(text) == ["C42"]
    assert strip_mentions("<@UBOT|memo-coach> help", "UBOT") == "help"
    assert strip_mentions("<@UOTHER> help", "UBOT") == "<@UOTHER> help"


@given(st.text(max_size=300))
def test_never_crashes(text: str) -> None:
    parse_command(text)
    mentioned_users(text)
    strip_mentions(text)
