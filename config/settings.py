"""Process settings from the environment and `.env` (secrets never live in YAML)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/memo_coach.db"
SECRETS_DIR = Path("/run/secrets")
"""Docker/Compose secrets: a file named like a setting (``slack_bot_token``) sets it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        secrets_dir=SECRETS_DIR if SECRETS_DIR.is_dir() else None,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_file_hosts: str = Field(
        "files.slack.com", description="Comma-separated hosts files may be downloaded from."
    )
    memo_coach_mode: Literal["socket", "http"] | None = Field(
        None, description="Default: socket when SLACK_APP_TOKEN is set, else http."
    )
    port: int = Field(3000, ge=1, le=65535)
    database_url: str = DEFAULT_DATABASE_URL
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    admin_user_ids: str = ""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    memo_coach_config_dir: Path | None = Field(
        None, description="Directory with rubric/prompt/llm/coach YAML overriding the defaults."
    )

    @cached_property
    def mode(self) -> Literal["socket", "http"]:
        if self.memo_coach_mode:
            return self.memo_coach_mode
        return "socket" if self.slack_app_token else "http"

    @cached_property
    def file_hosts(self) -> frozenset[str]:
        hosts = (h.strip().lower().split(":")[0] for h in self.slack_file_hosts.split(","))
        return frozenset(h for h in hosts if h)

    @cached_property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.admin_user_ids.split(",") if u.strip())
