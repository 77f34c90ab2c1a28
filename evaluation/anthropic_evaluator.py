"""Evaluate a memo with Claude through the Anthropic Messages API.

Transport failures (429, 5xx, 529, timeouts) are retried by the SDK with backoff that
honours ``retry-after``; this module adds what the SDK cannot know: whether the answer
fits the rubric. An unusable answer is sent back once or twice with what was wrong
(repair); after that, or when the SDK gives up, ``EvaluationFailed`` lets the caller
fall back. Memo text and the API key never reach the logs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import anthropic
from anthropic import omit
from anthropic.types import Message
from pydantic import BaseModel, ConfigDict, ValidationError

from config.llm import LlmConfig
from config.yaml_files import describe_validation_error
from evaluation.anchoring import DraftSegment, anchor_segments
from evaluation.errors import EvaluationFailed
from evaluation.memo import Memo, RubricVersion
from evaluation.prompt_template import PromptTemplate
from evaluation.prompts import TOOL_NAME, MessagesRequest, build_request, with_repair
from evaluation.result import (
    CriterionScore,
    EvaluationOutcome,
    EvaluationResult,
    TokenUsage,
    overall_score,
)
from evaluation.rubric import Rubric

log = logging.getLogger(__name__)

MAX_PROBLEMS_SENT = 8
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


# --- the answer the model must give ------------------------------------------------


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CriterionAnswer(_Answer):
    key: str
    score: int
    justification: str


class SegmentAnswer(_Answer):
    quote: str
    comment: str
    questions: list[str] = []
    suggestions: list[str] = []


class ModelAnswer(BaseModel):
    """The model's structured answer. Unknown top-level fields (an "overall_score" a
    model adds on its own) are ignored: the overall score is always computed here."""

    model_config = ConfigDict(extra="ignore")

    criteria: list[CriterionAnswer]
    strengths: list[str]
    opportunities: list[str]
    segments: list[SegmentAnswer] = []


class InvalidAnswer(Exception):
    """An answer that cannot be used. ``kind`` is safe to log; ``problems`` (which may
    quote model output) only go back to the model."""

    def __init__(self, kind: str, problems: list[str]) -> None:
        super().__init__(kind)
        self.kind = kind
        self.problems = problems[:MAX_PROBLEMS_SENT]


def rubric_problems(answer: ModelAnswer, rubric: Rubric) -> list[str]:
    """What the schema alone cannot guarantee: every criterion once, scores on scale."""
    problems = []
    expected = [c.key for c in rubric.criteria]
    given = [c.key for c in answer.criteria]
    unknown = sorted({k for k in given if k not in expected})
    missing = [k for k in expected if k not in given]
    repeated = sorted({k for k in given if given.count(k) > 1})
    if unknown:
        problems.append(f"criteria: unknown key(s) {unknown}; use only {expected}")
    if missing:
        problems.append(f"criteria: missing key(s) {missing}; score every criterion")
    if repeated:
        problems.append(f"criteria: key(s) {repeated} given more than once")
    scale = rubric.scale
    for index, criterion in enumerate(answer.criteria):
        if criterion.score not in scale.levels:
            problems.append(
                f"criteria[{index}].score: {criterion.score} is outside the scale "
                f"{scale.min}..{scale.max}"
            )
    return problems


def parse_answer(payload: object, rubric: Rubric) -> ModelAnswer:
    """Validate a decoded answer against the schema and the rubric."""
    try:
        answer = ModelAnswer.model_validate(payload)
    except ValidationError as exc:
        raise InvalidAnswer("schema", describe_validation_error(exc)) from None
    problems = rubric_problems(answer, rubric)
    if problems:
        raise InvalidAnswer("rubric", problems)
    return answer


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


# --- turning an answer into the result contract ------------------------------------


def build_result(
    answer: ModelAnswer, memo: Memo, rubric: RubricVersion, evaluator: str
) -> EvaluationResult:
    """Names and weights from the rubric, scores and words from the model, overall
    score from code, quotes verified against the memo."""
    scores = {c.key: c for c in answer.criteria}
    criteria = [
        CriterionScore(
            key=c.key,
            name=c.name,
            weight=c.weight,
            score=float(scores[c.key].score),
            justification=scores[c.key].justification.strip(),
        )
        for c in rubric.rubric.criteria
    ]
    drafts = [
        DraftSegment(
            quote=s.quote,
            comment=s.comment.strip(),
            questions=tuple(q.strip() for q in s.questions if q.strip()),
            suggestions=tuple(x.strip() for x in s.suggestions if x.strip()),
        )
        for s in answer.segments
    ]
    return EvaluationResult(
        overall_score=overall_score(criteria),
        scale=rubric.rubric.scale,
        evaluator=evaluator,
        rubric_version=rubric.version,
        language=memo.language,
        criteria=criteria,
        strengths=[s.strip() for s in answer.strengths if s.strip()],
        opportunities=[s.strip() for s in answer.opportunities if s.strip()],
        segments=anchor_segments(memo.text, drafts),
    )


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


# --- API failures ------------------------------------------------------------------


def api_failure(exc: anthropic.APIError, llm: LlmConfig) -> EvaluationFailed:
    """A short, memo-free reason. Client errors (bad key, bad request) will not heal by
    retrying later; rate limits, overload, 5xx and timeouts may."""
    if isinstance(exc, anthropic.APITimeoutError):
        return EvaluationFailed(f"model API timed out after {llm.timeout_seconds:g}s per attempt")
    if isinstance(exc, anthropic.APIConnectionError):
        return EvaluationFailed("model API unreachable")
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        kind = f" {exc.type}" if exc.type else ""
        retryable = status in (408, 409, 429) or status >= 500
        return EvaluationFailed(f"model API error HTTP {status}{kind}", retryable=retryable)
    return EvaluationFailed("model API answer could not be read", retryable=True)


class _DropRequestDumps(logging.Filter):
    """The SDK logs whole request bodies (memo included) at DEBUG; drop those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Request options")


