"""Settings and configuration loaded once per process, with errors a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from config.bundle import ConfigBundle, ConfigErrors, load_config
from config.settings import Settings
from config.yaml_files import describe_validation_error


class StartupError(Exception):
    """Settings or configuration that stop the process from starting."""


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    config: ConfigBundle


def load_runtime() -> Runtime:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(describe_validation_error(exc))
        raise StartupError(f"environment settings are invalid: {problems}") from exc
    try:
        config = load_config(settings.memo_coach_config_dir)
    except ConfigErrors as exc:
        raise StartupError(f"configuration is invalid:\n{exc}") from exc
    return Runtime(settings=settings, config=config)
