"""A loopback fake of the Anthropic Messages API for tests and benchmarks.

The real SDK talks real HTTP to it, so retries, timeouts, headers and JSON handling are
exercised exactly as in production. By default it answers a valid evaluation *derived
from the request*: criterion keys and the score scale come from the output schema,
quotes are sentences copied from between ``<memo>`` and ``</memo>``, the feedback
language follows "Write the feedback in <Language>". It checks the request shape like
the real API would (400 with an Anthropic-style error body when wrong), simulates
prompt caching in ``usage``, records every request, and can be scripted to fail.

    async with FakeAnthropic() as fake:
        fake.script(Scripted.rate_limited(retry_after=0.1), Scripted.overloaded())
        ...  # point AnthropicEvaluator at fake.base_url
        assert fake.requests[-1].headers["anthropic-version"]
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import LoopbackServer

MEMO_OPEN = "<memo>"
MEMO_CLOSE = "</memo>"
DEFAULT_FABRICATED_QUOTE = "We will triple revenue by Tuesday without hiring anyone."
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_UNSUPPORTED_SCHEMA_KEYS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
    "uniqueItems",
)
_PHRASES = {
    "English": {
        "justification": "The memo addresses this criterion in part; see the quoted lines.",
        "strengths": ["The purpose is easy to identify.", "The tone is professional."],
        "opportunities": ["Lead with the decision you need.", "Add numbers with baselines."],
        "comment": "This sentence could be sharper.",
        "question": "What should the reader do after reading this?",
        "suggestion": "State the ask in the first line.",
    },
    "Spanish": {
        "justification": "El memo cumple en parte este criterio; ver las frases citadas.",
        "strengths": ["El propósito es fácil de identificar.", "El tono es profesional."],
        "opportunities": ["Empieza por la decisión que necesitas.", "Añade cifras con contexto."],
        "comment": "Esta frase podría ser más precisa.",
        "question": "¿Qué debe hacer el lector después de leer esto?",
        "suggestion": "Plantea la petición en la primera línea.",
    },
}


@dataclass(frozen=True)
class AnswerContext:
    """What the fake derived from a request; handed to answer tweaks."""

    keys: list[str]
    levels: list[int]
    memo: str
    language: str
    mode: str  # "tool" or "json_schema"


AnswerTweak = Callable[[dict[str, Any], AnswerContext], dict[str, Any]]


@dataclass(frozen=True)
class Scripted:
    """One scripted reply, used by the next call (after the request shape is checked).

    ``status != 200`` or ``body`` replies verbatim; otherwise the derived evaluation is
    sent, optionally tweaked by ``answer`` or replaced by the raw ``text`` content.
    """

    status: int = 200
    body: Mapping[str, Any] | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float | None = None
    answer: AnswerTweak | None = None
    text: str | None = None

    @classmethod
    def error(
        cls, status: int, error_type: str, message: str, retry_after: float | None = None
    ) -> Scripted:
        headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
        body = {"type": "error", "error": {"type": error_type, "message": message}}
        return cls(status=status, body=body, headers=headers)

    @classmethod
    def rate_limited(cls, retry_after: float | None = 0.0) -> Scripted:
        return cls.error(429, "rate_limit_error", "Rate limited (fake).", retry_after)

    @classmethod
    def overloaded(cls, retry_after: float | None = None) -> Scripted:
        return cls.error(529, "overloaded_error", "Overloaded (fake).", retry_after)

    @classmethod
    def server_error(cls, retry_after: float | None = None) -> Scripted:
        return cls.error(500, "api_error", "Internal server error (fake).", retry_after)

    @classmethod
    def slow(cls, seconds: float) -> Scripted:
        """A valid answer after ``seconds`` (beyond a client timeout, it never arrives)."""
        return cls(delay=seconds)

    @classmethod
    def malformed_json(cls) -> Scripted:
        """A text answer that is not JSON (in tool mode: the model "forgot" the tool)."""
        return cls(text='{"criteria": [{"key": "oops", "score": ')

    @classmethod
    def score_out_of_range(cls) -> Scripted:
        def tweak(answer: dict[str, Any], context: AnswerContext) -> dict[str, Any]:
            answer["criteria"][0]["score"] = max(context.levels) + 2
            return answer

        return cls(answer=tweak)

    @classmethod
    def answer_with(cls, tweak: AnswerTweak) -> Scripted:
        return cls(answer=tweak)

    @classmethod
    def custom(
        cls, status: int, body: Mapping[str, Any] | str, headers: Mapping[str, str] | None = None
    ) -> Scripted:
        return cls(status=status, body=body, headers=dict(headers or {}))


@dataclass
class RecordedRequest:
    """One request as the fake received it, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float
    status: int = 0
    problems: list[str] = field(default_factory=list)
    reply: Any = None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.body.get("messages") if isinstance(self.body, dict) else None
        return messages if isinstance(messages, list) else []

    def user_texts(self) -> list[str]:
        return [_text_of(m) for m in self.messages if m.get("role") == "user"]

    @property
    def system_blocks(self) -> list[dict[str, Any]]:
        system = self.body.get("system") if isinstance(self.body, dict) else None
        return system if isinstance(system, list) else []

    @property
    def memo(self) -> str | None:
        """The text between the delimiters, as sent (escaped)."""
        return _memo_of(self.messages)


