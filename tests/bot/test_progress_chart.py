"""The progress chart draws real PNGs for empty, single-memo and long histories, and marks
retired criteria so an old rubric's history still reads correctly."""

from __future__ import annotations

import io

import pytest
from matplotlib.image import imread

from bot.charts.progress_chart import (
    ChartSeries,
    ProgressChartData,
    chart_label,
    chart_title,
    draw_progress_chart,
    render_progress_chart,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _data(points: int, *, total: int | None = None) -> ProgressChartData:
    overall = [1 + (i % 40) / 10 for i in range(points)]
    half = points // 2
    return ProgressChartData(
        overall=overall,
        criteria=[
            ChartSeries("Answer first", [min(5.0, 1 + i % 5) for i in range(points)]),
            ChartSeries("Clarity", [None if i % 3 else 3.0 for i in range(points)]),
            ChartSeries("Risks", [2.0] * half + [None] * (points - half), retired=True),
        ],
        total_memos=total,
    )


def _lines(data: ProgressChartData) -> dict[str, tuple[str, int]]:
    """Label → (line style, number of points drawn)."""
    [axes] = draw_progress_chart(data).axes
    return {
        str(line.get_label()): (str(line.get_linestyle()), len(line.get_xdata()))
        for line in axes.get_lines()
    }


@pytest.mark.parametrize("points", [0, 1, 100])
def test_renders_a_png_for_any_history_length(points: int) -> None:
    png = render_progress_chart(_data(points))
    assert png.startswith(PNG_MAGIC)
    height, width, _ = imread(io.BytesIO(png)).shape
    assert width > 600
    assert height > 300


def test_empty_chart_says_so_and_draws_no_lines() -> None:
    figure = draw_progress_chart(ProgressChartData(overall=[]))
    [axes] = figure.axes
    assert axes.get_lines() == []
    assert axes.get_title() == "No memos yet"


def test_one_memo_is_visible_as_points() -> None:
    [axes] = draw_progress_chart(_data(1)).axes
    overall = next(line for line in axes.get_lines() if line.get_label() == "Overall")
    assert overall.get_marker() == "o"
    assert overall.get_markersize() > 0


def test_retired_criteria_are_dashed_and_labelled() -> None:
    lines = _lines(_data(100))
    assert lines["Risks (retired)"] == ("--", 50)
    assert lines["Answer first"][0] == "-"
    assert lines["Overall"] == ("-", 100)
    assert lines["Clarity"][1] == 34  # only judged memos are plotted; the line bridges gaps


def test_title_says_when_only_the_newest_memos_are_charted() -> None:
    assert chart_title(_data(100)) == "Your scores, memo by memo"
    assert chart_title(_data(200, total=10_000)) == "Your scores over your last 200 of 10,000 memos"
    [axes] = draw_progress_chart(_data(200, total=10_000)).axes
    assert axes.get_xlim()[1] == pytest.approx(10_000.5)


def test_labels_are_plain_text() -> None:
    assert chart_label("Cost in $ and $x$") == r"Cost in \$ and \$x\$"
    assert not chart_label("_hidden").startswith("_")  # would vanish from the legend
    assert len(chart_label("x" * 200)) == 40
    png = render_progress_chart(
        ProgressChartData(overall=[3.0], criteria=[ChartSeries("$\\frac{", [2.0])])
    )
    assert png.startswith(PNG_MAGIC)
