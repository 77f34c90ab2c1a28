"""A user's progress as terminal text (the Slack version comes with the progress view)."""

from __future__ import annotations

from storage.repositories.progress import CriterionProgress, UserProgress

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(scores: list[float], low: float = 1, high: float = 5) -> str:
    """One character per score, scaled between low and high."""
    span = max(high - low, 1e-9)
    cells = []
    for score in scores:
        index = round((min(max(score, low), high) - low) / span * (len(SPARK) - 1))
        cells.append(SPARK[index])
    return "".join(cells)


def trend_arrow(change: float | None) -> str:
    if change is None:
        return " "
    if change > 0.05:
        return "↑"
    if change < -0.05:
        return "↓"
    return "→"


def _score(value: float | None) -> str:
    return "  – " if value is None else f"{value:4.1f}"


def _criterion_line(c: CriterionProgress) -> str:
    retired = " (retired)" if c.retired else ""
    return (
        f"  {c.name[:32]:<32} {_score(c.first_score)} → {_score(c.latest_score)} "
        f"{trend_arrow(c.change)}  avg {_score(c.average)}  ({c.count} memos){retired}"
    )


def progress_as_text(user: str, progress: UserProgress) -> str:
    lines = [f"Progress for {user}: {progress.memo_count} memos evaluated"]
    latest = progress.latest_overall_score
    if latest is not None:
        # "first" is the very first memo's score, which the window may no longer hold.
        trend = progress.overall_trend
        first = latest if trend is None else trend[0]
        change = None if trend is None else latest - first
        scores = [p.overall_score for p in progress.overall if p.overall_score is not None]
        lines.append(
            f"Overall: first {first:.1f}, latest {latest:.1f} {trend_arrow(change)}"
            f"   {sparkline(scores[-40:])}"
        )
    lines.append("")
    lines.append("Criteria (first → latest):")
    lines.extend(_criterion_line(c) for c in progress.criteria)
    if progress.strongest:
        lines.append(f"\nStrongest: {progress.strongest.name}")
    if progress.weakest:
        lines.append(f"Weakest:   {progress.weakest.name}")
    if progress.recurring_opportunity:
        r = progress.recurring_opportunity
        lines.append(f"Keeps coming back ({r.count} of the last {r.out_of}): {r.text}")
    if progress.recent:
        lines.append("\nRecent memos:")
        for memo in progress.recent:
            when = memo.created_at.strftime("%Y-%m-%d %H:%M")
            lines.append(f"  #{memo.evaluation_id:<6} {when}  {_score(memo.overall_score)}")
    return "\n".join(lines)
