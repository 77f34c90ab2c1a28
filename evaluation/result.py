"""The one evaluation result shape used by the CLI, storage and Slack rendering."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evaluation.rubric import Scale

if TYPE_CHECKING:  # evaluation.memo imports this module
    from evaluation.memo import RubricVersion

OFFLINE_EVALUATOR = "offline"


class CriterionScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    weight: int
    score: float | None = Field(description="None when the evaluator cannot judge it.")
    justification: str


class Segment(BaseModel):
    """A verbatim quote of the memo with feedback; memo[start:end] == quote."""

    model_config = ConfigDict(frozen=True)

    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    comment: str
    questions: list[str] = []
    suggestions: list[str] = []

    @model_validator(mode="after")
    def _span_matches(self) -> Segment:
        if self.end - self.start != len(self.quote):
            raise ValueError("end - start must equal the quote length")
        return self


class EvaluationResult(BaseModel):
    """Exactly what `memo-coach evaluate FILE --json` prints."""

    model_config = ConfigDict(frozen=True)

    overall_score: float | None
    scale: Scale
    evaluator: str = Field(description='"anthropic:<model>" or "offline"')
    rubric_version: int
    language: str
    criteria: list[CriterionScore]
    strengths: list[str]
    opportunities: list[str]
    segments: list[Segment]

    @classmethod
    def assemble(
        cls,
        *,
        rubric: RubricVersion,
        language: str,
        evaluator: str,
        criteria: list[CriterionScore],
        strengths: list[str],
        opportunities: list[str],
        segments: list[Segment],
    ) -> EvaluationResult:
        """How every evaluator builds its result. There is no overall score to pass in:
        it is always computed from ``criteria``, so no evaluator can set it."""
        return cls(
            overall_score=overall_score(criteria),
            scale=rubric.rubric.scale,
            evaluator=evaluator,
            rubric_version=rubric.version,
            language=language,
            criteria=criteria,
            strengths=strengths,
            opportunities=opportunities,
            segments=segments,
        )

    @property
    def is_offline(self) -> bool:
        return self.evaluator == OFFLINE_EVALUATOR


class TokenUsage(BaseModel):
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0


class EvaluationOutcome(BaseModel):
    """A result plus how it was produced (kept out of the user-facing contract)."""

    result: EvaluationResult
    model: str | None = None
    latency_ms: int = 0
    usage: TokenUsage = TokenUsage()
    fallback_reason: str | None = Field(
        None, description="Why a fallback evaluator answered instead of the configured one."
    )
    raw_prompt: str | None = None
    raw_response: str | None = None


def overall_score(criteria: list[CriterionScore]) -> float | None:
    """Weighted mean of the judged criteria, rounded to 0.1; never taken from a model.

    Unjudged criteria (score None) are left out and the remaining weights re-normalised,
    so an evaluator that cannot judge one criterion does not drag the score down.
    """
    judged = [c for c in criteria if c.score is not None]
    total_weight = sum(c.weight for c in judged)
    if not judged or total_weight <= 0:
        return None
    weighted = sum(c.weight * c.score for c in judged if c.score is not None)
    mean = Decimal(repr(weighted)) / Decimal(total_weight)
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
