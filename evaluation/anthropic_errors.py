"""Turning a Messages API failure into ``EvaluationFailed``: a short, memo-free reason
and whether trying again later may help."""

from __future__ import annotations

import anthropic

from config.llm import LlmConfig
from evaluation.errors import EvaluationFailed

RETRYABLE_STATUSES = frozenset({408, 409, 429})


def retryable_status(status: int) -> bool:
    """Rate limits, conflicts, overload, 5xx and timeouts may heal by retrying later;
    other client errors (bad key, bad request) will not."""
    return status in RETRYABLE_STATUSES or status >= 500


def api_failure(exc: anthropic.APIError, llm: LlmConfig) -> EvaluationFailed:
    """A short, memo-free reason; timeouts and unreachable or unreadable APIs are worth
    retrying later, HTTP errors as ``retryable_status`` says."""
    if isinstance(exc, anthropic.APITimeoutError):
        return EvaluationFailed(f"model API timed out after {llm.timeout_seconds:g}s per attempt")
    if isinstance(exc, anthropic.APIConnectionError):
        return EvaluationFailed("model API unreachable")
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        kind = f" {exc.type}" if exc.type else ""
        return EvaluationFailed(
            f"model API error HTTP {status}{kind}", retryable=retryable_status(status)
        )
    return EvaluationFailed("model API answer could not be read", retryable=True)
