"""The answer the model must give: its shape, the rubric checks the schema alone cannot
make, and how a usable answer becomes the ``EvaluationResult`` contract."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from config.yaml_files import describe_validation_error
from evaluation.anchoring import DraftSegment, anchor_segments
from evaluation.memo import Memo, RubricVersion
from evaluation.result import CriterionScore, EvaluationResult
from evaluation.rubric import Rubric

MAX_PROBLEMS_SENT = 8


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
    return EvaluationResult.assemble(
        rubric=rubric,
        language=memo.language,
        evaluator=evaluator,
        criteria=criteria,
        strengths=[s.strip() for s in answer.strengths if s.strip()],
        opportunities=[s.strip() for s in answer.opportunities if s.strip()],
        segments=anchor_segments(memo.text, drafts),
    )
