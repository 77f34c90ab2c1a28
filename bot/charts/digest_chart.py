"""The digest chart: each team member's average overall score this period next to the
previous period, as horizontal bars, so a manager sees who moved at a glance.

Only scores and names go in; the chart never shows anything a member wrote.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts import new_figure, to_png
from bot.charts.progress_chart import chart_label

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn (see bot.charts)
    from matplotlib.axes import Axes

MAX_MEMBERS = 40
"""Beyond this the bars get unreadable; the rest are counted in the title."""
CURRENT_COLOR = "#2563eb"
PREVIOUS_COLOR = "#cbd5e1"
BAR_HEIGHT = 0.38


@dataclass(frozen=True)
class MemberBars:
    label: str
    current: float | None
    previous: float | None


@dataclass(frozen=True)
class DigestChartData:
    members: Sequence[MemberBars]
    period_label: str
    scale_min: int = 1
    scale_max: int = 5


def _value(score: float | None) -> float:
    return score if score is not None and math.isfinite(score) else math.nan


def _bars(axes: Axes, members: Sequence[MemberBars], scale_min: int) -> None:
    rows = range(len(members))
    previous = [_value(m.previous) for m in members]
    current = [_value(m.current) for m in members]
    base = scale_min - 0.25
    axes.barh(
        [y - BAR_HEIGHT / 2 for y in rows],
        [v - base for v in current],
        left=base,
        height=BAR_HEIGHT,
        color=CURRENT_COLOR,
        label="This period",
    )
    axes.barh(
        [y + BAR_HEIGHT / 2 for y in rows],
        [v - base for v in previous],
        left=base,
        height=BAR_HEIGHT,
        color=PREVIOUS_COLOR,
        label="Previous period",
    )
    for y, value in zip(rows, current, strict=True):
        if not math.isnan(value):
            axes.text(value + 0.05, y - BAR_HEIGHT / 2, f"{value:.1f}", va="center", fontsize=7)


def render_digest_chart(data: DigestChartData) -> bytes:
    """PNG bytes; members are drawn top to bottom in the order given."""
    shown = list(data.members)[:MAX_MEMBERS]
    figure = new_figure(7.0, 1.6 + 0.42 * max(len(shown), 1))
    axes = figure.add_subplot()
    _bars(axes, shown, data.scale_min)
    axes.set_yticks(range(len(shown)), [chart_label(m.label) for m in shown], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(data.scale_min - 0.25, data.scale_max + 0.25)
    axes.set_xticks(range(data.scale_min, data.scale_max + 1))
    axes.set_xlabel("Average overall score")
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    hidden = len(data.members) - len(shown)
    title = f"Team scores, {data.period_label}"
    if hidden:
        title += f" (first {len(shown)}; {hidden} more in the message)"
    axes.set_title(title, fontsize=10)
    figure.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return to_png(figure)
