"""`admin stats`: memos and people, evaluator mix, latency, tokens and estimated cost
over the last week."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.rendering import SlackMessage
from bot.rendering.admin_stats import render_stats
from config.llm import Pricing
from handlers.admin.context import AdminArea, AdminRequest
from storage.repositories.stats import TokenTotals, usage_since
from storage.types import utcnow

USAGE = ("`admin stats` — the last 7 days: memos, people, evaluators, latency, tokens, cost",)
DAYS = 7
PER_MILLION = 1_000_000


def estimated_cost(tokens: TokenTotals, pricing: Pricing) -> float:
    """US dollars, from llm.yaml's prices per million tokens of each kind."""
    return (
        tokens.input * pricing.input
        + tokens.output * pricing.output
        + tokens.cache_read * pricing.cache_read
        + tokens.cache_write * pricing.cache_write
    ) / PER_MILLION


async def handle(request: AdminRequest) -> Sequence[SlackMessage]:
    async with request.services.database.session() as session:
        stats = await usage_since(session, utcnow() - timedelta(days=DAYS))
    pricing = request.services.runtime.config.llm.pricing_per_mtok
    return render_stats(stats, days=DAYS, cost_usd=estimated_cost(stats.tokens, pricing))


AREA = AdminArea(handler=handle, usage=USAGE)
