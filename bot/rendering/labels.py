"""Fixed words of the feedback message, in each language the coach answers in."""

from __future__ import annotations

from typing import Literal

LabelKey = Literal[
    "title",
    "strengths",
    "opportunities",
    "segments",
    "questions",
    "suggestions",
    "weight",
    "not_judged",
    "offline",
    "fallback",
    "rubric_version",
    "helpful",
    "not_helpful",
    "my_progress",
    "no_segments",
    "no_score",
]

LABELS: dict[str, dict[LabelKey, str]] = {
    "en": {
        "title": "Memo feedback",
        "strengths": "Strengths",
        "opportunities": "Opportunities",
        "segments": "Line by line",
        "questions": "Questions to think about",
        "suggestions": "Suggestions",
        "weight": "weight",
        "not_judged": "not judged",
        "offline": (
            ":information_source: *Offline feedback* — rule-based checks, not an AI review. "
            "Scores are estimates."
        ),
        "fallback": (
            ":warning: The AI coach was unavailable ({reason}), so this is offline feedback."
        ),
        "rubric_version": "Rubric v{version}",
        "helpful": "Helpful",
        "not_helpful": "Not helpful",
        "my_progress": "My progress",
        "no_segments": "No specific passages to comment on.",
        "no_score": "no overall score",
    },
    "es": {
        "title": "Comentarios sobre tu memo",
        "strengths": "Fortalezas",
        "opportunities": "Oportunidades de mejora",
        "segments": "Frase a frase",
        "questions": "Preguntas para reflexionar",
        "suggestions": "Sugerencias",
        "weight": "peso",
        "not_judged": "sin evaluar",
        "offline": (
            ":information_source: *Comentarios sin conexión*: reglas automáticas, no una "
            "revisión con IA. Las puntuaciones son estimaciones."
        ),
        "fallback": (
            ":warning: El coach con IA no estaba disponible ({reason}); estos son "
            "comentarios sin conexión."
        ),
        "rubric_version": "Rúbrica v{version}",
        "helpful": "Útil",
        "not_helpful": "No útil",
        "my_progress": "Mi progreso",
        "no_segments": "No hay pasajes concretos que comentar.",
        "no_score": "sin puntuación global",
    },
}


def labels_for(language: str) -> dict[LabelKey, str]:
    return LABELS.get(language, LABELS["en"])
