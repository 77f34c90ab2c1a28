"""`admin stats`: how the coach was used over the last days, and what it cost."""

from __future__ import annotations

from bot.rendering.admin_reply import admin_reply, bullets, when
from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import SlackMessage
from storage.repositories.stats import UsageStats

STATUS_LABELS = {
    "done": "coached",
    "rejected": "refused",
    "failed": "failed",
    "received": "in progress",
    "queued": "in progress",
    "running": "in progress",
}


def _latency(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.1f} s"


def render_stats(stats: UsageStats, *, days: int, cost_usd: float) -> list[SlackMessage]:
    counted: dict[str, int] = {}
    for status, n in stats.by_status.items():
        label = STATUS_LABELS.get(status, status)
        counted[label] = counted.get(label, 0) + n
    outcomes = ", ".join(f"{n} {label}" for label, n in sorted(counted.items()))
    mix = [
        f"`{escape_mrkdwn(use.evaluator)}`: {use.evaluations} "
        f"(average {_latency(use.average_latency_ms)}"
        + (f", {use.fallbacks} as fallback" if use.fallbacks else "")
        + ")"
        for use in stats.evaluators
    ]
    tokens = stats.tokens
    lines = [
        f"*Memos:* {stats.memos} from {stats.users} people"
        + (f" ({outcomes})" if outcomes else ""),
        f"*Evaluations:* {stats.evaluations}, average latency "
        f"{_latency(stats.average_latency_ms)}; fallbacks to offline: {stats.fallbacks}",
        bullets(mix, escape=False) if mix else "",
        f"*Tokens:* {tokens.input:,} input, {tokens.output:,} output, "
        f"{tokens.cache_read:,} cache reads, {tokens.cache_write:,} cache writes",
        f"*Estimated cost:* ${cost_usd:,.2f} (llm.yaml `pricing_per_mtok`)",
    ]
    return admin_reply(
        f"Memo Coach, last {days} days",
        "\n".join(line for line in lines if line),
        note=f"Since {when(stats.since)}. Refused: too short, too long or an unreadable "
        "file (never sent to the model). Failed: no evaluator could answer.",
    )
