"""Start and stop the whole bot: database, Slack client, worker pool, HTTP server and,
in Socket Mode, the websocket connection. `memo-coach run` waits for SIGTERM/SIGINT and
shuts down gracefully: stop taking work, let running jobs finish (bounded), exit 0."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.app import build_app
from bot.bootstrap import open_database
from bot.config_service import current_prompt
from bot.database_lock import DatabaseBusy, HeldLock, hold_for_bot
from bot.maintenance import sqlite_warning
from bot.metrics import refresh_job_gauges
from bot.progress_report import wait_for_progress_reports
from bot.runtime import Runtime
from bot.scheduler import Scheduler, start_scheduler
from bot.services import Services
from bot.slack_client import make_web_client
from bot.web import build_web_app
from bot.worker import WorkerPool
from evaluation.service import build_evaluator
from storage.db import sqlite_version

log = logging.getLogger(__name__)
T = TypeVar("T")

SHUTDOWN_GRACE_SECONDS = 20.0
RUN_LOCK_CHECK_SECONDS = 30.0
"""How often a running bot checks it still holds the database's run lock."""
WAL_CHECKPOINT_SECONDS = 1.0
"""How often a bot on SQLite copies the WAL into the database file (a no-op when idle)."""
SCHEDULER_GRACE_SECONDS = 10.0
AUTH_CACHE_SECONDS = 30.0
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - inside a container the bot must be reachable
YOUNG_COLLECTION_EVERY = 10_000
"""Net allocations between two collections of the youngest generation (Python's default
is 700). At the default a burst of 100 slash commands ran ~5 young collections and one
of the middle generation every other burst (2–4 ms each in the running bot; and a full
one, 9–28 ms, when its turn came); at 10,000, none. What waits longer for collection is
short-lived cyclic garbage: a few MB at most, peak RSS unchanged (benchmarks/RESULTS.md,
eighth round)."""


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on uvloop where it is installed (Linux and macOS): its sockets,
    timers and thread wake-ups (every SQLite call comes back from a thread) take less
    CPU per memo; see benchmarks/RESULTS.md. asyncio's own loop elsewhere."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.run(main)
    return uvloop.run(main)


def app_version() -> str:
    try:
        return version("memo-coach")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass
class RunningBot:
    services: Services
    app: AsyncApp
    workers: WorkerPool
    runner: web.AppRunner
    port: int
    socket_handler: AsyncSocketModeHandler | None = None
    scheduler: Scheduler | None = None
    database_lock: HeldLock | None = None
    sqlite_warning: str | None = None
    lost_database: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a restore took the database while this bot's lock was gone: stop."""
    _auth: tuple[float, bool, str] = field(default=(0.0, False, "not checked"))
    _lock_watch: asyncio.Task[None] | None = None
    _checkpoints: asyncio.Task[None] | None = None

    async def readiness(self) -> dict[str, Any]:
        """Database reachable, configuration valid (it loaded), Slack auth.test ok."""
        checks: dict[str, Any] = {"configuration": "ok", "sqlite_version": sqlite_version()}
        if self.sqlite_warning:
            checks["sqlite_warning"] = self.sqlite_warning
        try:
            await asyncio.wait_for(self.services.database.ping(), 5)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable ({type(exc).__name__})"
        checked_at, slack_ok, detail = self._auth
        if time.monotonic() - checked_at > AUTH_CACHE_SECONDS or not slack_ok:
            slack_ok, detail = await self._auth_test()
            self._auth = (time.monotonic(), slack_ok, detail)
        checks["slack"] = detail
        checks["ready"] = checks["database"] == "ok" and slack_ok
        return checks

    async def _auth_test(self) -> tuple[bool, str]:
        try:
            response = await asyncio.wait_for(self.services.client.auth_test(), 10)
        except SlackApiError as exc:
            return False, f"auth.test failed ({exc.response.get('error')})"
        except Exception as exc:
            return False, f"auth.test failed ({type(exc).__name__})"
        self.services.bot_user_id = str(response.get("user_id") or "") or None
        return True, "ok"

    async def check_run_lock(self) -> None:
        """Take the run lock again if a database restart dropped it; if a restore got
        in first, stop taking work and set ``lost_database``."""
        if self.database_lock is None:
            return
        try:
            await self.database_lock.ensure_held()
        except DatabaseBusy:
            log.error(
                "a restore started while the database was restarting: this bot stops; "
                "start it again when the restore has finished"
            )
            self.lost_database.set()
        except Exception:  # the database is still down: try again next time
            log.warning("could not check the database run lock", exc_info=True)

    async def _keep_run_lock(self) -> None:
        while not self.lost_database.is_set():
            await asyncio.sleep(RUN_LOCK_CHECK_SECONDS)
            await self.check_run_lock()

    async def _checkpoint_wal(self) -> None:
        """SQLite: copy the WAL into the database file every WAL_CHECKPOINT_SECONDS, off
        the commit path (commits no longer checkpoint; see storage.db)."""
        while True:
            await asyncio.sleep(WAL_CHECKPOINT_SECONDS)
            try:
                await self.services.database.checkpoint_wal()
            except Exception:
                log.warning("SQLite WAL checkpoint failed; trying again", exc_info=True)

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        for task in (self._lock_watch, self._checkpoints):
            if task is not None:
                task.cancel()
        if self.scheduler is not None:
            await self.scheduler.shutdown(grace=min(grace, SCHEDULER_GRACE_SECONDS))
        if self.socket_handler is not None:
            with contextlib.suppress(Exception):
                await self.socket_handler.close_async()  # type: ignore[no-untyped-call]
        await self.workers.stop(grace=grace)
        await wait_for_progress_reports(grace)
        await self.runner.cleanup()
        await self.services.aclose()
        if self.database_lock is not None:
            await self.database_lock.release()


