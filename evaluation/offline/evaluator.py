"""The offline evaluator: rule-based feedback when no model is configured or it fails.

Deterministic and local (no network, no downloaded data): the same memo and rubric
always give the same result, apart from the measured latency.
"""

from __future__ import annotations

import asyncio
import time

from evaluation.memo import Memo, RubricVersion
from evaluation.offline.analysis import Analysis, analyse
from evaluation.offline.criteria import judge_for, to_scale
from evaluation.offline.feedback import opportunities, strengths
from evaluation.offline.judges import JUDGES, Judgement
from evaluation.offline.messages import say
from evaluation.offline.segments import build_segments
from evaluation.result import (
    OFFLINE_EVALUATOR,
    CriterionScore,
    EvaluationOutcome,
    EvaluationResult,
    TokenUsage,
)


def evaluate_sync(memo: Memo, rubric: RubricVersion) -> EvaluationResult:
    """The whole evaluation, synchronously (CPU-bound; callers off the event loop)."""
    analysis: Analysis = analyse(memo.text, memo.language)
    judgements: dict[str, Judgement] = {key: judge(analysis) for key, judge in JUDGES.items()}
    weights: dict[str, int] = {}
    criteria = []
    for criterion in rubric.rubric.criteria:
        judge = judge_for(criterion)
        if judge is None:
            score, justification = None, say(analysis.language, "unjudgeable", name=criterion.name)
        else:
            weights[judge] = weights.get(judge, 0) + criterion.weight
            score = to_scale(judgements[judge].level, rubric.rubric.scale)
            justification = judgements[judge].justification
        criteria.append(
            CriterionScore(
                key=criterion.key,
                name=criterion.name,
                weight=criterion.weight,
                score=score,
                justification=justification,
            )
        )
    return EvaluationResult.assemble(
        rubric=rubric,
        language=memo.language,
        evaluator=OFFLINE_EVALUATOR,
        criteria=criteria,
        strengths=strengths(analysis, judgements, weights),
        opportunities=opportunities(analysis, judgements, weights),
        segments=build_segments(analysis),
    )


class OfflineEvaluator:
    """Implements ``evaluation.memo.Evaluator`` with rules instead of a model."""

    @property
    def name(self) -> str:
        return OFFLINE_EVALUATOR

    async def evaluate(self, memo: Memo, rubric: RubricVersion) -> EvaluationOutcome:
        started = time.perf_counter()
        result = await asyncio.to_thread(evaluate_sync, memo, rubric)
        latency_ms = round((time.perf_counter() - started) * 1000)
        return EvaluationOutcome(
            result=result, model=None, latency_ms=latency_ms, usage=TokenUsage()
        )
