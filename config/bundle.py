"""Load and validate the four YAML files together, from the defaults or a directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.coach import CoachConfig
from config.llm import LlmConfig
from config.yaml_files import ConfigError, load_model
from evaluation.prompt_template import PromptTemplate, parse_prompt
from evaluation.rubric import Rubric, parse_rubric

DEFAULTS_DIR = Path(__file__).resolve().parent
CONFIG_FILES = ("rubric.yaml", "prompt.yaml", "llm.yaml", "coach.yaml")


@dataclass(frozen=True)
class ConfigBundle:
    rubric: Rubric
    prompt: PromptTemplate
    llm: LlmConfig
    coach: CoachConfig


class ConfigErrors(ValueError):
    """Every problem in every file, so one `config validate` run shows them all."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _path_for(name: str, directory: Path | None) -> Path:
    """A file in the override directory wins; otherwise the bundled default."""
    if directory is not None and (directory / name).exists():
        return directory / name
    return DEFAULTS_DIR / name


def _parse(name: str, path: Path) -> Any:
    if name == "rubric.yaml":
        return parse_rubric(path, name)
    if name == "prompt.yaml":
        return parse_prompt(path, name)
    if name == "llm.yaml":
        return load_model(path, LlmConfig, name)
    return load_model(path, CoachConfig, name)


def load_config(directory: Path | None = None) -> ConfigBundle:
    """Validate all four files; raise ConfigErrors listing every problem found."""
    if directory is not None and not directory.is_dir():
        raise ConfigErrors([ConfigError(str(directory), ["is not a directory"])])
    parsed: dict[str, Any] = {}
    errors: list[ConfigError] = []
    for name in CONFIG_FILES:
        try:
            parsed[name] = _parse(name, _path_for(name, directory))
        except ConfigError as exc:
            errors.append(exc)
    if errors:
        raise ConfigErrors(errors)
    return ConfigBundle(
        rubric=parsed["rubric.yaml"],
        prompt=parsed["prompt.yaml"],
        llm=parsed["llm.yaml"],
        coach=parsed["coach.yaml"],
    )


def config_sources(directory: Path | None = None) -> dict[str, Path]:
    """Which file each setting came from (for `config validate` output)."""
    return {name: _path_for(name, directory) for name in CONFIG_FILES}
