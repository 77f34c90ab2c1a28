"""Slack load: the real bot in HTTP mode on loopback against the fake Slack and the fake
model, and the naïve design (evaluate inside the listener, then ack) in the same run, so
the figures are ratios on the same machine. Prints a table; see benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/slack_load.py [--memos 1000] [--concurrency 50]
        [--model-latency 2] [--database-url postgresql://postgres@127.0.0.1:5432/test]

Each design runs as its own child process bound to 127.0.0.1, so its peak RSS is its own.
The bot child runs what `memo-coach run` runs (``start_bot`` with the environment's
settings) on 127.0.0.1 instead of 0.0.0.0. The naïve child is a tiny Bolt app written
here: the same evaluator, rendering and Slack client, no database, and the listener
evaluates and posts before it acks. The fakes and the load generator run in this process.

Slash commands sent concurrently come from a third process, the load generator (as
Slack sends from its own machines): in this process, the fakes' work for the bot under
test would hold up sending the commands and reading their acks.

Phases, on one child per design: a warm-up memo; ``--e2e-runs`` memos one at a time
(end-to-end overhead and time to the first visible message); ``--cache-memos`` memos
(one cold, then the rest at once) for the prompt-cache share; ``--bursts`` times
``--burst`` concurrent slash commands, each burst answered before the next (ack latency,
pooled); ``--memos`` memos at ``--model-latency`` (throughput).
PostgreSQL runs in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
sys.path.insert(0, str(ROOT))

SLACK_ACK_TIMEOUT = 3.0  # Slack shows the user an error when the ack takes longer
DONE_TEXT = "Feedback ready"  # the status message's fallback text once feedback is posted
POLL_SECONDS = 0.01
STARTED = "memo coach started"  # the bot's last start-up log line (bot.runners)


# --- child processes: the two designs under test ------------------------------------


async def _until_sigterm() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve_product(port: int) -> None:
    """`memo-coach run` (bot.runners.serve), but bound to 127.0.0.1."""
    from bot.logging_setup import configure_logging
    from bot.runners import start_bot
    from bot.runtime import load_runtime

    runtime = load_runtime()
    configure_logging(runtime.settings.log_level)
    bot = await start_bot(runtime, host="127.0.0.1", port=port, reuse_port=True)  # replicas
    try:
        await _until_sigterm()
    finally:
        await bot.stop(grace=5)


async def serve_naive(port: int) -> None:
    """The naïve design: the listener scores the memo and posts the feedback, then acks."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.rendering import render_evaluation
    from bot.rendering.status import Stage, first_line_of, render_status
    from bot.runtime import load_runtime
    from bot.slack_client import make_web_client
    from evaluation.errors import MemoRejected
    from evaluation.limits import check_memo
    from evaluation.memo import Memo, RubricVersion
    from evaluation.service import build_evaluator

    runtime = load_runtime()
    settings, config = runtime.settings, runtime.config
    assert settings.anthropic_api_key is not None
    assert settings.slack_signing_secret is not None
    evaluator = build_evaluator(
        settings.anthropic_api_key.get_secret_value(),
        settings.anthropic_base_url,
        config.llm,
        config.prompt,
    )
    rubric = RubricVersion(config.rubric, 1)
    app = AsyncApp(
        client=make_web_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=True,  # the HTTP answer waits for the whole listener
    )

    @app.command("/memo-coach")
    async def on_command(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        try:
            text = check_memo(str(command.get("text") or ""), config.coach.memo)
        except MemoRejected as exc:
            await ack(response_type="ephemeral", text=exc.user_message)
            return
        outcome = await evaluator.evaluate(Memo(text), rubric)
        opened = await client.conversations_open(users=command["user_id"])
        channel = str(opened["channel"]["id"])
        status = render_status(Stage.DONE, first_line=first_line_of(text), source_label="")
        root = await client.chat_postMessage(channel=channel, **status.payload())
        for message in render_evaluation(outcome.result, fallback_reason=outcome.fallback_reason):
            await client.chat_postMessage(
                channel=channel, thread_ts=root["ts"], unfurl_links=False, **message.payload()
            )
        await ack(response_type="ephemeral", text="Your feedback is in your DMs.")

    async def handle(request: web.Request) -> web.Response:
        from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

        bolt_response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    web_app.router.add_get("/health", health)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await _until_sigterm()
    finally:
        await runner.cleanup()


async def send_commands(job: dict[str, Any]) -> list[tuple[float, float, int]]:
    """The generator: sign every command first, then send them ``in_flight`` at a time,
    each on a new connection; (sent, acked, HTTP status) per command on time.monotonic(),
    which is the same clock in every process.

    Plain HTTP/1.1 over asyncio streams rather than an HTTP client library: a burst of
    100 through aiohttp's client costs the generator itself ~20 ms (p99 against a no-op
    server), this ~12 ms, and the figure should be the bot's, not the generator's."""
    from tests.fakes import slack_signing as signing

    url = urlsplit(job["url"])
    host, port = url.hostname or "127.0.0.1", url.port or 80
    requests = []
    for command in job["commands"]:
        body, content_type = signing.slash_command(
            command["text"], user_id=command["user"], response_url=command["response_url"]
        )
        headers = {
            "Host": f"{host}:{port}",
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            **signing.sign(body, job["secret"]),
        }
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(f"POST {url.path} HTTP/1.1\r\n{head}\r\n".encode() + body)
    gate = asyncio.Semaphore(job["in_flight"])

    async def one(request: bytes) -> tuple[float, float, int]:
        async with gate:
            sent_at = time.monotonic()
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(request)
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()).strip():
                    name, _, value = line.decode().partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
            finally:
                writer.close()
            return sent_at, time.monotonic(), status

    return list(await asyncio.gather(*(one(request) for request in requests)))