_SDK_FILTER = _DropRequestDumps()


def _guard_sdk_logs() -> None:
    logger = logging.getLogger("anthropic._base_client")
    if _SDK_FILTER not in logger.filters:
        logger.addFilter(_SDK_FILTER)


def _log_success(
    result: EvaluationResult,
    proposed_segments: int,
    memo: Memo,
    usage: TokenUsage,
    request_ids: list[str],
    latency_ms: int,
) -> None:
    log.info(
        "evaluated: rubric_version=%d language=%s memo_chars=%d calls=%d segments=%d/%d "
        "tokens_in=%d tokens_out=%d cache_read=%d cache_write=%d latency_ms=%d "
        "message_ids=%s",
        result.rubric_version,
        memo.language,
        len(memo.text),
        len(request_ids),
        len(result.segments),
        proposed_segments,
        usage.input,
        usage.output,
        usage.cache_read,
        usage.cache_write,
        latency_ms,
        ",".join(request_ids),
    )


# --- the evaluator -----------------------------------------------------------------


class AnthropicEvaluator:
    """An ``Evaluator`` backed by Claude. Create once per process and reuse: it holds
    the HTTP connection pool and the limit on calls in flight."""

    def __init__(
        self, api_key: str, base_url: str | None, llm: LlmConfig, prompt: PromptTemplate
    ) -> None:
        _guard_sdk_logs()
        self._llm = llm
        self._prompt = prompt
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            max_retries=llm.max_retries,
            timeout=llm.timeout_seconds,
        )
        self._in_flight = asyncio.Semaphore(llm.concurrency)

    @property
    def name(self) -> str:
        return f"anthropic:{self._llm.model}"

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> AnthropicEvaluator:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def evaluate(self, memo: Memo, rubric: RubricVersion) -> EvaluationOutcome:
        started = time.monotonic()
        request = build_request(self._prompt, rubric, memo, self._llm)
        usage = TokenUsage()
        request_ids: list[str] = []
        attempts = self._llm.repair_attempts + 1
        for attempt in range(attempts):
            message = await self._call(request, rubric, memo)
            usage = add_usage(usage, message)
            request_ids.append(message.id)
            if message.stop_reason == "refusal":
                self._log_failure("refusal", rubric, memo, usage, request_ids, started)
                raise EvaluationFailed("the model declined to evaluate this memo", retryable=False)
            content = reply_content(message)
            try:
                answer = parse_answer(decode_answer(content, message.stop_reason), rubric.rubric)
            except InvalidAnswer as invalid:
                log.warning(
                    "invalid model answer: kind=%s attempt=%d/%d message_id=%s",
                    invalid.kind,
                    attempt + 1,
                    attempts,
                    message.id,
                )
                if attempt + 1 == attempts:
                    self._log_failure(invalid.kind, rubric, memo, usage, request_ids, started)
                    raise EvaluationFailed(
                        f"invalid model answer ({invalid.kind}) after "
                        f"{self._llm.repair_attempts} repair attempt(s)",
                        retryable=False,
                    ) from None
                request = with_repair(
                    request,
                    answer_text=content.text,
                    tool_use=content.tool_use,
                    problems=invalid.problems,
                )
                continue
            result = build_result(answer, memo, rubric, self.name)
            latency_ms = round((time.monotonic() - started) * 1000)
            _log_success(result, len(answer.segments), memo, usage, request_ids, latency_ms)
            return EvaluationOutcome(
                result=result,
                model=message.model or self._llm.model,
                latency_ms=latency_ms,
                usage=usage,
                raw_prompt=request.to_json(),
                raw_response=message.model_dump_json(),
            )
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _call(self, request: MessagesRequest, rubric: RubricVersion, memo: Memo) -> Message:
        """One API call (the SDK retries inside it), limited by the semaphore."""
        extra_body: dict[str, Any] | None = None
        if request.temperature is not None:
            # This SDK version has no temperature parameter; send it as a body field.
            extra_body = {"temperature": request.temperature}
        started = time.monotonic()
        try:
            async with self._in_flight:
                message = await self._client.messages.create(
                    model=request.model,
                    max_tokens=request.max_tokens,
                    system=request.system,
                    messages=request.messages,
                    tools=request.tools if request.tools is not None else omit,
                    tool_choice=request.tool_choice if request.tool_choice is not None else omit,
                    output_config=(
                        request.output_config if request.output_config is not None else omit
                    ),
                    extra_body=extra_body,
                )
        except anthropic.APIError as exc:
            failure = api_failure(exc, self._llm)
            request_id = getattr(exc, "request_id", None)
            log.warning(
                "model API call failed: %s retryable=%s request_id=%s rubric_version=%d "
                "memo_chars=%d elapsed_ms=%d",
                failure.reason,
                failure.retryable,
                request_id,
                rubric.version,
                len(memo.text),
                round((time.monotonic() - started) * 1000),
            )
            raise failure from None
        except ValueError:  # a 2xx body that is not JSON (json.JSONDecodeError)
            log.warning("model API answer is not JSON: rubric_version=%d", rubric.version)
            raise EvaluationFailed("model API answer could not be read") from None
        if not readable(message):
            log.warning("model API answer is not a message: rubric_version=%d", rubric.version)
            raise EvaluationFailed("model API answer could not be read")
        return message

    def _log_failure(
        self,
        kind: str,
        rubric: RubricVersion,
        memo: Memo,
        usage: TokenUsage,
        request_ids: list[str],
        started: float,
    ) -> None:
        log.warning(
            "evaluation failed: kind=%s rubric_version=%d memo_chars=%d calls=%d "
            "tokens_in=%d tokens_out=%d latency_ms=%d message_ids=%s",
            kind,
            rubric.version,
            len(memo.text),
            len(request_ids),
            usage.input,
            usage.output,
            round((time.monotonic() - started) * 1000),
            ",".join(request_ids),
        )
