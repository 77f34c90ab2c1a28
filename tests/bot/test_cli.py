"""The `memo-coach` command line, run in-process through `main()` on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from config.coach import CoachConfig
from evaluation.extraction import extract_text
from evaluation.limits import check_memo
from storage.migrate import head_revision
from tests.fakes.fake_anthropic import FakeAnthropic

MEMOS = Path(__file__).resolve().parents[1] / "data" / "memos"
CONTRACT_KEYS = {
    "overall_score",
    "scale",
    "evaluator",
    "rubric_version",
    "language",
    "criteria",
    "strengths",
    "opportunities",
    "segments",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment: no .env, no API key, SQLite in tmp unless a test sets more."""
    monkeypatch.chdir(tmp_path)
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "MEMO_COACH_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'coach.db'}")
    return monkeypatch


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_shows_offline_feedback_without_tokens(env, capsys) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Memo feedback:" in out
    assert "/ 5" in out
    assert "Offline feedback" in out
    assert "Line by line" in out
    assert "│ " in out
    assert not (Path.cwd() / "data").exists(), "the demo must not create a database"


@pytest.mark.parametrize("memo", sorted(p.name for p in MEMOS.glob("*.md")))
def test_evaluate_json_contract_with_anchored_quotes(env, capsys, memo: str) -> None:
    result = run_json(capsys, "evaluate", str(MEMOS / memo), "--json", "--no-store")
    assert set(result) == CONTRACT_KEYS
    assert result["evaluator"] == "offline"
    assert result["rubric_version"] == 1
    assert result["scale"] == {"min": 1, "max": 5}
    for criterion in result["criteria"]:
        assert set(criterion) == {"key", "name", "weight", "score", "justification"}
    text = check_memo(
        extract_text((MEMOS / memo).read_bytes(), memo, CoachConfig().files), CoachConfig().memo
    )
    raw = (MEMOS / memo).read_text(encoding="utf-8")
    assert result["segments"]
    for segment in result["segments"]:
        assert set(segment) == {"quote", "start", "end", "comment", "questions", "suggestions"}
        assert text[segment["start"] : segment["end"]] == segment["quote"]
        assert segment["quote"] in raw
    weights = {c["key"]: c["weight"] for c in result["criteria"]}
    judged = [c for c in result["criteria"] if c["score"] is not None]
    mean = sum(c["score"] * weights[c["key"]] for c in judged) / sum(
        weights[c["key"]] for c in judged
    )
    assert abs(result["overall_score"] - mean) <= 0.05 + 1e-9


def test_evaluate_stores_and_progress_reports_it(env, capsys, database_url: str) -> None:
    env.setenv("DATABASE_URL", database_url)
    for name in ("pricing_weak.md", "pricing_strong.md"):
        assert main(["evaluate", str(MEMOS / name), "--user", "alice"]) == 0
    out = capsys.readouterr().out
    assert "Saved as evaluation" in out
    progress = run_json(capsys, "progress", "--user", "alice", "--json")
    assert progress["memo_count"] == 2
    assert progress["overall"][0]["overall_score"] < progress["overall"][1]["overall_score"]
    assert main(["progress", "--user", "alice"]) == 0
    text = capsys.readouterr().out
    assert "2 memos evaluated" in text
    assert "↑" in text
    assert main(["progress", "--user", "nobody"]) == 0
    assert "No memos evaluated yet" in capsys.readouterr().out


def test_bad_files_give_a_clear_message_and_store_nothing(env, capsys, tmp_path) -> None:
    cases = {
        "slides.pptx": b"PK\x03\x04 not really",
        "empty.txt": b"",
        "short.md": b"Approve it.",
        "scan.pdf": b"%PDF-1.4 truncated",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        assert main(["evaluate", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("memo-coach: ")
        assert "Traceback" not in err
    assert main(["evaluate", str(tmp_path / "missing.md")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["memo_count"] == 0


async def test_evaluate_uses_the_model_when_a_key_is_set(
    env, capsys, fake_anthropic: FakeAnthropic
) -> None:
    env.setenv("ANTHROPIC_API_KEY", "sk-test")
    env.setenv("ANTHROPIC_BASE_URL", fake_anthropic.base_url)
    argv = ["evaluate", str(MEMOS / "office_strong.md"), "--json"]
    assert await asyncio.to_thread(main, argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["evaluator"] == "anthropic:claude-sonnet-5"
    assert len(fake_anthropic.requests) == 1
    assert await asyncio.to_thread(main, [*argv, "--offline"]) == 0
    assert json.loads(capsys.readouterr().out)["evaluator"] == "offline"
    assert len(fake_anthropic.requests) == 1


def test_config_validate(env, capsys, tmp_path) -> None:
    assert main(["config", "validate"]) == 0
    assert "ok     rubric.yaml" in capsys.readouterr().out
    bad = tmp_path / "conf"
    bad.mkdir()
    (bad / "rubric.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "config" / "rubric.yaml")
        .read_text()
        .replace("weight: 15", "weight: -5")
    )
    assert main(["config", "validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "ERROR  rubric.yaml" in out
    assert "criteria[4].weight: -5 is not allowed (must be > 0)" in out
    assert "weights sum to 80, must be 100" in out
    assert "ok     prompt.yaml" in out


def test_invalid_environment_is_reported(env, capsys) -> None:
    env.setenv("MEMO_COACH_MODE", "carrier-pigeon")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert "memo_coach_mode" in err
    assert "Traceback" not in err


def test_db_upgrade(env, capsys, database_url: str) -> None:
    env.setenv("DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out


def test_python_dash_m_bot_is_the_same_command() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("memo-coach ")