async def generate(job: dict[str, Any]) -> list[tuple[float, float, int]]:
    """Run ``send_commands`` in a child process (``--generate``), job in, times out."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--generate",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate(json.dumps(job).encode())
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed (exit {process.returncode})")
    return [tuple(row) for row in json.loads(output)]  # type: ignore[misc]


# --- measuring ------------------------------------------------------------------------


@dataclass
class Sent:
    """One slash command and what Slack (the fake) saw for it, on time.monotonic()."""

    user: str
    sent_at: float
    acked_at: float | None = None
    status: int = 0
    first_post: float | None = None  # first visible message in the user's DM
    last_post: float | None = None  # last message posted for the memo (final thread reply)
    done: float | None = None  # the status message says done (bot) / the ack (naïve)

    @property
    def ack_ms(self) -> float:
        assert self.acked_at is not None
        return (self.acked_at - self.sent_at) * 1000

    @property
    def first_visible_ms(self) -> float:
        assert self.first_post is not None
        return (self.first_post - self.sent_at) * 1000

    @property
    def final_reply_ms(self) -> float:
        assert self.last_post is not None
        return (self.last_post - self.sent_at) * 1000


class Tracker:
    """Follows the fake Slack's recorded calls, in order, into each memo's ``Sent``."""

    def __init__(self, slack: Any, *, done_on_ack: bool) -> None:
        self.slack = slack
        self.done_on_ack = done_on_ack
        self.by_channel: dict[str, Sent] = {}
        self.seen = 0

    def expect(self, sent: Sent) -> None:
        self.by_channel[f"D{sent.user}"] = sent

    def scan(self) -> None:
        calls = self.slack.calls
        while self.seen < len(calls) and calls[self.seen].response is not None:
            call = calls[self.seen]
            self.seen += 1
            sent = self.by_channel.get(str(call.args.get("channel", "")))
            if sent is None:
                continue
            if call.method == "chat.postMessage" and sent.done is None:
                sent.first_post = sent.first_post or call.at
                sent.last_post = call.at
            elif call.method == "chat.update" and str(call.args.get("text")).startswith(DONE_TEXT):
                sent.done = call.at

    def complete(self, sent: Sent) -> bool:
        return (sent.acked_at if self.done_on_ack else sent.done) is not None

    async def wait_done(self, memos: list[Sent], deadline: float) -> None:
        while True:
            self.scan()
            pending = [m for m in memos if not self.complete(m)]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(pending)} of {len(memos)} memos not answered in time")
            await asyncio.sleep(POLL_SECONDS)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def memo_texts() -> list[str]:
    return [p.read_text() for p in sorted((ROOT / "tests/data/memos").glob("*.md"))]


@dataclass
class Figures:
    """What one design measured; ``None`` where a phase was skipped."""

    single_ack_ms: list[float] = field(default_factory=list)
    e2e_overhead_ms: list[float] = field(default_factory=list)
    first_visible_ms: list[float] = field(default_factory=list)
    cache_cold_share: float = 0.0
    cache_warm_share: float = 0.0
    burst_ack_ms: list[float] = field(default_factory=list)
    burst_max_ms: list[float] = field(default_factory=list)
    burst_first_visible_ms: list[float] = field(default_factory=list)
    throughput_s: float = 0.0
    throughput_ack_ms: list[float] = field(default_factory=list)
    throughput_first_visible_ms: list[float] = field(default_factory=list)
    throughput_cpu_ms_per_memo: float = 0.0  # the server process's CPU time / memos
    throughput_machine_busy: float = 0.0  # share of all CPUs busy during the run
    peak_rss_mb: float = 0.0
    failed_acks: int = 0


class Load:
    """Signed slash commands to one child, and the phases that measure it."""

    def __init__(
        self,
        url: str,
        http: aiohttp.ClientSession,
        slack: Any,
        model: Any,
        tracker: Tracker,
        deadline: float,
    ) -> None:
        self.url, self.http, self.slack, self.model = url, http, slack, model
        self.tracker, self.deadline = tracker, deadline
        self.texts = memo_texts()
        self.count = 0
        self.failed = 0

    def _next(self, tag: str) -> tuple[Sent, dict[str, str]]:
        """A new user's memo: its ``Sent`` (followed by the tracker) and the command."""
        self.count += 1
        sent = Sent(f"U{tag}{self.count:05d}", 0.0)
        self.tracker.expect(sent)
        command = {
            "user": sent.user,
            "text": self.texts[self.count % len(self.texts)],
            "response_url": self.slack.new_response_url(),
        }
        return sent, command

    def _record(self, sent: Sent, sent_at: float, acked_at: float, status: int) -> None:
        sent.sent_at, sent.acked_at, sent.status = sent_at, acked_at, status
        self.failed += status != 200

    async def command(self, tag: str) -> Sent:
        """One command from this process (nothing else is in flight)."""
        from tests.fakes import slack_signing as signing
        from tests.handlers.harness import SIGNING_SECRET

        sent, command = self._next(tag)
        body, content_type = signing.slash_command(
            command["text"], user_id=sent.user, response_url=command["response_url"]
        )
        sent_at = time.monotonic()
        status, _ = await signing.post_signed(
            self.http, self.url, body, content_type, SIGNING_SECRET
        )
        self._record(sent, sent_at, time.monotonic(), status)
        return sent

    async def many(self, tag: str, count: int, in_flight: int) -> list[Sent]:
        """``count`` commands, ``in_flight`` at a time, sent by a separate generator process
        (as Slack sends from its own machines): in this process the fakes' work for the
        bot would delay sending and reading the acks."""
        from tests.handlers.harness import SIGNING_SECRET

        memos, commands = zip(*(self._next(tag) for _ in range(count)), strict=True)
        job = {"url": self.url, "secret": SIGNING_SECRET, "in_flight": in_flight}
        times = await generate({**job, "commands": list(commands)})
        for sent, (sent_at, acked_at, status) in zip(memos, times, strict=True):
            self._record(sent, sent_at, acked_at, status)
        return list(memos)

    async def settle(self, memos: list[Sent]) -> list[Sent]:
        await self.tracker.wait_done(memos, self.deadline)
        return memos

    async def sequential(self, runs: int, latency: float) -> list[Sent]:
        """One memo at a time, each answered before the next is sent."""
        self.model.latency = latency
        return [(await self.settle([await self.command("S")]))[0] for _ in range(runs)]

    async def cache_share(self, memos: int) -> tuple[float, float]:
        """(share of all input tokens read from cache, share once warm): one memo cold,
        then the rest at once, so every warm request starts after the cache was written."""
        self.model.reset_cache()
        self.model.latency = 0.05
        first = len(self.model.requests)
        await self.settle([await self.command("K")])
        cold_end = len(self.model.requests)
        await self.settle(await self.many("K", memos - 1, memos))
        usages = [r.reply["usage"] for r in self.model.requests[first:] if r.status == 200]
        warm = [r.reply["usage"] for r in self.model.requests[cold_end:] if r.status == 200]
        return _cache_share(usages), _cache_share(warm)


