"""The real bot as a subprocess (`python -m bot run`) in HTTP mode on loopback, wired to a
fake Slack, a fake Anthropic API, a database and a config directory."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from contextlib import ExitStack
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Evaluation, Submission
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET

START_SECONDS = 30.0  # how long the process may take to answer /health


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(
    home: Path,
    slack: FakeSlack,
    anthropic: FakeAnthropic,
    database_url: str,
    config_dir: Path,
    **extra: str,
) -> dict[str, str]:
    """The whole environment of the bot process (nothing inherited but PATH)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "MEMO_COACH_MODE": "http",
        "DATABASE_URL": database_url,
        "MEMO_COACH_CONFIG_DIR": str(config_dir),
        "ANTHROPIC_API_KEY": "sk-test",
        "ANTHROPIC_BASE_URL": anthropic.base_url,
        **extra,
    }


async def start(
    env: dict[str, str], port: int, stdout: Path, stderr: Path | None = None
) -> asyncio.subprocess.Process:
    """Start the bot on ``port`` and return it once /health answers 200.

    Output is appended to ``stdout`` (and ``stderr``, or ``stdout`` when not given). If the
    process exits first or never becomes healthy, it is killed and the failure names the log.
    """
    log = stderr or stdout
    with ExitStack() as files:  # the child keeps its own copies of these descriptors
        out = files.enter_context(stdout.open("ab"))
        err = files.enter_context(stderr.open("ab")) if stderr else asyncio.subprocess.STDOUT
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=err,
        )
    try:
        await _wait_healthy(process, port, log)
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    return process


async def _wait_healthy(process: asyncio.subprocess.Process, port: int, log: Path) -> None:
    deadline = asyncio.get_running_loop().time() + START_SECONDS
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            if process.returncode is not None:
                raise AssertionError(
                    f"the bot exited during start-up (code {process.returncode}); see {log}"
                )
            try:
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the bot did not answer /health within {START_SECONDS}s; see {log}")


async def wait_for_model_call(anthropic: FakeAnthropic, within: float = 10.0) -> None:
    """Wait until the fake model has received a request; fail if none arrives in time."""
    deadline = asyncio.get_running_loop().time() + within
    while not anthropic.requests:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the model call did not start within {within}s")
        await asyncio.sleep(0.05)


async def submission_counts(database_url: str) -> tuple[int, int, list[str]]:
    """(number of submissions, number of evaluations, every submission's status)."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            statuses = list(await session.scalars(select(Submission.status)))
            evaluations = await session.scalar(select(func.count()).select_from(Evaluation))
    finally:
        await database.dispose()
    return len(statuses), int(evaluations or 0), statuses


async def submission_statuses(database_url: str) -> list[str]:
    return (await submission_counts(database_url))[2]
