"""The YAML files: defaults are valid, errors name file/field/value/rule, hostile YAML fails."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config.bundle import DEFAULTS_DIR, ConfigErrors, load_config
from config.yaml_files import MAX_YAML_BYTES, ConfigError, parse_yaml
from evaluation.prompt_template import parse_prompt
from evaluation.rubric import parse_rubric


def default_rubric() -> dict:
    return yaml.safe_load((DEFAULTS_DIR / "rubric.yaml").read_text())


def test_defaults_are_valid_and_rubric_is_as_documented() -> None:
    bundle = load_config()
    rubric = bundle.rubric
    assert (rubric.scale.min, rubric.scale.max) == (1, 5)
    assert 4 <= len(rubric.criteria) <= 6
    assert sum(c.weight for c in rubric.criteria) == 100
    assert {f.name for f in rubric.frameworks} >= {"Pyramid Principle", "SCQA"}
    for criterion in rubric.criteria:
        assert set(criterion.levels) == {1, 2, 3, 4, 5}


def test_negative_weight_names_file_field_value_rule_and_sum() -> None:
    data = default_rubric()
    data["criteria"][2]["weight"] = -5
    data["criteria"][0]["weight"] = 20
    with pytest.raises(ConfigError) as caught:
        parse_rubric(yaml.safe_dump(data))
    assert str(caught.value) == (
        "rubric.yaml: criteria[2].weight: -5 is not allowed (must be > 0); "
        "weights sum to 70, must be 100"
    )


def test_sum_not_100_alone() -> None:
    data = default_rubric()
    data["criteria"][0]["weight"] = 20
    with pytest.raises(ConfigError, match="weights sum to 95, must be 100"):
        parse_rubric(yaml.safe_dump(data))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["criteria"][1].update(key="Bad Key"), "criteria[1].key: 'Bad Key'"),
        (lambda d: d["criteria"][0]["levels"].pop(3), "needs guidance for every level"),
        (lambda d: d["criteria"][1].update(key="answer_first"), "repeated: answer_first"),
        (lambda d: d["criteria"][0].update(colour="red"), "criteria[0].colour: is not a known"),
        (lambda d: d.pop("criteria"), "criteria: is required"),
        (lambda d: d["criteria"][0].update(frameworks=["nope"]), "not defined under frameworks"),
        (lambda d: d.update(scale={"min": 5, "max": 1}), "must be greater than scale.min"),
        (lambda d: d["criteria"][0].update(weight="heavy"), "criteria[0].weight: 'heavy'"),
    ],
)
def test_rubric_errors_point_at_the_problem(mutate, expected: str) -> None:
    data = default_rubric()
    mutate(data)
    with pytest.raises(ConfigError) as caught:
        parse_rubric(yaml.safe_dump(data))
    assert expected in str(caught.value)
    assert str(caught.value).startswith("rubric.yaml: ")


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    with pytest.raises(ConfigError, match="aliases"):
        parse_yaml(bomb, "rubric.yaml")


def test_huge_and_deep_and_binary_yaml_refused() -> None:
    with pytest.raises(ConfigError, match="larger than"):
        parse_yaml("x: " + "a" * MAX_YAML_BYTES, "rubric.yaml")
    with pytest.raises(ConfigError, match="nesting"):
        parse_yaml("[" * 100 + "]" * 100, "rubric.yaml")
    with pytest.raises(ConfigError, match="UTF-8"):
        parse_yaml(b"\xff\xfe\x00bad", "rubric.yaml")
    with pytest.raises(ConfigError, match="top level"):
        parse_rubric("- just\n- a list\n")
    with pytest.raises(ConfigError, match=r"line \d+: expected"):
        parse_rubric("criteria: [unclosed\n")
    with pytest.raises(ConfigError, match=r"not valid YAML|line \d+"):
        parse_yaml("!!python/object:os.system ['echo hi']", "rubric.yaml")


def test_prompt_guard_rails() -> None:
    good = yaml.safe_load((DEFAULTS_DIR / "prompt.yaml").read_text())
    no_delimiters = dict(good, memo_template="Please evaluate: {memo}")
    with pytest.raises(ConfigError, match="between the delimiters"):
        parse_prompt(yaml.safe_dump(no_delimiters))
    no_rubric = dict(good, system=good["system"].replace("{rubric}", ""))
    with pytest.raises(ConfigError, match=r"must contain \{rubric\}"):
        parse_prompt(yaml.safe_dump(no_rubric))
    twice = dict(good, memo_template="<memo>{memo}</memo> again {memo}")
    with pytest.raises(ConfigError, match="exactly once"):
        parse_prompt(yaml.safe_dump(twice))


def test_load_config_collects_errors_from_every_file(tmp_path: Path) -> None:
    (tmp_path / "llm.yaml").write_text("model: ''\nmax_tokens: 1\n")
    (tmp_path / "coach.yaml").write_text("digest:\n  timezone: Mars/Olympus\n  cron: '* *'\n")
    with pytest.raises(ConfigErrors) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert "llm.yaml: model: '' is not allowed" in message
    assert "llm.yaml" in message
    assert "max_tokens: 1 is not allowed (must be >= 256)" in message
    assert "coach.yaml: digest.timezone" in message
    assert "not a known time zone" in message


def test_override_directory_takes_precedence(tmp_path: Path) -> None:
    (tmp_path / "llm.yaml").write_text("model: claude-haiku-4-5\n")
    assert load_config(tmp_path).llm.model == "claude-haiku-4-5"
    assert load_config().llm.model != "claude-haiku-4-5"
