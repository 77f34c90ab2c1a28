"""Which judge scores which rubric criterion, and how its level maps onto the scale.

Default keys map directly. Custom criteria are matched by keywords in their key and
name; the description only counts when it clearly points at one judge, so a rubric
about "tone" is honestly left unjudged instead of being scored by the wrong rule.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from evaluation.offline.judges import JUDGES, MAX_LEVEL, MIN_LEVEL
from evaluation.rubric import Criterion, Scale

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "answer_first": (
        "answer", "structur-", "conclusion", "recommend-", "bottom line", "pyramid", "scqa",
        "main point", "governing thought", "estructura-", "conclusi-", "recomendaci-",
        "idea principal", "respuesta",
    ),
    "evidence": (
        "evidence", "data", "number", "figure", "fact", "metric", "quantif-", "proof",
        "evidencia", "dato", "cifra", "número", "hecho", "métrica",
    ),
    "clarity": (
        "clarity", "clear", "concis-", "readab-", "plain", "brevity", "wordy", "jargon",
        "claridad", "legib-", "sencill-", "jerga", "style", "estilo",
    ),
    "ask_next_steps": (
        "ask", "action", "next step", "request", "call to action", "decision", "deadline",
        "petición", "solicitud", "acción", "acciones", "próximos pasos", "siguientes pasos",
        "decisión", "plazo",
    ),
    "risks": (
        "risk", "feasib-", "cost", "alternative", "trade-off", "tradeoff", "mitigat-",
        "riesgo", "viabilidad", "coste", "costo", "alternativa", "mitiga-",
    ),
}  # fmt: skip
"""Whole words (a plural "s" allowed) unless they end in "-", which marks a stem."""


def _keyword(word: str) -> str:
    if word.endswith("-"):
        return re.escape(word[:-1])
    return re.escape(word) + r"(?:s|es)?\b"


_PATTERNS = {
    judge: re.compile(r"\b(?:" + "|".join(_keyword(w) for w in words) + ")", re.IGNORECASE)
    for judge, words in _KEYWORDS.items()
}
_DESCRIPTION_HITS = 2


def judge_for(criterion: Criterion) -> str | None:
    """The judge key for a criterion, or None when no rule can honestly score it.

    The key and name decide (the earliest keyword wins); failing that, the description
    must mention one judge's keywords at least twice and more than any other's.
    """
    if criterion.key in JUDGES:
        return criterion.key
    title = f"{criterion.key.replace('_', ' ')} {criterion.name}"
    first_match = {
        judge: match.start()
        for judge, pattern in _PATTERNS.items()
        if (match := pattern.search(title)) is not None
    }
    if first_match:
        return min(first_match, key=lambda judge: first_match[judge])
    counts = {j: len(p.findall(criterion.description)) for j, p in _PATTERNS.items()}
    top = max(counts.values())
    leaders = [judge for judge, count in counts.items() if count == top]
    return leaders[0] if top >= _DESCRIPTION_HITS and len(leaders) == 1 else None


def to_scale(level: float, scale: Scale) -> float:
    """Map a 1-5 level linearly onto ``scale``, rounded half-up to the nearest 0.5."""
    fraction = (level - MIN_LEVEL) / (MAX_LEVEL - MIN_LEVEL)
    raw = Decimal(repr(scale.min + fraction * (scale.max - scale.min)))
    halves = (raw * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return float(max(Decimal(scale.min), min(Decimal(scale.max), halves / 2)))