def _text_of(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = []
    for block in content:
        if isinstance(block, dict):
            if block.get("type") == "text":
                parts.append(str(block.get("text", "")))
            elif block.get("type") == "tool_result" and isinstance(block.get("content"), str):
                parts.append(block["content"])
    return "".join(parts)


def _memo_turn(messages: list[dict[str, Any]]) -> str | None:
    for message in messages:
        if message.get("role") == "user" and MEMO_OPEN in _text_of(message):
            return _text_of(message)
    return None


def _memo_of(messages: list[dict[str, Any]]) -> str | None:
    turn = _memo_turn(messages)
    if turn is None:
        return None
    inside = turn[turn.index(MEMO_OPEN) + len(MEMO_OPEN) :]
    end = inside.rfind(MEMO_CLOSE)
    return inside[:end].strip("\n") if end >= 0 else None


def _error_body(error_type: str, message: str, request_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }


# --- request checks ----------------------------------------------------------------


def _schema_problems(schema: Any, path: str = "schema") -> list[str]:
    """The structured-output limits the real API enforces for strict schemas."""
    if not isinstance(schema, dict):
        return [f"{path}: must be an object"]
    problems = [f"{path}.{key}: not supported" for key in _UNSUPPORTED_SCHEMA_KEYS if key in schema]
    if isinstance(schema.get("minItems"), int) and schema["minItems"] > 1:
        problems.append(f"{path}.minItems: only 0 or 1 is supported")
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        problems.append(f"{path}: objects must set additionalProperties to false")
    for name, sub in (schema.get("properties") or {}).items():
        problems += _schema_problems(sub, f"{path}.properties.{name}")
    if "items" in schema:
        problems += _schema_problems(schema["items"], f"{path}.items")
    for keyword in ("anyOf", "allOf"):
        for index, sub in enumerate(schema.get(keyword) or []):
            problems += _schema_problems(sub, f"{path}.{keyword}[{index}]")
    return problems


def _output_schema(body: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None, list[str]]:
    """(mode, schema, problems) for the forced tool or output_config.format."""
    tools = body.get("tools")
    output_config = body.get("output_config")
    if tools is not None and output_config is not None:
        return "tool", None, ["send either a forced tool or output_config.format, not both"]
    if tools is not None:
        choice = body.get("tool_choice")
        if not isinstance(tools, list) or not isinstance(choice, dict):
            return "tool", None, ["tools must be a list and tool_choice must force one tool"]
        if choice.get("type") != "tool":
            return "tool", None, ["tool_choice.type must be 'tool' (forced)"]
        tool = next((t for t in tools if t.get("name") == choice.get("name")), None)
        if tool is None:
            return "tool", None, ["tool_choice.name is not one of the tools"]
        if tool.get("strict") is not True:
            return "tool", None, [f"tools[{tool['name']}].strict must be true"]
        schema = tool.get("input_schema")
        return "tool", schema, _schema_problems(schema, "input_schema")
    if isinstance(output_config, dict):
        fmt = output_config.get("format")
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
            return "json_schema", None, ["output_config.format.type must be 'json_schema'"]
        schema = fmt.get("schema")
        return "json_schema", schema, _schema_problems(schema, "output_config.format.schema")
    return "none", None, ["neither a forced tool nor output_config.format was requested"]


def _system_problems(system: Any, require_cache_control: bool) -> list[str]:
    if not isinstance(system, list) or not system:
        return ["system: must be a non-empty list of text blocks"]
    problems = []
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            problems.append(f"system[{index}]: must be a text block")
        elif not isinstance(block.get("text"), str) or not block["text"]:
            problems.append(f"system[{index}].text: must be a non-empty string")
        elif "cache_control" in block and block["cache_control"].get("type") != "ephemeral":
            problems.append(f"system[{index}].cache_control.type: must be 'ephemeral'")
    if require_cache_control and not any(
        isinstance(b, dict) and b.get("cache_control") for b in system
    ):
        problems.append("system: no block is marked with cache_control")
    return problems


def _message_problems(messages: Any) -> list[str]:
    if not isinstance(messages, list) or not messages:
        return ["messages: must be a non-empty list"]
    problems = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            problems.append(f"messages[{index}].role: must be 'user' or 'assistant'")
            continue
        content = message.get("content")
        if not isinstance(content, str | list) or not content:
            problems.append(f"messages[{index}].content: must not be empty")
            continue
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "text" and not block.get("text"):
                problems.append(f"messages[{index}]: text content blocks must be non-empty")
        tool_ids = (
            [b.get("id") for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
            if isinstance(content, list)
            else []
        )
        if tool_ids:
            following = messages[index + 1] if index + 1 < len(messages) else {}
            results = following.get("content") if following.get("role") == "user" else None
            answered = {
                b.get("tool_use_id")
                for b in (results if isinstance(results, list) else [])
                if isinstance(b, dict) and b.get("type") == "tool_result"
            }
            if set(tool_ids) - answered:
                problems.append(
                    f"messages[{index + 1}]: tool_use ids {tool_ids} must be answered by "
                    "tool_result blocks in the next user message"
                )
    if problems:
        return problems
    if messages[0]["role"] != "user":
        problems.append("messages[0].role: the first message must be from the user")
    if messages[-1]["role"] != "user":
        problems.append("messages[-1].role: the last message must be from the user")
    return problems


def _memo_problems(messages: list[dict[str, Any]]) -> list[str]:
    """The memo turn holds one ``<memo>`` block, closed exactly once, at its very end."""
    turn = _memo_turn(messages)
    if turn is None:
        return ["no user message contains the memo between <memo> and </memo>"]
    inside = turn[turn.index(MEMO_OPEN) + len(MEMO_OPEN) :]
    if inside.count(MEMO_CLOSE) != 1:
        return [f"the memo block must be closed exactly once (found {inside.count(MEMO_CLOSE)})"]
    if inside.split(MEMO_CLOSE, 1)[1].strip():
        return ["the memo must come last: text follows </memo>"]
    return []


# --- the fake ----------------------------------------------------------------------


class FakeAnthropic(LoopbackServer):
    """Serve ``POST /v1/messages`` on 127.0.0.1 (free port); see the module docstring.

    ``api_key``: when set, requests must carry it (``x-api-key`` or ``Authorization:
    Bearer``; SDK 2.x sends the latter). ``latency``: default seconds before each
    answer. ``altered_quote`` / ``fabricated_quote``: add a quote with curly quotes and
    collapsed whitespace, and one that is not in the memo. ``scores``: fixed scores by
    criterion key (others are derived deterministically from the memo).

    Inspect ``requests`` (each with ``body``, lower-cased ``headers``, ``status``,
    ``problems`` and the ``reply`` sent), ``max_in_flight`` (peak concurrent calls) and
    ``pending`` (scripted replies not used yet).
    """

    handler_cancellation = True  # a client that gives up (timeout) ends its call

    def __init__(
        self,
        *,
        api_key: str | None = None,
        latency: float = 0.0,
        altered_quote: bool = False,
        fabricated_quote: bool = False,
        scores: Mapping[str, int] | None = None,
        require_cache_control: bool = True,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.latency = latency
        self.altered_quote = altered_quote
        self.fabricated_quote = fabricated_quote
        self.scores = dict(scores or {})
        self.require_cache_control = require_cache_control
        self.requests: list[RecordedRequest] = []
        self._script: deque[Scripted] = deque()
        self._cache: set[str] = set()
        self._counter = 0
        self._closing = asyncio.Event()
        self.in_flight = 0
        self.max_in_flight = 0

    # lifecycle

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("FakeAnthropic is not started")
        return f"http://127.0.0.1:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_route("*", "/{tail:.*}", self._not_found)

    async def close(self) -> None:
        self._closing.set()
        await super().close()

    # scripting and inspection

    def script(self, *replies: Scripted) -> None:
        """Queue replies for the next calls; afterwards the default answer resumes."""
        self._script.extend(replies)

    @property
    def pending(self) -> int:
        return len(self._script)

    def reset_cache(self) -> None:
        self._cache.clear()

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    # handlers

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}_fake_{self._counter:04d}"

    async def _not_found(self, request: web.Request) -> web.Response:
        rid = self._next_id("req")
        return web.json_response(
            _error_body("not_found_error", f"{request.method} {request.path} not found", rid),
            status=404,
            headers={"request-id": rid},
        )

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        rid = self._next_id("req")
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        self.requests.append(record)

        status, error_type, problems = self._check(record)
        if problems:
            record.status, record.problems = status, problems
            record.reply = _error_body(error_type, "; ".join(problems), rid)
            return web.json_response(record.reply, status=status, headers={"request-id": rid})

        scripted = self._script.popleft() if self._script else Scripted()
        delay = scripted.delay if scripted.delay is not None else self.latency
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), timeout=delay)
        headers = {"request-id": rid, **scripted.headers}
        record.status = scripted.status
        if scripted.status != 200 or scripted.body is not None:
            record.reply = scripted.body
            if isinstance(scripted.body, str):
                return web.Response(
                    text=scripted.body,
                    status=scripted.status,
                    headers=headers,
                    content_type="application/json",
                )
            payload = dict(scripted.body or {})
            if payload.get("type") == "error":
                payload.setdefault("request_id", rid)
            return web.json_response(payload, status=scripted.status, headers=headers)
        record.reply = self._reply(body, scripted)
        return web.json_response(record.reply, headers=headers)

    def _check(self, record: RecordedRequest) -> tuple[int, str, list[str]]:
        headers = record.headers
        bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
        key = headers.get("x-api-key") or bearer
        if not key or (self.api_key is not None and key != self.api_key):
            return 401, "authentication_error", ["invalid x-api-key"]
        problems = []
        if not headers.get("anthropic-version"):
            problems.append("anthropic-version: header is required")
        body = record.body
        if not isinstance(body, dict):
            return 400, "invalid_request_error", [*problems, "body: must be a JSON object"]
        if not isinstance(body.get("model"), str) or not body["model"]:
            problems.append("model: field required")
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            problems.append("max_tokens: must be a positive integer")
        problems += _system_problems(body.get("system"), self.require_cache_control)
        message_problems = _message_problems(body.get("messages"))
        problems += message_problems or _memo_problems(body["messages"])
        _, schema, schema_problems = _output_schema(body)
        problems += schema_problems
        if schema is not None and not schema_problems and _criteria_enums(schema) is None:
            problems.append("schema: no criteria[].key / criteria[].score enums to answer with")
        return 400, "invalid_request_error", problems

    # the derived answer

    def _reply(self, body: dict[str, Any], scripted: Scripted) -> dict[str, Any]:
        mode, schema, _ = _output_schema(body)
        assert schema is not None
        enums = _criteria_enums(schema)
        assert enums is not None
        context = AnswerContext(
            keys=enums[0],
            levels=enums[1],
            memo=_memo_of(body["messages"]) or "",
            language=_requested_language(body["messages"]),
            mode=mode,
        )
        content: list[dict[str, Any]]
        if scripted.text is not None:
            content = [{"type": "text", "text": scripted.text}]
            stop_reason = "end_turn"
        else:
            answer = self.derive_answer(context)
            if scripted.answer is not None:
                answer = scripted.answer(answer, context)
            if mode == "tool":
                tool_name = body["tool_choice"]["name"]
                content = [
                    {
                        "type": "tool_use",
                        "id": self._next_id("toolu"),
                        "name": tool_name,
                        "input": answer,
                    }
                ]
                stop_reason = "tool_use"
            else:
                text = json.dumps(answer, ensure_ascii=False)
                content = [{"type": "text", "text": text}]
                stop_reason = "end_turn"
        return {
            "id": self._next_id("msg"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": self._usage(body, content),
        }

    def derive_answer(self, context: AnswerContext) -> dict[str, Any]:
        """A valid evaluation for the memo in ``context`` (public for benchmarks)."""
        phrases = _PHRASES.get(context.language, _PHRASES["English"])
        criteria = []
        for key in context.keys:
            digest = hashlib.sha256(f"{key}\n{context.memo}".encode()).digest()
            default = context.levels[digest[0] % len(context.levels)]
            criteria.append(
                {
                    "key": key,
                    "score": self.scores.get(key, default),
                    "justification": phrases["justification"],
                }
            )
        sentences = [s.strip() for s in _SENTENCE_END.split(context.memo) if len(s.strip()) >= 12]
        quotes = sentences[:3]
        if self.altered_quote:
            # Prefer a sentence not already quoted verbatim.
            altered = _altered([*sentences[3:], *sentences[:3]])
            if altered is not None:
                quotes = [q for q in quotes if q != altered[0]] + [altered[1]]
        if self.fabricated_quote:
            fabricated = DEFAULT_FABRICATED_QUOTE
            if fabricated in context.memo:  # pragma: no cover - vanishingly unlikely
                fabricated += " (fabricated)"
            quotes.append(fabricated)
        segments = [
            {
                "quote": quote,
                "comment": phrases["comment"],
                "questions": [phrases["question"]],
                "suggestions": [phrases["suggestion"]],
            }
            for quote in quotes
        ]
        return {
            "criteria": criteria,
            "strengths": list(phrases["strengths"]),
            "opportunities": list(phrases["opportunities"]),
            "segments": segments,
        }

    def _usage(self, body: dict[str, Any], content: list[dict[str, Any]]) -> dict[str, int]:
        """Prompt caching as the API reports it: the prefix up to the last
        cache_control-marked system block (tools included) is written on first sight
        and read afterwards; everything else is plain input. ~4 characters a token."""
        system = body["system"]
        marked = [i for i, block in enumerate(system) if block.get("cache_control")]
        tools = json.dumps(body.get("tools") or [], sort_keys=True)
        rest = json.dumps(body["messages"]) + json.dumps(body.get("output_config") or {})
        cache_read = cache_write = 0
        if marked:
            cut = marked[-1] + 1
            prefix = tools + "".join(block["text"] for block in system[:cut])
            rest += "".join(block["text"] for block in system[cut:])
            tokens = len(prefix) // 4
            digest = hashlib.sha256(prefix.encode()).hexdigest()
            if digest in self._cache:
                cache_read = tokens
            else:
                self._cache.add(digest)
                cache_write = tokens
        else:
            rest += tools + "".join(block["text"] for block in system)
        return {
            "input_tokens": max(1, len(rest) // 4),
            "output_tokens": max(1, len(json.dumps(content)) // 4),
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
        }


def _criteria_enums(schema: Mapping[str, Any]) -> tuple[list[str], list[int]] | None:
    try:
        item = schema["properties"]["criteria"]["items"]["properties"]
        keys, levels = list(item["key"]["enum"]), list(item["score"]["enum"])
    except (KeyError, TypeError):
        return None
    return (keys, levels) if keys and levels else None


def _requested_language(messages: list[dict[str, Any]]) -> str:
    """The language named in the memo turn, outside the memo itself."""
    turn = _memo_turn(messages) or ""
    instructions = turn.split(MEMO_OPEN, 1)[0]
    for language in _PHRASES:
        if language in instructions:
            return language
    return "English"


def _altered(sentences: list[str]) -> tuple[str, str] | None:
    """(original, altered): curly quotes and collapsed whitespace, which normalised
    anchoring must repair; failing that, a change of case."""
    for sentence in sentences:
        altered = re.sub(r"\s+", " ", sentence).replace("'", "\u2019")
        altered = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", altered)
        if altered != sentence:
            return sentence, altered
    for sentence in sentences:
        if sentence[:1].isalpha() and sentence[:1] != sentence[:1].swapcase():
            return sentence, sentence[:1].swapcase() + sentence[1:]
    return None


__all__ = [
    "AnswerContext",
    "FakeAnthropic",
    "RecordedRequest",
    "Scripted",
]
