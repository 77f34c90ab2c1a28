"""Reading a Messages API response: whether it is a message at all, where the answer
is (the forced tool call or the text), the answer as JSON, and the tokens it cost."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from anthropic.types import Message

from evaluation.model_answer import InvalidAnswer
from evaluation.prompts import TOOL_NAME
from evaluation.result import TokenUsage

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass(frozen=True)
class ReplyContent:
    """The part of a response that carries the answer."""

    text: str
    tool_use: tuple[str, dict[str, object]] | None


def reply_content(message: Message) -> ReplyContent:
    text = "".join(block.text for block in message.content if block.type == "text")
    for block in message.content:
        if block.type == "tool_use" and block.name == TOOL_NAME and isinstance(block.input, dict):
            return ReplyContent(text=text, tool_use=(block.id, dict(block.input)))
    return ReplyContent(text=text, tool_use=None)


def decode_answer(content: ReplyContent, stop_reason: str | None) -> object:
    """The answer as JSON data, from the forced tool call or from the text."""
    if content.tool_use is not None:
        return content.tool_use[1]
    text = content.text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"the answer is not valid JSON ({exc.msg} at character {exc.pos})"
        if stop_reason == "max_tokens":
            problem += "; it was cut off at the output token limit"
        raise InvalidAnswer("json", [problem]) from None


def add_usage(total: TokenUsage, message: Message) -> TokenUsage:
    usage = message.usage
    return TokenUsage(
        input=total.input + usage.input_tokens,
        output=total.output + usage.output_tokens,
        cache_read=total.cache_read + (usage.cache_read_input_tokens or 0),
        cache_write=total.cache_write + (usage.cache_creation_input_tokens or 0),
    )


def readable(message: Message) -> bool:
    """The SDK builds a Message from any 2xx JSON without validating it."""
    usage = getattr(message, "usage", None)
    return (
        isinstance(getattr(message, "content", None), list)
        and isinstance(getattr(usage, "input_tokens", None), int)
        and isinstance(getattr(usage, "output_tokens", None), int)
    )
