"""The progress chart: the overall score and each criterion over a user's memos, as a PNG.

Criteria are plotted only where they were judged, so a line bridges a memo that skipped
it, a new criterion starts late and a retired one stops; retired criteria are dashed with
cross markers and labelled, so an old rubric's history still reads correctly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts import new_figure, to_png

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn (see bot.charts)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MARKERS_UP_TO = 40
"""Beyond this many points per line, markers only add clutter."""
FEW_TICKS = 12
"""Up to this many memos, every memo gets its own tick."""
MAX_LABEL = 40
OVERALL_COLOR = "#1f2937"


@dataclass(frozen=True)
class ChartSeries:
    label: str
    scores: Sequence[float | None]
    """One per memo, aligned with ``ProgressChartData.overall``; None where not judged."""
    retired: bool = False


@dataclass(frozen=True)
class ProgressChartData:
    overall: Sequence[float | None]
    """Overall score of each charted memo, oldest first."""
    criteria: Sequence[ChartSeries] = ()
    scale_min: int = 1
    scale_max: int = 5
    total_memos: int | None = None
    """All the user's memos, when only the newest are charted (numbers the x axis)."""


def chart_label(text: str) -> str:
    """Plain text for matplotlib: ``$`` would start mathtext (and can fail to parse) and a
    leading underscore hides the entry from the legend."""
    label = " ".join(text.split())
    if len(label) > MAX_LABEL:
        label = label[: MAX_LABEL - 1] + "…"
    label = label.replace("$", r"\$")
    return "\u200b" + label if label.startswith("_") else label


def chart_title(data: ProgressChartData) -> str:
    shown = len(data.overall)
    total = max(data.total_memos or shown, shown)
    if shown == total:
        return "Your scores, memo by memo" if shown != 1 else "Your first memo's scores"
    return f"Your scores over your last {shown} of {total:,} memos"


def _judged(xs: Sequence[int], scores: Sequence[float | None]) -> tuple[list[int], list[float]]:
    points = [
        (x, float(s))
        for x, s in zip(xs, scores, strict=False)
        if s is not None and math.isfinite(s)
    ]
    return [x for x, _ in points], [s for _, s in points]


def _plot_criteria(axes: Axes, xs: Sequence[int], criteria: Sequence[ChartSeries]) -> None:
    from matplotlib import colormaps

    palette = colormaps["tab10" if len(criteria) <= 10 else "tab20"]
    dense = len(xs) > MARKERS_UP_TO
    for index, series in enumerate(criteria):
        x, y = _judged(xs, series.scores)
        if not x:
            continue
        label = chart_label(series.label) + (" (retired)" if series.retired else "")
        axes.plot(
            x,
            y,
            color=palette(index % palette.N),
            linewidth=1.0 if dense else 1.4,
            linestyle="--" if series.retired else "-",
            marker="x" if series.retired else "o",
            markersize=0 if dense and len(x) > 1 else 4,
            alpha=0.5 if dense or series.retired else 0.85,
            label=label,
        )


def _frame(axes: Axes, data: ProgressChartData, first: int, count: int) -> None:
    low, high = data.scale_min, data.scale_max
    axes.set_ylim(low - 0.25, high + 0.25)
    axes.set_yticks(range(low, high + 1))
    axes.set_ylabel("Score")
    axes.set_xlabel("Memo (oldest → newest)")
    if count <= FEW_TICKS:
        axes.set_xticks(range(first, first + count))
    else:
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(first - 0.5, first + max(count, 1) - 0.5)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)


def draw_progress_chart(data: ProgressChartData) -> Figure:
    """The chart's Figure; with no memos, an empty frame that says so."""
    figure = new_figure(7.5, 4.4)
    axes = figure.add_subplot()
    count = len(data.overall)
    first = max(data.total_memos or count, count) - count + 1
    xs = list(range(first, first + count))
    _frame(axes, data, first, count)
    axes.set_title(chart_title(data) if count else "No memos yet", fontsize=11)
    if not count:
        axes.text(
            0.5,
            0.5,
            "Send Memo Coach a memo to start your chart.",
            ha="center",
            va="center",
            transform=axes.transAxes,
            color="#6b7280",
        )
        return figure
    _plot_criteria(axes, xs, data.criteria)
    x, y = _judged(xs, data.overall)
    axes.plot(
        x,
        y,
        color=OVERALL_COLOR,
        linewidth=2.6,
        marker="o",
        markersize=6 if len(x) <= MARKERS_UP_TO or len(x) == 1 else 0,
        label="Overall",
        zorder=5,
    )
    handles, labels = axes.get_legend_handles_labels()
    figure.legend(  # Overall first, then the criteria
        handles[-1:] + handles[:-1],
        labels[-1:] + labels[:-1],
        loc="outside lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    return figure


def render_progress_chart(data: ProgressChartData) -> bytes:
    """The chart as PNG bytes, for files_upload_v2."""
    return to_png(draw_progress_chart(data))
