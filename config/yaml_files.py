"""Safe YAML loading and validation errors that name the file, the field and the fix.

Every YAML file the coach reads (bundled defaults, an admin's upload) goes through
``load_model`` so that hostile input (alias bombs, huge files, wrong types) is refused
the same way everywhere, with a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

MAX_YAML_BYTES = 256 * 1024
"""Config files are small; anything larger is a mistake or an attack."""

MAX_YAML_DEPTH = 20

ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """A config file that cannot be used, with every problem found in it."""

    def __init__(self, file: str, problems: Iterable[str]) -> None:
        self.file = file
        self.problems = list(problems) or ["is not valid"]
        super().__init__(f"{file}: " + "; ".join(self.problems))


class _NoAliasSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases: they enable 'billion laughs' bombs and
    no config file here needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed in config files",
                problem_mark=event.start_mark,
            )
        depth = getattr(self, "_depth", 0)
        if depth > MAX_YAML_DEPTH:
            raise yaml.MarkedYAMLError(problem=f"nesting deeper than {MAX_YAML_DEPTH} levels")
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth


def parse_yaml(text: str | bytes, file: str) -> Any:
    """Parse YAML text safely; raise ConfigError with the file name on any problem."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_YAML_BYTES:
        raise ConfigError(
            file,
            [
                f"file is {size:,} bytes, larger than the {MAX_YAML_BYTES:,}"
                " bytes a config file may be"
            ],
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(file, ["is not UTF-8 text"]) from exc
    try:
        return yaml.load(text, Loader=_NoAliasSafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        where = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark else ""
        raise ConfigError(file, [f"{where}{exc.problem or 'is not valid YAML'}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(file, [f"is not valid YAML ({exc})"]) from exc


def field_path(loc: tuple[int | str, ...]) -> str:
    """('criteria', 2, 'weight') -> 'criteria[2].weight'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _reason(error: Any) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    bounds = {
        "greater_than": ("must be > {gt}", "gt"),
        "greater_than_equal": ("must be >= {ge}", "ge"),
        "less_than": ("must be < {lt}", "lt"),
        "less_than_equal": ("must be <= {le}", "le"),
    }
    if kind in bounds:
        template, _ = bounds[kind]
        return template.format(**ctx)
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}"
    if kind == "string_too_short":
        return f"must have at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")


def describe_validation_error(exc: ValidationError) -> list[str]:
    """Turn pydantic errors into 'path: value is not allowed (reason)' lines."""
    problems = []
    for error in exc.errors():
        path = field_path(tuple(error["loc"]))
        kind = error["type"]
        if kind == "missing":
            problems.append(f"{path}: is required")
        elif kind == "extra_forbidden":
            problems.append(f"{path}: is not a known field")
        elif not path or kind in {"value_error", "assertion_error"}:
            prefix = f"{path}: " if path else ""
            problems.append(prefix + _reason(error))
        else:
            value = error.get("input")
            shown = repr(value) if isinstance(value, str) else _short(value)
            problems.append(f"{path}: {shown} is not allowed ({_reason(error)})")
    return problems


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate_model(
    data: Any,
    model: type[ModelT],
    file: str,
    extra_problems: Callable[[Any], list[str]] | None = None,
) -> ModelT:
    """Validate parsed YAML against a pydantic model, raising ConfigError on failure.

    ``extra_problems`` reports whole-file rules (such as the weight sum) even when
    field errors stop pydantic from reaching its own model validators.
    """
    if not isinstance(data, dict):
        raise ConfigError(file, ["must be a mapping of keys to values at the top level"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = describe_validation_error(exc)
        for extra in extra_problems(data) if extra_problems else []:
            if extra not in problems:
                problems.append(extra)
        raise ConfigError(file, problems) from exc


def load_model(
    source: Path | str | bytes,
    model: type[ModelT],
    file: str | None = None,
    extra_problems: Callable[[Any], list[str]] | None = None,
) -> ModelT:
    """Read (from a path) or take YAML text, parse it safely and validate it."""
    if isinstance(source, Path):
        label = file or source.name
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise ConfigError(label, [f"cannot be read ({exc.strerror})"]) from exc
        if size > MAX_YAML_BYTES:
            raise ConfigError(
                label,
                [
                    f"file is {size:,} bytes, larger than the "
                    f"{MAX_YAML_BYTES:,} bytes a config file may be"
                ],
            )
        source = source.read_bytes()
        file = label
    label = file or "<yaml>"
    return validate_model(parse_yaml(source, label), model, label, extra_problems)
