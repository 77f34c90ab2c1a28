"""What an evaluator is given, and the contract every evaluator meets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from evaluation.language import detect_language
from evaluation.result import EvaluationOutcome
from evaluation.rubric import Rubric


@dataclass(frozen=True)
class Memo:
    """A memo's text (already extracted from any file) and optional context."""

    text: str
    audience: str | None = None
    language: str = field(default="")

    def __post_init__(self) -> None:
        if not self.language:
            object.__setattr__(self, "language", detect_language(self.text))


@dataclass(frozen=True)
class RubricVersion:
    """A rubric together with the version number evaluations record."""

    rubric: Rubric
    version: int


class Evaluator(Protocol):
    """Scores a memo against a rubric. Implementations never see Slack types."""

    @property
    def name(self) -> str: ...

    async def evaluate(self, memo: Memo, rubric: RubricVersion) -> EvaluationOutcome: ...
