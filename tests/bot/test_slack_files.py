"""download_slack_file against the loopback fake (and a tiny misbehaving server)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from bot.slack_files import download_slack_file, is_allowed_file_url
from evaluation.errors import ExtractionError
from tests.fakes.fake_slack import FakeSlack

TOKEN = "xoxb-files-test-secret"
LOOPBACK = frozenset({"127.0.0.1"})
MEMO = b"Q3 plan: ship the onboarding revamp by October."
LIMIT = 1024 * 1024


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


async def download(file: dict[str, Any], **overrides: Any) -> bytes:
    options: dict[str, Any] = {
        "token": TOKEN,
        "allowed_hosts": LOOPBACK,
        "max_bytes": LIMIT,
        "timeout": 5,
    }
    options.update(overrides)
    return await download_slack_file(file, **options)


async def refused(file: dict[str, Any], content: bytes = MEMO, **overrides: Any) -> str:
    """The user message of the ExtractionError, checked to leak neither token nor content."""
    with pytest.raises(ExtractionError) as caught:
        await download(file, **overrides)
    message = caught.value.user_message
    assert TOKEN not in message
    assert TOKEN not in str(caught.value)
    assert content.decode(errors="ignore")[:20] not in message
    assert message.startswith("I couldn't read ")
    return message


def token_hosts(slack: FakeSlack) -> set[str]:
    return {d.host for d in slack.downloads if TOKEN in d.headers.get("Authorization", "")}


# --- the happy paths ---------------------------------------------------------------


async def test_downloads_with_the_bot_token(slack: FakeSlack) -> None:
    memo = slack.add_file("F1", MEMO, "memo.txt")
    assert await download(memo) == MEMO
    [fetch] = slack.downloads
    assert fetch.authorized
    assert fetch.host == slack.files_host
    assert "/download/" in fetch.url


async def test_falls_back_to_url_private(slack: FakeSlack) -> None:
    memo = slack.add_file("F1", MEMO, "memo.txt")
    del memo["url_private_download"]
    assert await download(memo) == MEMO
    assert "/download/" not in slack.downloads[0].url


async def test_uses_a_shared_session_without_closing_it(slack: FakeSlack) -> None:
    memo = slack.add_file("F1", MEMO, "memo.txt")
    async with aiohttp.ClientSession() as http:
        assert await download(memo, http=http) == MEMO
        assert not http.closed


async def test_html_files_are_returned_as_they_are(slack: FakeSlack) -> None:
    page = b"<!DOCTYPE html><html><body>My memo</body></html>"
    html = slack.add_file("F1", page, "memo.html")
    assert await download(html) == page


async def test_redirect_within_allowed_hosts_is_followed(slack: FakeSlack) -> None:
    target = slack.add_file("F2", MEMO, "memo.txt")
    moved = slack.add_file("F1", b"", "memo.txt", redirect_to=target["url_private_download"])
    assert await download(moved) == MEMO
    assert [(d.file_id, d.status, d.authorized) for d in slack.downloads] == [
        ("F1", 302, True),
        ("F2", 200, True),
    ]


async def test_redirect_to_another_allowed_host_gets_the_token(slack: FakeSlack) -> None:
    moved = slack.add_file("F1", MEMO, "memo.txt", redirect_to=slack.cdn_url("F1"))
    assert await download(moved, allowed_hosts=frozenset({"127.0.0.1", "LOCALHOST"})) == MEMO
    assert token_hosts(slack) == {slack.files_host, f"localhost:{slack.port}"}


# --- where the token may go -------------------------------------------------------


async def test_redirect_to_another_host_is_refused_without_leaking_the_token(
    slack: FakeSlack,
) -> None:
    moved = slack.add_file("F1", MEMO, "memo.txt", redirect_to=slack.cdn_url("F1"))
    message = await refused(moved)
    assert "host I'm not allowed to download from" in message
    assert "“memo.txt”" in message
    assert [(d.host, d.status) for d in slack.downloads] == [(slack.files_host, 302)]
    assert token_hosts(slack) == {slack.files_host}


async def test_url_on_a_host_not_allowed_is_never_requested(slack: FakeSlack) -> None:
    memo = slack.add_file("F1", MEMO, "memo.txt")
    message = await refused(memo, allowed_hosts=frozenset({"files.slack.com"}))
    assert "host I'm not allowed to download from" in message
    assert slack.downloads == []


async def test_bogus_file_objects_are_refused_without_a_request() -> None:
    evil = {"id": "F1", "name": "memo.txt", "url_private_download": "https://evil.example/x"}
    assert "not allowed" in await refused(evil)
    assert "didn't give me a link" in await refused({"id": "F1", "name": "memo.txt"})


async def test_too_many_redirects(slack: FakeSlack) -> None:
    url = slack.add_file("F1", MEMO, "memo.txt")["url_private_download"]
    looping = slack.add_file("F1", MEMO, "memo.txt", redirect_to=url)
    assert "redirected the download too many times" in await refused(looping)
    assert len(slack.downloads) == 4  # the first request and three redirects


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/memo.txt", True),
        ("https://FILES.Slack.com:443/files-pri/T1-F1/memo.txt", True),
        ("https://files.slack.com:8443/x", True),
        ("http://files.slack.com/x", False),  # never the token in clear text
        ("https://files.slack.com.evil.example/x", False),
        ("https://evil.example/files.slack.com/x", False),
        ("https://user:pw@files.slack.com/x", False),
        ("ftp://files.slack.com/x", False),
        ("/files-pri/T1-F1/memo.txt", False),
        ("", False),
        ("http://127.0.0.1:8080/x", True),  # loopback: the fake
        ("http://localhost:8080/x", False),  # loopback but not allowed here
    ],
)
def test_is_allowed_file_url(url: str, allowed: bool) -> None:
    assert is_allowed_file_url(url, frozenset({"files.slack.com", "127.0.0.1"})) is allowed


def test_is_allowed_file_url_rejects_non_strings() -> None:
    assert not is_allowed_file_url(None, frozenset({"files.slack.com"}))  # type: ignore[arg-type]


# --- what Slack answers --------------------------------------------------------------


async def test_sign_in_page_for_a_wrong_token() -> None:
    async with FakeSlack(bot_token="xoxb-the-real-one") as slack:
        memo = slack.add_file("F1", MEMO, "memo.txt")
        message = await refused(memo)
    assert "sign-in page" in message
    assert "files:read" in message
    assert "direct message" in message


async def test_missing_file_is_404(slack: FakeSlack) -> None:
    gone = {
        "id": "F9",
        "name": "memo.txt",
        "url_private_download": f"{slack.base_url}/files-pri/T1-F9/download/memo.txt",
    }
    assert "no longer exists" in await refused(gone)
    assert slack.downloads[0].status == 404


async def test_oversized_by_metadata_is_refused_before_downloading(slack: FakeSlack) -> None:
    big = slack.add_file("F1", b"x" * 3000, "memo.txt")
    message = await refused(big, max_bytes=2048)
    assert "it is 2.9 KB, over the 2 KB limit" in message
    assert slack.downloads == []


async def test_oversized_by_content_length_when_metadata_lies(slack: FakeSlack) -> None:
    big = slack.add_file("F1", b"x" * 3000, "memo.txt")
    big["size"] = 10
    assert "it is 2.9 KB, over the 2 KB limit" in await refused(big, max_bytes=2048)
    assert len(slack.downloads) == 1


# --- a server that misbehaves ------------------------------------------------------------


@dataclass
class Misbehaving:
    """Serves what the fake can't: endless chunked bodies, slowness, 503s, mislabelled HTML."""

    url: str = ""
    sent: int = 0
    authorizations: list[str | None] = field(default_factory=list)

    def file(self, path: str, name: str = "memo.txt") -> dict[str, Any]:
        return {"id": "F1", "name": name, "size": 100, "url_private_download": self.url + path}


