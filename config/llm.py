"""llm.yaml: which model to call and how patiently."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Pricing(BaseModel):
    """US dollars per million tokens, for cost estimates in admin stats."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(2.0, ge=0)
    output: float = Field(10.0, ge=0)
    cache_read: float = Field(0.2, ge=0)
    cache_write: float = Field(2.5, ge=0)


class LlmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field("claude-sonnet-5", min_length=1, max_length=100)
    max_tokens: int = Field(4000, ge=256, le=64_000)
    temperature: float | None = Field(None, ge=0, le=1)
    timeout_seconds: float = Field(90, gt=0, le=600)
    max_retries: int = Field(3, ge=0, le=10)
    concurrency: int = Field(4, ge=1, le=64)
    output_mode: Literal["tool", "json_schema"] = Field(
        "tool", description="Strict tool use, or output_config.format with a JSON schema."
    )
    repair_attempts: int = Field(1, ge=0, le=3)
    fallback: Literal["offline", "none"] = Field(
        "offline", description="What answers when the model fails after its retries."
    )
    pricing_per_mtok: Pricing = Pricing()
