"""Prometheus metrics: base units, `_total`/`_seconds` names, never user ids as labels.

Counters and histograms are per process (sum them across replicas). ``memo_coach_jobs``
is read from the shared jobs table at scrape time, so it describes the whole deployment
(take ``max`` across replicas, not ``sum``).
"""

from __future__ import annotations

import asyncio
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import func, select

from evaluation.memo import Evaluator, Memo, RubricVersion
from evaluation.result import EvaluationOutcome
from storage.db import Database
from storage.models import Job

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

SLACK_REQUESTS = Counter(
    "memo_coach_slack_requests_total",
    "Requests from Slack by type (command, event, action, view, shortcut).",
    ["type"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "memo_coach_ack_seconds",
    "Time from receiving a Slack request to answering it.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)
EVALUATIONS = Counter(
    "memo_coach_evaluations_total",
    "Memo evaluations by configured evaluator and outcome (ok, fallback, failed).",
    ["evaluator", "outcome"],
    registry=REGISTRY,
)
EVALUATION_SECONDS = Histogram(
    "memo_coach_evaluation_seconds",
    "Time to evaluate one memo, model retries and repairs included.",
    ["evaluator"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120),
    registry=REGISTRY,
)
MODEL_TOKENS = Counter(
    "memo_coach_model_tokens_total",
    "Model tokens of answered evaluations by kind (input, output, cache_read, cache_write).",
    ["kind"],
    registry=REGISTRY,
)
JOBS = Gauge(
    "memo_coach_jobs",
    "Jobs in the database by status (queued, running, failed); whole deployment.",
    ["status"],
    registry=REGISTRY,
)
JOB_FAILURES = Counter(
    "memo_coach_job_failures_total",
    "Job attempts that raised (retried later, or failed for good after max_attempts).",
    ["stage"],
    registry=REGISTRY,
)
DIGESTS_SENT = Counter(
    "memo_coach_digests_sent_total",
    "Manager digests delivered to Slack.",
    registry=REGISTRY,
)
RATE_LIMIT_REFUSALS = Counter(
    "memo_coach_rate_limit_refusals_total",
    "Memos refused because their author reached rate_limit.memos_per_hour.",
    registry=REGISTRY,
)

JOB_STATUSES = ("queued", "running", "failed")
JOB_QUERY_TIMEOUT_SECONDS = 2.0
TOKEN_KINDS = ("input", "output", "cache_read", "cache_write")


async def observed_evaluation(
    evaluator: Evaluator, memo: Memo, rubric: RubricVersion
) -> EvaluationOutcome:
    """``evaluator.evaluate`` with its outcome, duration and tokens recorded. A fallback
    counts as ``fallback`` under the configured evaluator's name."""
    started = time.perf_counter()
    try:
        outcome = await evaluator.evaluate(memo, rubric)
    except Exception:
        _record_evaluation(evaluator.name, "failed", started)
        raise
    _record_evaluation(evaluator.name, "fallback" if outcome.fallback_reason else "ok", started)
    for kind in TOKEN_KINDS:
        tokens = getattr(outcome.usage, kind)
        if tokens:
            MODEL_TOKENS.labels(kind=kind).inc(tokens)
    return outcome


def _record_evaluation(evaluator: str, outcome: str, started: float) -> None:
    EVALUATIONS.labels(evaluator=evaluator, outcome=outcome).inc()
    EVALUATION_SECONDS.labels(evaluator=evaluator).observe(time.perf_counter() - started)


async def refresh_job_gauges(database: Database) -> None:
    """One grouped COUNT per scrape; a slow or failing database leaves the last values
    (the scrape itself must not fail, /ready reports the database)."""
    query = (
        select(Job.status, func.count()).where(Job.status.in_(JOB_STATUSES)).group_by(Job.status)
    )
    try:
        async with asyncio.timeout(JOB_QUERY_TIMEOUT_SECONDS), database.session() as session:
            rows = (await session.execute(query)).all()
    except Exception as exc:
        log.debug("job gauges not refreshed", extra={"error": type(exc).__name__})
        return
    counts = {str(status): int(count) for status, count in rows}
    for status in JOB_STATUSES:
        JOBS.labels(status=status).set(counts.get(status, 0))
