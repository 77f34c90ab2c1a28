"""What changed between two rubric or prompt versions, in words an admin can check.

Plain text without Slack markup: the CLI prints these lines as they are and the Slack
rendering escapes them. Criteria are matched by key (progress is compared by key), so
a new name under the same key is a rename, and a new key under the same name is a key
change that starts a fresh progress line.
"""

from __future__ import annotations

import difflib

from evaluation.prompt_template import PromptTemplate
from evaluation.rubric import Criterion, Rubric

MAX_PROMPT_LINES_SHOWN = 8
MAX_LINE_CHARS = 160


def _label(criterion: Criterion) -> str:
    return f"{criterion.name} ({criterion.key})"


def _levels(levels: list[int]) -> str:
    return ", ".join(str(level) for level in levels)


def _criterion_changes(old: Criterion, new: Criterion) -> list[str]:
    changes = []
    if old.name != new.name:
        changes.append(f"criterion renamed: {old.name} → {new.name} ({new.key})")
    if old.weight != new.weight:
        changes.append(f"weight of {_label(new)}: {old.weight} → {new.weight}")
    if old.description.strip() != new.description.strip():
        changes.append(f"description of {_label(new)} changed")
    changed = sorted(
        level
        for level in set(old.levels) | set(new.levels)
        if old.levels.get(level, "").strip() != new.levels.get(level, "").strip()
    )
    if changed:
        changes.append(f"guidance of {_label(new)} changed for level(s) {_levels(changed)}")
    if old.frameworks != new.frameworks:
        before = ", ".join(old.frameworks) or "none"
        after = ", ".join(new.frameworks) or "none"
        changes.append(f"frameworks of {_label(new)}: {before} → {after}")
    return changes


Pairs = list[tuple[Criterion, Criterion]]


def _matched_criteria(old: Rubric, new: Rubric) -> tuple[Pairs, list[str]]:
    """Pairs of the same criterion in both versions (by key, or by name when only the
    key changed), plus lines for criteria added and removed."""
    old_by_key = {c.key: c for c in old.criteria}
    new_by_key = {c.key: c for c in new.criteria}
    pairs = [(old_by_key[c.key], c) for c in new.criteria if c.key in old_by_key]
    removed = [c for c in old.criteria if c.key not in new_by_key]
    added = [c for c in new.criteria if c.key not in old_by_key]
    lines: list[str] = []
    for gone in list(removed):
        twin = next((c for c in added if c.name.casefold() == gone.name.casefold()), None)
        if twin is not None:
            lines.append(f"key of {gone.name} changed: {gone.key} → {twin.key}")
            pairs.append((gone, twin))
            removed.remove(gone)
            added.remove(twin)
    lines += [f"criterion added: {_label(c)}, weight {c.weight}" for c in added]
    lines += [f"criterion removed: {_label(c)}, weight {c.weight}" for c in removed]
    return pairs, lines


def _framework_changes(old: Rubric, new: Rubric) -> list[str]:
    before = {f.key: f for f in old.frameworks}
    after = {f.key: f for f in new.frameworks}
    lines = [f"framework added: {f.name} ({k})" for k, f in after.items() if k not in before]
    lines += [f"framework removed: {f.name} ({k})" for k, f in before.items() if k not in after]
    lines += [
        f"framework {after[key].name} ({key}) changed"
        for key in before.keys() & after.keys()
        if before[key] != after[key]
    ]
    return sorted(lines)


def rubric_changes(old: Rubric, new: Rubric) -> list[str]:
    """Every difference that changes how memos are scored, most important first."""
    lines: list[str] = []
    if old.scale != new.scale:
        lines.append(f"scale: {old.scale.min}–{old.scale.max} → {new.scale.min}–{new.scale.max}")
    pairs, added_removed = _matched_criteria(old, new)
    lines += added_removed
    for before, after in pairs:
        lines += _criterion_changes(before, after)
    if _reordered(old, new, pairs):
        lines.append("criteria reordered")
    lines += _framework_changes(old, new)
    if old.name != new.name:
        lines.append(f"name: {old.name} → {new.name}")
    if old.description.strip() != new.description.strip():
        lines.append("rubric description changed")
    return lines


def _reordered(old: Rubric, new: Rubric, pairs: Pairs) -> bool:
    """True when criteria present in both versions appear in a different order."""
    old_position = {c.key: index for index, c in enumerate(old.criteria)}
    paired = {after.key: before.key for before, after in pairs}
    order = [old_position[paired[c.key]] for c in new.criteria if c.key in paired]
    return order != sorted(order)


def _line_changes(field: str, old: str, new: str) -> list[str]:
    diff = [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    added = sum(1 for line in diff if line.startswith("+"))
    removed = len(diff) - added
    lines = [f"{field}: {added} line(s) added, {removed} removed"]
    shown = [line for line in diff if line[1:].strip()][:MAX_PROMPT_LINES_SHOWN]
    lines += [f"{line[0]} {line[1:].strip()[:MAX_LINE_CHARS]}" for line in shown]
    if len(diff) > len(shown):
        lines.append(f"… and {len(diff) - len(shown)} more changed line(s)")
    return lines


def prompt_changes(old: PromptTemplate, new: PromptTemplate) -> list[str]:
    """A summary per field, with the first changed lines ("+ added", "- removed")."""
    lines: list[str] = []
    for field in ("system", "memo_template"):
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            lines += _line_changes(field, before, after)
    return lines
