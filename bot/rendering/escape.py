"""Make untrusted text (model output, memo quotes) safe to post as Slack mrkdwn.

Slack turns ``<!channel>``, ``<@U123>`` and ``<https://x|label>`` into pings and masked
links; escaping ``& < >`` as Slack documents makes them literal text. Bare ``@here``
style words are broken with a zero-width space so no client setting can ping from them.
"""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
ZERO_WIDTH_SPACE = "\u200b"


def escape_mrkdwn(text: str) -> str:
    """Escape text for a mrkdwn or plain_text field."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + ZERO_WIDTH_SPACE + m.group(1), escaped)


def truncate(text: str, limit: int) -> str:
    """Cut to ``limit`` characters with an ellipsis, never splitting an escape entity
    (``&amp;`` and friends are at most 5 characters, so only a short tail is checked)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", max(0, len(cut) - 5))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def blockquote(text: str) -> str:
    """Quote (already escaped) text line by line, as Slack's ``>`` needs."""
    return "\n".join("&gt; " + line if line.strip() else "&gt;" for line in text.splitlines())
