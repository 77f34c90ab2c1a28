"""Choose the evaluator the bot uses, and keep the bot useful when the model is down.

Without an API key the coach runs offline. With one it uses Claude, and (when
``llm.fallback == "offline"``) a failed model call still gets the writer feedback: the
offline evaluator's, labelled with why it was used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from config.llm import LlmConfig
from evaluation.anthropic_evaluator import AnthropicEvaluator, PromptSource
from evaluation.errors import EvaluationFailed
from evaluation.memo import Evaluator, Memo, RubricVersion
from evaluation.offline import OfflineEvaluator
from evaluation.result import EvaluationOutcome

log = logging.getLogger(__name__)


def failure_reason(failure: EvaluationFailed) -> str:
    """The default label: the failure's own short, memo-free reason."""
    return failure.reason


class FallbackEvaluator:
    """Ask ``primary``; if it raises ``EvaluationFailed``, answer with ``fallback`` and
    record why in ``fallback_reason``. Other exceptions (bugs) are not hidden.

    ``name`` is the primary's: it names the configured evaluator, while each result's
    ``evaluator`` field says which one actually answered.
    """

    def __init__(
        self,
        primary: Evaluator,
        fallback: Evaluator,
        label_reason: Callable[[EvaluationFailed], str] = failure_reason,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self._label_reason = label_reason

    @property
    def name(self) -> str:
        return self.primary.name

    async def aclose(self) -> None:
        """Close whichever of the two holds resources (the model client does)."""
        for evaluator in (self.primary, self.fallback):
            close = getattr(evaluator, "aclose", None)
            if close is not None:
                await close()

    async def evaluate(self, memo: Memo, rubric: RubricVersion) -> EvaluationOutcome:
        try:
            return await self.primary.evaluate(memo, rubric)
        except EvaluationFailed as failure:
            reason = self._label_reason(failure)
            log.warning(
                "falling back: primary=%s fallback=%s reason=%s retryable=%s",
                self.primary.name,
                self.fallback.name,
                failure.reason,
                failure.retryable,
            )
            outcome = await self.fallback.evaluate(memo, rubric)
            return outcome.model_copy(update={"fallback_reason": reason})


def build_evaluator(
    api_key: str | None, base_url: str | None, llm: LlmConfig, prompt: PromptSource
) -> Evaluator:
    """No key: offline. A key: Claude, with the offline fallback when configured.

    ``prompt`` may be a function so each evaluation uses the prompt active at that time.
    """
    if not api_key:
        return OfflineEvaluator()
    model = AnthropicEvaluator(api_key, base_url, llm, prompt)
    if llm.fallback == "offline":
        return FallbackEvaluator(model, OfflineEvaluator())
    return model
