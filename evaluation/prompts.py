"""Build the Messages API request for one evaluation.

Layout, chosen for prompt caching and for prompt-injection safety:

1. ``tools`` (tool mode) or ``output_config`` (json_schema mode): the output schema,
   derived from the rubric only.
2. ``system``: one text block (instructions + the rubric rendered as text) marked with
   ``cache_control``. Together with the tool it is the cached prefix, so it must be
   byte-identical for every memo and user: nothing per-memo, per-user or time-based
   may go in it.
3. ``messages``: one user turn built from ``memo_template``; the memo comes last,
   between ``<memo>`` and ``</memo>``, and cannot close that block itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from anthropic.types import (
    CacheControlEphemeralParam,
    MessageParam,
    OutputConfigParam,
    TextBlockParam,
    ToolChoiceToolParam,
    ToolParam,
)

from config.llm import LlmConfig
from evaluation.language import SUPPORTED_LANGUAGES
from evaluation.memo import Memo, RubricVersion
from evaluation.output_schema import evaluation_schema
from evaluation.prompt_template import MEMO_PLACEHOLDER, RUBRIC_PLACEHOLDER, PromptTemplate
from evaluation.rubric import Rubric

TOOL_NAME = "record_evaluation"
TOOL_DESCRIPTION = (
    "Record your evaluation of the memo: a score and justification for every rubric "
    "criterion, strengths, opportunities and comments on verbatim quotes of the memo."
)
DEFAULT_LANGUAGE = "English"
ESCAPED_MEMO_CLOSE = "<\\/memo>"
ESCAPED_MEMO_OPEN = "&lt;memo&gt;"
CACHE_CONTROL: CacheControlEphemeralParam = {"type": "ephemeral"}

# Any spelling a model might read as a delimiter: </memo>, </MEMO>, < / memo >...
_CLOSE_TAG = re.compile(r"<\s*/\s*memo\s*>", re.IGNORECASE)
_OPEN_TAG = re.compile(r"<\s*memo\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class MessagesRequest:
    """Everything sent to ``messages.create`` (the API key and transport aside)."""

    model: str
    max_tokens: int
    system: list[TextBlockParam]
    messages: list[MessageParam]
    tools: list[ToolParam] | None = None
    tool_choice: ToolChoiceToolParam | None = None
    output_config: OutputConfigParam | None = None
    temperature: float | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body as the API receives it (for raw_prompt and debugging)."""
        body: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens}
        if self.tools is not None:
            body["tools"] = self.tools
            body["tool_choice"] = self.tool_choice
        if self.output_config is not None:
            body["output_config"] = self.output_config
        if self.temperature is not None:
            body["temperature"] = self.temperature
        body["system"] = self.system
        body["messages"] = self.messages
        return body

    def to_json(self) -> str:
        return json.dumps(self.body(), ensure_ascii=False)


# --- the stable, cached part -------------------------------------------------------


def render_rubric(rubric: Rubric) -> str:
    """The rubric as plain text the model reads: scale, frameworks, criteria with every
    level's guidance. Deterministic, so the cached prefix never changes by accident."""
    scale = rubric.scale
    lines = [f"# Rubric: {rubric.name}"]
    if rubric.description.strip():
        lines += ["", rubric.description.strip()]
    lines += [
        "",
        f"Scale: score every criterion with a whole number from {scale.min} (lowest) "
        f"to {scale.max} (highest).",
    ]
    names = {framework.key: framework.name for framework in rubric.frameworks}
    if rubric.frameworks:
        lines += ["", "## Frameworks"]
        for framework in rubric.frameworks:
            lines += ["", f"### {framework.name}", framework.description.strip()]
    lines += ["", "## Criteria"]
    for criterion in rubric.criteria:
        lines += [
            "",
            f"### {criterion.name} (key: {criterion.key}, weight: {criterion.weight}%)",
            criterion.description.strip(),
        ]
        if criterion.frameworks:
            used = ", ".join(names.get(key, key) for key in criterion.frameworks)
            lines.append(f"Frameworks: {used}")
        lines.append("Levels:")
        lines += [f"- {level}: {criterion.levels[level].strip()}" for level in scale.levels]
    return "\n".join(lines)


def system_text(prompt: PromptTemplate, rubric: Rubric) -> str:
    return prompt.system.replace(RUBRIC_PLACEHOLDER, render_rubric(rubric)).strip()


