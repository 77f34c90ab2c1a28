"""Rule-based, offline memo evaluation (no API key, no network)."""

from evaluation.offline.evaluator import OfflineEvaluator

__all__ = ["OfflineEvaluator"]