def _cache_share(usages: list[dict[str, int]]) -> float:
    read = sum(u["cache_read_input_tokens"] for u in usages)
    total = read + sum(u["input_tokens"] + u["cache_creation_input_tokens"] for u in usages)
    return read / total if total else 0.0


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat utime and stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, summed over its CPUs."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), sum(ticks) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def child(design: str, env: dict[str, str], workdir: Path, port: int, name: str) -> Iterator[int]:
    """Start one design as a child process logging to ``name``.log; yields its pid;
    SIGTERM on exit."""
    log = (workdir / f"{name}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), "--serve", design, "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


async def wait_started(
    http: aiohttp.ClientSession, base: str, pid: int, log: Path, design: str
) -> None:
    """The child answers /health and, for a bot replica, has logged its own start-up
    line: with several replicas on one port, /health may be answered by one started
    earlier."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"{base}/health") as response:
                own = design != "product" or STARTED in log.read_text(errors="replace")  # noqa: ASYNC240 - a small log
                if response.status == 200 and own:
                    return
        if not os.path.exists(f"/proc/{pid}"):  # noqa: ASYNC240 - a tiny procfs check
            break
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the child did not start:\n{tail_logs(log.parent)}")


def tail_logs(workdir: Path) -> str:
    return "".join(p.read_text()[-2000:] for p in sorted(workdir.glob("*.log")))


async def measure(
    design: str,
    args: argparse.Namespace,
    env: dict[str, str],
    workdir: Path,
    slack: Any,
    model: Any,
) -> Figures:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tracker = Tracker(slack, done_on_ack=design == "naive")
    figures = Figures()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=args.time_limit)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        with contextlib.ExitStack() as children:
            pids = []
            for replica in range(args.replicas if design == "product" else 1):
                name = design if replica == 0 else f"{design}-{replica + 1}"
                pids.append(children.enter_context(child(design, env, workdir, port, name)))
                await wait_started(http, base, pids[-1], workdir / f"{name}.log", design)
            load = Load(
                f"{base}/slack/events",
                http,
                slack,
                model,
                tracker,
                time.monotonic() + args.time_limit,
            )
            print(f"  {design}: warm-up, {args.e2e_runs} single memos", flush=True)
            model.latency = args.e2e_latency
            await load.settle([await load.command("W")])
            single = await load.sequential(args.e2e_runs, args.e2e_latency)
            figures.single_ack_ms = [s.ack_ms for s in single]
            figures.e2e_overhead_ms = [s.final_reply_ms - args.e2e_latency * 1000 for s in single]
            figures.first_visible_ms = [s.first_visible_ms for s in single]
            print(f"  {design}: prompt cache over {args.cache_memos} memos", flush=True)
            figures.cache_cold_share, figures.cache_warm_share = await load.cache_share(
                args.cache_memos
            )
            print(f"  {design}: {args.bursts} x {args.burst} concurrent commands", flush=True)
            model.latency = args.model_latency
            for _ in range(args.bursts):  # each answered before the next
                burst = await load.settle(await load.many("B", args.burst, args.burst))
                figures.burst_ack_ms += [s.ack_ms for s in burst]
                figures.burst_max_ms.append(max(s.ack_ms for s in burst))
                figures.burst_first_visible_ms += [s.first_visible_ms for s in burst]
            print(f"  {design}: {args.memos} memos at {args.model_latency:g} s", flush=True)
            cpu_before, machine_before = sum(map(process_cpu_seconds, pids)), machine_cpu_seconds()
            memos = await load.many("T", args.memos, args.in_flight)
            await load.settle(memos)
            cpu = sum(map(process_cpu_seconds, pids)) - cpu_before
            busy, total = (
                a - b for a, b in zip(machine_cpu_seconds(), machine_before, strict=True)
            )
            figures.throughput_cpu_ms_per_memo = cpu * 1000 / args.memos
            figures.throughput_machine_busy = busy / total if total else 0.0
            finished = [(s.done if design == "product" else s.acked_at) or 0.0 for s in memos]
            figures.throughput_s = max(finished) - min(s.sent_at for s in memos)
            figures.throughput_ack_ms = [s.ack_ms for s in memos]
            figures.throughput_first_visible_ms = [s.first_visible_ms for s in memos]
            figures.peak_rss_mb = max(map(peak_rss_mb, pids))
            figures.failed_acks = load.failed
    return figures


# --- databases ------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def database(url: str | None, workdir: Path) -> Any:
    """The DATABASE_URL for the bot: a new SQLite file, or a new PostgreSQL schema."""
    if not url or url.startswith("sqlite"):
        yield url or f"sqlite:///{workdir / 'bench.db'}", "sqlite"
        return
    import asyncpg
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    plain = make_url(url).set(drivername="postgresql")

    async def admin(statement: str) -> None:
        # A new connection each time: one left idle for minutes may be closed by then.
        connection = await asyncpg.connect(plain.render_as_string(hide_password=False))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    await admin(f'CREATE SCHEMA "{schema}"')
    try:
        scoped = plain.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False), "postgresql"
    finally:
        await admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# --- report ---------------------------------------------------------------------------


def machine() -> str:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"{memory_kb / 1024 / 1024:.1f} GiB RAM, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


Row = tuple[str, str, Callable[[Figures], float], str]


def report(args: argparse.Namespace, backend: str, results: dict[str, Figures]) -> None:
    ideal = args.memos * args.model_latency / args.concurrency

    def p(share: float, pick: Callable[[Figures], list[float]]) -> Callable[[Figures], float]:
        return lambda f: percentile(pick(f), share) if pick(f) else float("nan")

    rows: list[Row] = [
        ("ack p50, single command", "", p(0.5, lambda f: f.single_ack_ms), "ms"),
        ("ack p50, burst", "", p(0.5, lambda f: f.burst_ack_ms), "ms"),
        ("ack p99, burst", "< 100", p(0.99, lambda f: f.burst_ack_ms), "ms"),
        ("  slowest ack, median burst", "", p(0.5, lambda f: f.burst_max_ms), "ms"),
        ("  slowest ack, worst burst", "", p(1.0, lambda f: f.burst_max_ms), "ms"),
        ("acks over 3 s (Slack times out)", "0", _over_slack_timeout, ""),
        ("e2e overhead p50, single memo", "", p(0.5, lambda f: f.e2e_overhead_ms), "ms"),
        ("e2e overhead max, single memo", "< 100", p(1.0, lambda f: f.e2e_overhead_ms), "ms"),
        ("first visible max, single memo", "< 1000", p(1.0, lambda f: f.first_visible_ms), "ms"),
        ("first visible p99, burst", "", p(0.99, lambda f: f.burst_first_visible_ms), "ms"),
        ("throughput run, wall time", f"<= {ideal * 1.1:.1f}", lambda f: f.throughput_s, "s"),
        ("  / ideal N x latency / concurrency", "<= 1.10", lambda f: f.throughput_s / ideal, ""),
        ("  ack p99", "", p(0.99, lambda f: f.throughput_ack_ms), "ms"),
        ("  first visible p50", "", p(0.5, lambda f: f.throughput_first_visible_ms), "ms"),
        ("  first visible max", "", p(1.0, lambda f: f.throughput_first_visible_ms), "ms"),
        ("  server CPU per memo", "", lambda f: f.throughput_cpu_ms_per_memo, "ms"),
        ("  machine CPU busy", "", lambda f: f.throughput_machine_busy * 100, "%"),
        ("peak RSS of the server process", "< 200", lambda f: f.peak_rss_mb, "MB"),
        ("cache-read share, all memos", "", lambda f: f.cache_cold_share * 100, "%"),
        ("cache-read share, once warm", ">= 70", lambda f: f.cache_warm_share * 100, "%"),
        ("non-200 answers", "0", lambda f: float(f.failed_acks), ""),
    ]
    designs = list(results)
    print()
    print(f"Slack load, {backend}: {machine()}")
    print(
        f"{args.bursts} bursts of {args.burst} commands; {args.e2e_runs} single memos at "
        f"{args.e2e_latency:g} s model latency; throughput {args.memos} memos at "
        f"{args.model_latency:g} s, llm.concurrency = {args.concurrency}, "
        f"worker.concurrency = {args.worker_concurrency}"
        f"{f' over {args.replicas} bot processes' if args.replicas > 1 else ''}, "
        f"{args.in_flight} commands in flight; ideal {ideal:.1f} s"
    )
    header = f"{'measure':<38}{'target':>10}" + "".join(f"{d:>12}" for d in designs)
    if len(designs) == 2:
        header += f"{'naive/bot':>11}"
    print(header)
    print("-" * len(header))
    for name, target, pick, unit in rows:
        values = [pick(results[d]) for d in designs]
        line = f"{name:<38}{target + (' ' + unit if target and unit else ''):>10}"
        digits = 1 if unit else 2  # ratios and counts
        line += "".join(f"{v:>12.{digits}f}" for v in values)
        if len(designs) == 2 and values[0] and unit in ("ms", "s", "MB"):
            line += f"{values[1] / values[0]:>10.1f}x"
        print(line)


def _over_slack_timeout(figures: Figures) -> float:
    acks = figures.burst_ack_ms + figures.throughput_ack_ms
    return float(sum(1 for ms in acks if ms > SLACK_ACK_TIMEOUT * 1000))


# --- main -----------------------------------------------------------------------------


def write_configs(directory: Path, concurrency: int, worker_concurrency: int) -> Path:
    """coach.yaml and llm.yaml for both designs."""
    from tests.handlers.harness import write_config

    return write_config(
        directory,
        {
            "worker": {
                "concurrency": worker_concurrency,
                "lease_seconds": 300,
                "max_attempts": 3,
            },
            "rate_limit": {"memos_per_hour": 10_000},
        },
        {"concurrency": concurrency},
    )


async def main(args: argparse.Namespace) -> None:
    from tests.fakes.fake_anthropic import FakeAnthropic
    from tests.fakes.fake_slack import FakeSlack
    from tests.handlers.harness import BOT_TOKEN, SIGNING_SECRET

    with tempfile.TemporaryDirectory(prefix="slack_load_") as tmp:
        workdir = Path(args.workdir or tmp)
        config_dir = write_configs(
            workdir / "config",
            args.concurrency // args.replicas,
            -(-args.worker_concurrency // args.replicas),
        )
        results: dict[str, Figures] = {}
        async with database(args.database_url, workdir) as (url, backend):
            for design in ("product", "naive")[: 1 if args.skip_naive else 2]:
                async with FakeSlack(bot_token=BOT_TOKEN) as slack, FakeAnthropic() as model:
                    env = {
                        key: value
                        for key, value in os.environ.items()
                        if not key.startswith(("ANTHROPIC_", "SLACK_", "MEMO_COACH_"))
                        and key not in ("DATABASE_URL", "ADMIN_USER_IDS", "PORT")
                    }
                    env.update(
                        SLACK_BOT_TOKEN=BOT_TOKEN,
                        SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        SLACK_API_URL=slack.api_url,
                        SLACK_FILE_HOSTS="127.0.0.1",
                        MEMO_COACH_MODE="http",
                        MEMO_COACH_CONFIG_DIR=str(config_dir),
                        DATABASE_URL=url,
                        ANTHROPIC_API_KEY="sk-bench",
                        ANTHROPIC_BASE_URL=model.base_url,
                        LOG_LEVEL=args.log_level,
                        PYTHONPATH=str(ROOT),
                    )
                    print(f"{design} on {backend}", flush=True)
                    results[design] = await measure(design, args, env, workdir, slack, model)
    report(args, backend, results)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--memos", type=int, default=1000, help="throughput run size")
    parser.add_argument(
        "--concurrency", type=int, default=50, help="llm.concurrency: model calls at once"
    )
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        help="memos in progress at once (default: a quarter more than --concurrency, at most 64)",
    )
    parser.add_argument("--model-latency", type=float, default=2.0, help="seconds")
    parser.add_argument("--in-flight", type=int, default=100, help="throughput senders")
    parser.add_argument("--burst", type=int, default=100, help="concurrent commands")
    parser.add_argument("--bursts", type=int, default=5, help="bursts, one after another")
    parser.add_argument("--e2e-runs", type=int, default=10)
    parser.add_argument("--e2e-latency", type=float, default=1.0, help="seconds")
    parser.add_argument("--cache-memos", type=int, default=50)
    parser.add_argument("--log-level", default="INFO", help="the bot's LOG_LEVEL")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds per design")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="bot processes sharing the port and the model calls (PostgreSQL only)",
    )
    parser.add_argument("--workdir", help="keep the children's logs and SQLite file here")
    parser.add_argument("--serve", choices=("product", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replicas > 1 and not (args.database_url or "").startswith("postgresql"):
        parser.error("--replicas needs --database-url postgresql://… (SQLite has one writer)")
    if args.concurrency % args.replicas:
        parser.error("--concurrency must be a multiple of --replicas")
    if args.worker_concurrency is None:
        args.worker_concurrency = min(64, -(-args.concurrency * 5 // 4))
    return args


if __name__ == "__main__":
    arguments = parse_args()
    servers: dict[str, Callable[[int], Coroutine[Any, Any, None]]] = {
        "product": serve_product,
        "naive": serve_naive,
    }
    # Every process on the loop `memo-coach run` uses: the designs compare like with like,
    # and the fakes and the generator, standing in for Slack's own machines, take less of
    # the CPUs the bot runs on.
    from bot.runners import run_event_loop

    if arguments.serve:
        run_event_loop(servers[arguments.serve](arguments.port))
    elif arguments.generate:
        print(json.dumps(run_event_loop(send_commands(json.load(sys.stdin)))))
    else:
        run_event_loop(main(arguments))
