"""Prometheus metrics: base units, `_total`/`_seconds` names, never user ids as labels."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

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
