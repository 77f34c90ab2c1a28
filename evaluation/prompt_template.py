"""The editable prompt (prompt.yaml) and the guard rails that keep it safe to edit."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.yaml_files import load_model

MEMO_OPEN = "<memo>"
MEMO_CLOSE = "</memo>"
RUBRIC_PLACEHOLDER = "{rubric}"
MEMO_PLACEHOLDER = "{memo}"
OPTIONAL_PLACEHOLDERS = ("{audience}", "{language}")


class PromptTemplate(BaseModel):
    """``system`` is the stable, cached part (instructions + rubric); ``memo_template``
    carries the memo last, between fixed delimiters, so the memo is always data.

    Placeholders are substituted with ``str.replace``, never ``str.format``, so braces in
    a memo or rubric cannot break or inject into the template.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str = Field(min_length=20, max_length=20_000)
    memo_template: str = Field(min_length=10, max_length=5_000)

    @model_validator(mode="after")
    def _guard_rails(self) -> PromptTemplate:
        problems = []
        if RUBRIC_PLACEHOLDER not in self.system:
            problems.append(f"system: must contain {RUBRIC_PLACEHOLDER} (where the rubric goes)")
        if MEMO_PLACEHOLDER in self.system:
            problems.append(
                f"system: must not contain {MEMO_PLACEHOLDER}; the memo goes in memo_template"
            )
        template = self.memo_template
        opening = template.find(MEMO_OPEN)
        placeholder = template.find(MEMO_PLACEHOLDER)
        closing = template.find(MEMO_CLOSE)
        if template.count(MEMO_PLACEHOLDER) != 1:
            problems.append(f"memo_template: must contain {MEMO_PLACEHOLDER} exactly once")
        if not (0 <= opening < placeholder < closing):
            problems.append(
                f"memo_template: {MEMO_PLACEHOLDER} must sit between the delimiters "
                f"{MEMO_OPEN} and {MEMO_CLOSE}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_prompt(source: object, file: str = "prompt.yaml") -> PromptTemplate:
    """Validate prompt YAML (a path, text or bytes)."""
    return load_model(source, PromptTemplate, file)  # type: ignore[arg-type]
