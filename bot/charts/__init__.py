"""PNG charts for Slack, drawn with matplotlib's Agg backend (no display; each chart owns
its Figure, never pyplot's global state). matplotlib is imported on first use: it costs
about 40 MB, and most processes (the CLI, a bot that never draws) do not need it."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 110


def new_figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A Figure not registered with pyplot, so it is freed when it goes out of scope."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