async def build_services(runtime: Runtime, *, background_checkpoints: bool = False) -> Services:
    """Database (migrated and seeded), Slack client, evaluator and HTTP session: what
    the bot and one-off commands such as `memo-coach digest --now` share. The bot takes
    ``background_checkpoints`` (SQLite) and runs them itself."""
    settings = runtime.settings
    database = await open_database(runtime, background_checkpoints=background_checkpoints)
    key = settings.anthropic_api_key
    return Services(
        runtime=runtime,
        database=database,
        client=make_web_client(
            settings, session=aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        ),
        evaluator=build_evaluator(
            key.get_secret_value() if key else None,
            settings.anthropic_base_url,
            runtime.config.llm,
            lambda: current_prompt(database),  # the live prompt, read for every memo
        ),
        http=aiohttp.ClientSession(),
    )


async def start_bot(
    runtime: Runtime,
    *,
    host: str = ALL_INTERFACES,
    port: int | None = None,
    reuse_port: bool = False,
) -> RunningBot:
    """Everything running; ``port=0`` picks a free port (tests). ``reuse_port`` lets
    several bot processes share one port, the kernel spreading connections between them
    (replicas on one host, as the load benchmark runs them)."""
    settings = runtime.settings
    if not settings.slack_bot_token:
        raise RuntimeError("SLACK_BOT_TOKEN is not set: the bot cannot talk to Slack")
    if settings.mode == "http" and not settings.slack_signing_secret:
        raise RuntimeError("SLACK_SIGNING_SECRET is required in HTTP mode")
    if settings.mode == "socket" and not settings.slack_app_token:
        raise RuntimeError("SLACK_APP_TOKEN (xapp-…) is required in Socket Mode")
    database_lock = await hold_for_bot(settings.database_url)  # a restore waits for us
    try:
        return await _start(runtime, host, port, reuse_port, database_lock)
    except BaseException:
        if database_lock is not None:
            await database_lock.release()
        raise


async def _start(
    runtime: Runtime,
    host: str,
    port: int | None,
    reuse_port: bool,
    database_lock: HeldLock | None,
) -> RunningBot:
    settings = runtime.settings
    services = await build_services(runtime, background_checkpoints=True)
    app = build_app(services)
    workers = WorkerPool(services)
    web_app = build_web_app(
        bolt_app=app if settings.mode == "http" else None,
        readiness=lambda: bot.readiness(),
        version=app_version(),
        before_scrape=lambda: refresh_job_gauges(services.database),
    )
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(
        runner, host, settings.port if port is None else port, reuse_port=reuse_port or None
    )
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else settings.port
    bot = RunningBot(services, app, workers, runner, int(bound), database_lock=database_lock)
    if services.database.dialect == "sqlite" and (warning := sqlite_warning()):
        bot.sqlite_warning = warning
        log.warning(warning, extra={"sqlite_version": sqlite_version()})
    ok, detail = await bot._auth_test()
    bot._auth = (time.monotonic(), ok, detail)
    if not ok:
        log.error("Slack auth.test failed; check SLACK_BOT_TOKEN", extra={"detail": detail})
    workers.start()
    bot._lock_watch = asyncio.create_task(bot._keep_run_lock(), name="run-lock-watch")
    if services.database.dialect == "sqlite":
        bot._checkpoints = asyncio.create_task(bot._checkpoint_wal(), name="wal-checkpoints")
    bot.scheduler = start_scheduler(services)
    if settings.mode == "socket" and settings.slack_app_token:
        app_token = settings.slack_app_token.get_secret_value()
        await _check_app_token(services, app_token)
        bot.socket_handler = AsyncSocketModeHandler(app, app_token)
        await bot.socket_handler.connect_async()  # type: ignore[no-untyped-call]
    tune_garbage_collector()
    log.info(
        "memo coach started",
        extra={
            "mode": settings.mode,
            "port": bot.port,
            "evaluator": services.evaluator.name,
            "sqlite_version": sqlite_version(),
        },
    )
    return bot


def tune_garbage_collector() -> None:
    """Move what start-up created (~270,000 objects: SDK types, schemas, ORM mappers) out
    of the garbage collector's reach. They live as long as the process, yet every full
    collection walked them: a 100-command burst paid ~200 ms for one such pass. Then
    collect young objects less often (``YOUNG_COLLECTION_EVERY``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])


async def _check_app_token(services: Services, app_token: str) -> None:
    """Fail fast on a bad app-level token: the Socket Mode client would retry forever."""
    try:
        await services.client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise RuntimeError(
            f"SLACK_APP_TOKEN was refused by Slack ({error}): use an app-level token "
            "(xapp-…) with the connections:write scope"
        ) from exc


async def serve(runtime: Runtime) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bot = await start_bot(runtime)
    try:
        signalled, lost = (
            asyncio.create_task(stop.wait()),
            asyncio.create_task(bot.lost_database.wait()),
        )
        await asyncio.wait((signalled, lost), return_when=asyncio.FIRST_COMPLETED)
        signalled.cancel()
        lost.cancel()
        log.info("shutting down", extra={"grace_seconds": SHUTDOWN_GRACE_SECONDS})
    finally:
        await bot.stop()
    if bot.lost_database.is_set():
        raise RuntimeError("a restore took the database: start the bot when it has finished")
