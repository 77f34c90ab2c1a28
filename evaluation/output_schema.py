"""The JSON schema of the model's answer, derived from the rubric alone (so it belongs
to the cached prefix: the same for every memo and user)."""

from __future__ import annotations

from typing import Any

from evaluation.rubric import Rubric


def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": {"type": "string"}}


def _object(properties: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = properties
    schema["additionalProperties"] = False
    schema["required"] = list(properties)
    return schema


def evaluation_schema(rubric: Rubric) -> dict[str, Any]:
    """JSON schema of the model's answer, derived from the rubric.

    Kept within the structured-output subset (enum instead of minimum/maximum, no
    length limits, ``additionalProperties: false`` everywhere, every field required) so
    it is valid both for strict tool use and for ``output_config.format``. It has no
    overall score: that is computed in code.
    """
    criterion = _object(
        {
            "key": {
                "description": "The criterion key exactly as in the rubric.",
                "enum": [c.key for c in rubric.criteria],
            },
            "score": {
                "description": "A whole number on the rubric scale.",
                "enum": list(rubric.scale.levels),
            },
            "justification": {
                "type": "string",
                "description": "One or two sentences that point at the memo.",
            },
        }
    )
    segment = _object(
        {
            "quote": {
                "type": "string",
                "description": "A sentence or phrase copied verbatim from the memo.",
            },
            "comment": {"type": "string", "description": "What works or does not, and why."},
            "questions": _strings("Questions for the writer to think about."),
            "suggestions": _strings("Concrete suggestions, rewrites where useful."),
        }
    )
    return _object(
        {
            "criteria": {
                "type": "array",
                "description": "Exactly one entry per rubric criterion, in rubric order.",
                "items": criterion,
            },
            "strengths": _strings("Two to four strengths, most important first."),
            "opportunities": _strings("Two to four opportunities, most important first."),
            "segments": {
                "type": "array",
                "description": "Comments on three to six verbatim quotes of the memo.",
                "items": segment,
            },
        }
    )
