"""coach.yaml: limits and behaviour an operator tunes without touching code."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemoLimits(_Section):
    min_words: int = Field(40, ge=1, le=5_000)
    max_characters: int = Field(40_000, ge=500, le=500_000)


class FileLimits(_Section):
    max_bytes: int = Field(10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    docx_max_uncompressed_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    docx_max_entries: int = Field(1_000, ge=10, le=100_000)
    pdf_max_pages: int = Field(40, ge=1, le=1_000)


class RateLimit(_Section):
    memos_per_hour: int = Field(20, ge=1, le=10_000)


class Retention(_Section):
    memo_text_days: int = Field(
        365, ge=1, description="Memo texts older than this are purged; scores are kept."
    )


class Worker(_Section):
    concurrency: int = Field(
        5,
        ge=1,
        le=64,
        description="Memos in progress at once per process; above llm.yaml's concurrency, "
        "one memo's replies are posted while the next is being scored.",
    )
    lease_seconds: int = Field(300, ge=10, le=3_600)
    max_attempts: int = Field(3, ge=1, le=10)


class Schedule(_Section):
    enabled: bool = True
    cron: str = Field("0 9 * * mon", description="Five-field crontab expression.")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a known time zone (e.g. Europe/Madrid)") from exc
        return value

    @model_validator(mode="after")
    def _five_fields(self) -> Schedule:
        if len(self.cron.split()) != 5:
            raise ValueError(f"cron {self.cron!r} must have five fields (min hour day month dow)")
        return self


class Backup(Schedule):
    enabled: bool = False
    cron: str = "30 2 * * *"
    keep: int = Field(7, ge=1, le=365)
    dest: Path = Path("./backups")


class Admins(_Section):
    workspace_admins_are_admins: bool = False


class CoachConfig(_Section):
    memo: MemoLimits = MemoLimits()
    files: FileLimits = FileLimits()
    rate_limit: RateLimit = RateLimit()
    retention: Retention = Retention()
    worker: Worker = Worker()
    digest: Schedule = Schedule()
    backup: Backup = Backup()
    admins: Admins = Admins()
    debug_storage: bool = Field(
        False, description="Keep raw prompts and responses for `admin debug last`."
    )
