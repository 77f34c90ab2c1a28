"""proselint findings with offsets into the memo itself (English only).

proselint's ``LintFile`` lints ``"\\n" + text + "\\n"``, so its spans are one character
ahead of the memo; we subtract that and drop any span that does not land on the
phrase, so a wrong offset can never reach a user.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

_PADDING = 1
"""LintFile prepends one newline to the content it lints."""

_DISABLED = ("typography", "dates_times", "misc.capitalization")
"""Typesetting and date-format checks add noise to a business memo without helping it."""

_lock = threading.Lock()
_registered = False


@dataclass(frozen=True)
class StyleFinding:
    start: int
    end: int
    check: str
    message: str
    replacement: str | None


def _ensure_registered() -> None:
    """Register proselint's checks once per process (its registry is a singleton)."""
    global _registered
    with _lock:
        if _registered:
            return
        from proselint.checks import __register__
        from proselint.registry import CheckRegistry

        registry = CheckRegistry()
        if not registry.checks:
            registry.register_many(__register__)
        _registered = True


def _config() -> Any:
    from proselint.config import DEFAULT

    checks = dict(DEFAULT["checks"])
    for key in _DISABLED:
        checks[key] = False
    ordered = dict(sorted(checks.items(), key=lambda item: item[0].count("."), reverse=True))
    return {"max_errors": DEFAULT["max_errors"], "checks": ordered}


def _replacement(raw: object) -> str | None:
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if isinstance(raw, (list, tuple)) and raw and isinstance(raw[0], str):
        return raw[0].strip() or None
    return None


def lint(text: str) -> list[StyleFinding]:
    """proselint findings for ``text``, deduplicated by span, in text order."""
    if not text.strip():
        return []
    _ensure_registered()
    from proselint.tools import LintFile

    findings: dict[tuple[int, int], StyleFinding] = {}
    for result in LintFile("memo", text).lint(_config()):
        check = result.check_result
        start, end = check.span[0] - _PADDING, check.span[1] - _PADDING
        if start < 0 or end > len(text) or end <= start or not text[start:end].strip():
            continue
        if (start, end) not in findings:
            findings[(start, end)] = StyleFinding(
                start,
                end,
                str(check.check_path),
                str(check.message),
                _replacement(check.replacements),
            )
    return [findings[span] for span in sorted(findings)]