def system_blocks(prompt: PromptTemplate, rubric: Rubric) -> list[TextBlockParam]:
    """The cached system prefix: identical for every memo, user and language."""
    return [{"type": "text", "text": system_text(prompt, rubric), "cache_control": CACHE_CONTROL}]


# --- the per-memo part -------------------------------------------------------------


def language_name(code: str) -> str:
    return SUPPORTED_LANGUAGES.get(code, DEFAULT_LANGUAGE)


def neutralise_memo(text: str) -> str:
    """Escape anything that reads as the closing delimiter, so memo text can never end
    its own data block and pose as instructions."""
    return _CLOSE_TAG.sub(ESCAPED_MEMO_CLOSE, text)


def neutralise_context(text: str) -> str:
    """Writer-supplied context sits outside the memo block; it must not fake one."""
    return _OPEN_TAG.sub(ESCAPED_MEMO_OPEN, neutralise_memo(text)).strip()


def user_text(prompt: PromptTemplate, memo: Memo) -> str:
    """``memo_template`` with its placeholders filled by plain replacement.

    The template is split at ``{memo}`` first so text from the writer (audience, memo)
    is never scanned for placeholders: a memo containing "{language}" stays literal.
    """
    head, tail = prompt.memo_template.split(MEMO_PLACEHOLDER, 1)
    values = (
        ("{language}", language_name(memo.language)),
        ("{audience}", neutralise_context(memo.audience or "")),
    )
    for placeholder, value in values:
        # Fixed values first, then writer text, so writer text is never rescanned.
        head = head.replace(placeholder, value)
        tail = tail.replace(placeholder, value)
    return head + neutralise_memo(memo.text) + tail.rstrip()


def user_message(prompt: PromptTemplate, memo: Memo) -> MessageParam:
    return {"role": "user", "content": [{"type": "text", "text": user_text(prompt, memo)}]}


def build_request(
    prompt: PromptTemplate, rubric: RubricVersion, memo: Memo, llm: LlmConfig
) -> MessagesRequest:
    """The first request for ``memo``: stable prefix first, memo last."""
    schema = evaluation_schema(rubric.rubric)
    request = MessagesRequest(
        model=llm.model,
        max_tokens=llm.max_tokens,
        system=system_blocks(prompt, rubric.rubric),
        messages=[user_message(prompt, memo)],
        temperature=llm.temperature,
    )
    if llm.output_mode == "tool":
        tool: ToolParam = {
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "input_schema": schema,
            "strict": True,
        }
        return replace(
            request,
            tools=[tool],
            tool_choice={"type": "tool", "name": TOOL_NAME, "disable_parallel_tool_use": True},
        )
    return replace(request, output_config={"format": {"type": "json_schema", "schema": schema}})


# --- repair ------------------------------------------------------------------------


def repair_note(problems: list[str]) -> str:
    listed = "\n".join(f"- {problem}" for problem in problems)
    return (
        "Your previous answer could not be used:\n"
        f"{listed}\n"
        "Return the complete evaluation again, valid against the required schema: every "
        "rubric criterion exactly once with a whole-number score on the scale, and quotes "
        "copied verbatim from the memo. Keep it concise."
    )


def with_repair(
    request: MessagesRequest,
    *,
    answer_text: str,
    tool_use: tuple[str, dict[str, object]] | None,
    problems: list[str],
) -> MessagesRequest:
    """``request`` plus the rejected answer and what was wrong with it.

    A rejected tool call is answered with an error ``tool_result`` (the API requires a
    tool_use to be followed by its result); a rejected text answer with a user note.
    The system prefix is untouched, so the repair call reads it from the cache.
    """
    note = repair_note(problems)
    if tool_use is not None:
        tool_id, tool_input = tool_use
        assistant: MessageParam = {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": tool_id, "name": TOOL_NAME, "input": tool_input}
            ],
        }
        reply: MessageParam = {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": tool_id, "is_error": True, "content": note}
            ],
        }
        return replace(request, messages=[*request.messages, assistant, reply])
    turns: list[MessageParam] = []
    if answer_text.strip():
        turns.append({"role": "assistant", "content": [{"type": "text", "text": answer_text}]})
    turns.append({"role": "user", "content": [{"type": "text", "text": note}]})
    return replace(request, messages=[*request.messages, *turns])