@pytest_asyncio.fixture
async def misbehaving() -> AsyncIterator[Misbehaving]:
    server = Misbehaving()

    async def endless(request: web.Request) -> web.StreamResponse:
        server.authorizations.append(request.headers.get("Authorization"))
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"secret memo text " * 4096
        try:
            for _ in range(1000):  # ~68 MB if nobody stops reading
                await response.write(chunk)
                server.sent += len(chunk)
        except (ConnectionResetError, aiohttp.ClientConnectionResetError):
            pass
        return response

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="too late")

    async def unavailable(request: web.Request) -> web.Response:
        return web.Response(status=503, text="upstream down")

    async def html_as_text(request: web.Request) -> web.Response:
        return web.Response(
            text="\n  <!DOCTYPE html><html>Sign in</html>", content_type="text/plain"
        )

    app = web.Application()
    app.router.add_get("/endless", endless)
    app.router.add_get("/slow", slow)
    app.router.add_get("/unavailable", unavailable)
    app.router.add_get("/html", html_as_text)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()


async def test_oversized_while_streaming_stops_reading(misbehaving: Misbehaving) -> None:
    started = time.monotonic()
    message = await refused(misbehaving.file("/endless"), b"secret memo text", max_bytes=LIMIT)
    assert "it is over the 1 MB limit" in message
    assert time.monotonic() - started < 3
    assert misbehaving.sent < 20 * LIMIT
    assert misbehaving.authorizations == [f"Bearer {TOKEN}"]


async def test_slow_server_times_out(misbehaving: Misbehaving) -> None:
    started = time.monotonic()
    message = await refused(misbehaving.file("/slow"), timeout=0.2)
    assert "took too long" in message
    assert "Try again in a minute" in message
    assert time.monotonic() - started < 2


async def test_server_error_says_try_again(misbehaving: Misbehaving) -> None:
    message = await refused(misbehaving.file("/unavailable"))
    assert "temporary problem" in message
    assert "HTTP 503" in message
    assert "Try again in a minute" in message


async def test_html_body_with_another_content_type_is_a_sign_in_page(
    misbehaving: Misbehaving,
) -> None:
    assert "sign-in page" in await refused(misbehaving.file("/html"))


async def test_connection_refused_says_try_again() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    file = {"id": "F1", "name": "memo.txt", "url_private_download": f"http://127.0.0.1:{port}/x"}
    message = await refused(file)
    assert "couldn't connect" in message
    assert "Try again in a minute" in message
