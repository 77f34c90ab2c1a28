"""The rubric: what a memo is scored on. Validated so a bad edit never reaches users."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.yaml_files import load_model

KEY_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
TOTAL_WEIGHT = 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    min: int = Field(1, ge=0, le=10)
    max: int = Field(5, ge=1, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"scale.max ({self.max}) must be greater than scale.min ({self.min})")
        return self

    @property
    def levels(self) -> range:
        return range(self.min, self.max + 1)


class Framework(_Strict):
    """A writing framework (e.g. Pyramid Principle) shown to the model and the user."""

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=2000)


class Criterion(_Strict):
    key: str = Field(pattern=KEY_PATTERN, description="Stable id; progress is compared by key.")
    name: str = Field(min_length=1, max_length=80)
    weight: int = Field(gt=0, le=TOTAL_WEIGHT)
    description: str = Field(min_length=1, max_length=2000)
    levels: dict[int, str] = Field(description="Scoring guidance for every level of the scale.")
    frameworks: tuple[str, ...] = ()

    @field_validator("levels")
    @classmethod
    def _guidance_not_empty(cls, levels: dict[int, str]) -> dict[int, str]:
        empty = sorted(level for level, text in levels.items() if not text.strip())
        if empty:
            raise ValueError(f"guidance for level(s) {empty} is empty")
        return levels


def weight_problems(raw: Any) -> list[str]:
    """The whole-rubric weight rule, checked on raw data so it is reported alongside
    field errors (pydantic skips model validators once a field fails)."""
    criteria = raw.get("criteria") if isinstance(raw, dict) else None
    if not isinstance(criteria, list):
        return []
    weights = [c.get("weight") for c in criteria if isinstance(c, dict)]
    numbers = [w for w in weights if isinstance(w, int) and not isinstance(w, bool)]
    if not numbers or len(numbers) != len(weights):
        return []
    total = sum(numbers)
    return [] if total == TOTAL_WEIGHT else [f"weights sum to {total}, must be {TOTAL_WEIGHT}"]


class Rubric(_Strict):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    scale: Scale = Scale()
    frameworks: tuple[Framework, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        problems = weight_problems({"criteria": [{"weight": c.weight} for c in self.criteria]})
        keys = [c.key for c in self.criteria]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            problems.append(f"criteria keys must be unique; repeated: {', '.join(duplicates)}")
        expected = set(self.scale.levels)
        framework_keys = {f.key for f in self.frameworks}
        for index, criterion in enumerate(self.criteria):
            if set(criterion.levels) != expected:
                missing = sorted(expected - set(criterion.levels))
                extra = sorted(set(criterion.levels) - expected)
                detail = ", ".join(
                    part
                    for part in (
                        f"missing {missing}" if missing else "",
                        f"outside the scale {extra}" if extra else "",
                    )
                    if part
                )
                problems.append(
                    f"criteria[{index}].levels: needs guidance for every level "
                    f"{self.scale.min}..{self.scale.max} ({detail})"
                )
            unknown = sorted(set(criterion.frameworks) - framework_keys)
            if unknown:
                problems.append(
                    f"criteria[{index}].frameworks: {unknown} are not defined under frameworks"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)


def parse_rubric(source: Any, file: str = "rubric.yaml") -> Rubric:
    """Validate rubric YAML (a path, text or bytes) with the same rules everywhere."""
    return load_model(source, Rubric, file, extra_problems=weight_problems)
