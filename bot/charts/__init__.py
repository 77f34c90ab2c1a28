"""PNG charts for Slack, drawn with matplotlib's Agg backend (no display, thread-safe
enough when each chart owns its Figure; never pyplot's global state)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # after choosing the backend

DPI = 110


def new_figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A Figure not registered with pyplot, so it is freed when it goes out of scope."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
