"""A loopback fake of the Slack Web API (and of files.slack.com) for tests and benchmarks.

The real ``slack_sdk`` client talks real HTTP to it, so token headers, form vs JSON bodies,
retry handlers and the three-step ``files_upload_v2`` flow are exercised as in production,
without any network beyond 127.0.0.1. Answers follow Slack's shapes and error codes
(HTTP 200 with ``{"ok": false, "error": ...}``), every call is recorded, and faults,
latency, channel membership, files and ``response_url`` expiry can be scripted.

    async with FakeSlack(bot_token="xoxb-test") as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        slack.set_bot_not_in_channel("C123")
        ...  # drive the bot
        [call] = await slack.wait_for("chat.postMessage")
        assert call.args["channel"] == "DU1"

It also plays Slack's Socket Mode server, as ``slack_sdk``'s ``SocketModeClient`` sees it:
``apps.connections.open`` (app token) hands out a ``ws://`` URL, the websocket greets with
``hello``, and :meth:`FakeSlack.socket_send` pushes an envelope and returns the client's ack.

    ack = await slack.socket_send("slash_commands", {"command": "/memo-coach", ...})
    assert ack["payload"]["text"] == "..."
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import WSCloseCode, WSMsgType, web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.fakes.loopback import LoopbackServer

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_NAME = "memo-coach"
APP_ID = "A1"
TEAM_NAME = "Fake Workspace"
TEAM_DOMAIN = "fake-workspace"
PERMALINK_HOST = "https://fake.slack"
RESPONSE_URL_MAX_USES = 5  # Slack accepts five posts per response_url
# Arguments Slack takes as JSON; decoded when a client sent them as form-encoded strings.
JSON_ARGS = frozenset({"blocks", "attachments", "view", "files", "metadata", "unfurls", "outputs"})
SOCKET_PATH = "/socket-mode"
# What Socket Mode carries; events_api envelopes never take a response payload.
ENVELOPE_TYPES = frozenset({"slash_commands", "events_api", "interactive"})
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
SIGN_IN_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">'
    "<title>Slack</title></head><body><h1>Sign in to Slack</h1>"
    "<p>Enter your workspace's Slack URL.</p></body></html>"
)

Args = dict[str, Any]
Answer = dict[str, Any]
Headers = CIMultiDictProxy[str]


@dataclass
class Call:
    """One Web API request as the fake saw it.

    ``args`` merges query string, form and JSON body; JSON-valued arguments (``blocks``,
    ``view``, ``files``…) are decoded either way so tests need not care how the client
    encoded them. ``at`` is ``time.monotonic()`` on arrival; ``response`` is filled in
    once the fake has answered.
    """

    method: str
    args: Args
    headers: Headers
    at: float
    status: int = 200
    response: Answer | None = None


@dataclass(frozen=True)
class Download:
    """A GET for a file URL, so tests can check where the bot token went."""

    url: str
    host: str
    file_id: str | None
    headers: Headers
    status: int
    authorized: bool
    at: float


@dataclass
class Upload:
    """A file sent through files.getUploadURLExternal → POST → files.completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None


@dataclass(frozen=True)
class ResponsePost:
    """A POST to a ``response_url``; ``status`` is 404 when the URL had expired or was used up."""

    url: str
    body: Args
    headers: Headers
    status: int
    at: float


@dataclass(frozen=True)
class SocketAck:
    """What the client sent back for one envelope: ``{"envelope_id", "payload"?}``."""

    envelope_id: str
    envelope_type: str
    message: dict[str, Any]
    at: float


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int
    error: str | None


@dataclass
class _StoredFile:
    obj: dict[str, Any]
    content: bytes
    redirect_to: str | None = None


@dataclass
class _ResponseUrl:
    expired: bool = False
    uses: int = 0


@dataclass
class _Channel:
    name: str | None = None
    is_private: bool = False
    members: list[str] = field(default_factory=list)


def _err(error: str) -> Answer:
    return {"ok": False, "error": error}


def _snapshot(headers: Any) -> Headers:
    return CIMultiDictProxy(CIMultiDict(headers))


def _decode(key: str, value: Any) -> Any:
    if key in JSON_ARGS and isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read_args(request: web.Request) -> Args:
    """Merge query, form (url-encoded or multipart) and JSON bodies like Slack does."""
    args: Args = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                args[key] = value.file.read() if isinstance(value, web.FileField) else value
    return {key: _decode(key, value) for key, value in args.items()}


def _tz_fields(tz: str) -> dict[str, Any]:
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return {"tz": tz, "tz_label": tz, "tz_offset": 0}
    offset = now.utcoffset()
    return {
        "tz": tz,
        "tz_label": now.tzname() or tz,
        "tz_offset": int(offset.total_seconds()) if offset else 0,
    }


def _filetype(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"txt": "text", "md": "markdown", "": "binary"}.get(ext, ext)


class FakeSlack(LoopbackServer):
    """The fake server; use as ``async with FakeSlack() as slack`` and configure it live."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",  # noqa: S107
        *,
        team_id: str = "T1",
        app_token: str = "xapp-test",  # noqa: S107
    ) -> None:
        super().__init__()
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        # recordings (cleared by reset())
        self.calls: list[Call] = []
        self.downloads: list[Download] = []
        self.uploads: list[Upload] = []
        self.responses: list[ResponsePost] = []
        self.socket_acks: list[SocketAck] = []
        self.socket_close_codes: list[int | None] = []
        self.socket_connections = 0  # websockets accepted so far (not cleared by reset())
        # state
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.reactions: set[tuple[str, str, str]] = set()
        self._channels: dict[str, _Channel] = {}
        self._not_member: set[str] = set()
        self._missing: set[str] = set()
        self._files: dict[str, _StoredFile] = {}
        self._pending_uploads: dict[str, Upload] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._home_view_ids: dict[str, str] = {}
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        self._latency: dict[str, float] = {}
        self._ts = itertools.count(1_700_000_000_000_100, 100)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._sent: dict[str, str] = {}  # envelope_id -> envelope type
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._handlers: dict[str, Callable[[Args], Answer]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "oauth.v2.access": self._oauth_v2_access,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._permalink,
            "chat.delete": self._delete,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.info": self._files_info,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "reactions.add": self._reactions_add,
        }
        self.add_user(BOT_USER_ID, real_name=BOT_NAME, name=BOT_NAME, is_bot=True, tz="UTC")

    # lifecycle

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Pass as ``AsyncWebClient(base_url=...)`` / ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    @property
    def files_host(self) -> str:
        """The ``host:port`` that plays files.slack.com in ``url_private_download``."""
        return f"127.0.0.1:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{team_file}/{tail:.*}", self._serve_file)
        app.router.add_get("/cdn/{file_id}", self._serve_cdn)
        app.router.add_post("/response/{rid}", self._response_url)
        app.router.add_get(SOCKET_PATH, self._socket)
        app.on_shutdown.append(self._close_sockets)

    # configuration

    def add_user(
        self,
        user_id: str,
        *,
        real_name: str | None = None,
        name: str | None = None,
        tz: str = "America/New_York",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
    ) -> dict[str, Any]:
        """Register a user for ``users.info``; unknown users answer ``user_not_found``."""
        real_name = real_name or f"User {user_id}"
        name = name or real_name.lower().replace(" ", ".")
        profile: dict[str, Any] = {
            "real_name": real_name,
            "display_name": name,
            "team": self.team_id,
        }
        if email:
            profile["email"] = email
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            **_tz_fields(tz),
            "is_admin": is_admin or is_owner,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "profile": profile,
        }
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        members: list[str] | None = None,
        is_private: bool = False,
    ) -> None:
        """Describe a channel for ``conversations.info``/``.members`` (others get defaults)."""
        self._channels[channel_id] = _Channel(name, is_private, list(members or []))

    def set_bot_not_in_channel(self, channel_id: str) -> None:
        """chat.postMessage/update/postEphemeral and file shares there answer not_in_channel."""
        self._not_member.add(channel_id)

    def set_channel_missing(self, channel_id: str) -> None:
        """Every channel-taking method answers ``channel_not_found`` for this channel."""
        self._missing.add(channel_id)

    def add_file(
        self,
        file_id: str,
        content: bytes,
        name: str = "memo.txt",
        filetype: str | None = None,
        mimetype: str | None = None,
        user: str = "U1",
        *,
        title: str | None = None,
        redirect_to: str | None = None,
    ) -> dict[str, Any]:
        """Register a file served like files.slack.com; returns its Slack file object.

        ``redirect_to`` makes an authorised download answer 302 to that URL (e.g.
        :meth:`cdn_url`, a different host), to check the token is not forwarded.
        """
        mimetype = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
        base = f"{self.base_url}/files-pri/{self.team_id}-{file_id}"
        obj = {
            "id": file_id,
            "created": 1_700_000_000,
            "timestamp": 1_700_000_000,
            "name": name,
            "title": title or name,
            "mimetype": mimetype,
            "filetype": filetype or _filetype(name),
            "pretty_type": (filetype or _filetype(name)).upper(),
            "user": user,
            "user_team": self.team_id,
            "editable": False,
            "size": len(content),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "url_private": f"{base}/{quote(name)}",
            "url_private_download": f"{base}/download/{quote(name)}",
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{user}/{file_id}/{quote(name)}",
            "channels": [],
            "groups": [],
            "ims": [],
        }
        self._files[file_id] = _StoredFile(obj, content, redirect_to)
        return obj

    def cdn_url(self, file_id: str) -> str:
        """A pre-signed-style URL on another host (``localhost``) serving the file without auth."""
        return f"http://localhost:{self.port}/cdn/{file_id}"

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int = 1,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        With no ``status`` and no ``error``: 429 + ``Retry-After`` and ``ratelimited``.
        With only ``error``: HTTP 200 ``{"ok": false, "error": error}``. A 5xx ``status``
        answers that status with a JSON error body.
        """
        if status is None:
            status = 200 if error else 429
        for _ in range(times):
            self._faults[method].append(_Fault(status, retry_after, error))

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay answers for ``method`` (``"*"`` for every method without its own)."""
        self._latency[method] = seconds

    def new_response_url(self) -> str:
        rid = f"R{next(self._ids):06d}"
        self._response_urls[rid] = _ResponseUrl()
        return f"{self.base_url}/response/{rid}"

    def expire_response_url(self, url: str) -> None:
        self._response_urls[url.rstrip("/").rsplit("/", 1)[-1]].expired = True

    def reset(self) -> None:
        """Forget recorded calls, downloads, uploads and responses; keep configuration."""
        self.calls.clear()
        self.downloads.clear()
        self.uploads.clear()
        self.responses.clear()
        self.socket_acks.clear()
        self.socket_close_codes.clear()

    # Socket Mode

    @property
    def open_sockets(self) -> int:
        return len(self._sockets)

    async def wait_for_open_sockets(
        self,
        count: int = 1,
        timeout: float = 5,  # noqa: ASYNC109 - part of the helper's contract
    ) -> None:
        """Wait until exactly ``count`` Socket Mode connections are open."""
        try:
            await self._wait(lambda: len(self._sockets) == count, timeout)
        except TimeoutError:
            raise TimeoutError(f"{len(self._sockets)} open sockets, wanted {count}") from None

    async def socket_send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5,  # noqa: ASYNC109 - part of the helper's contract
    ) -> dict[str, Any]:
        """Push one envelope down the newest connection and return the client's ack message.

        ``accepts_response_payload`` defaults to what Slack sends: false for
        ``events_api``, true for commands and interactivity.
        """
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}")
        try:
            await self._wait(lambda: bool(self._sockets), timeout)
        except TimeoutError:
            raise TimeoutError(f"no Socket Mode connection after {timeout}s") from None
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope_id = str(uuid.uuid4())
        acked: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acked
        self._sent[envelope_id] = envelope_type
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        try:
            await self._sockets[-1].send_json(envelope)
            async with asyncio.timeout(timeout):
                return await acked
        except TimeoutError:
            raise TimeoutError(f"no ack for {envelope_type} {envelope_id} in {timeout}s") from None
        finally:
            del self._acks[envelope_id]

    # inspection

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5,  # noqa: ASYNC109 - part of the helper's contract
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` answered calls of ``method`` (matching ``predicate``) exist."""

        def matching() -> list[Call]:
            return [
                c
                for c in self.calls
                if c.method == method and c.response is not None and (not predicate or predicate(c))
            ]

        try:
            await self._wait(lambda: len(matching()) >= count, timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise TimeoutError(
                f"{len(matching())}/{count} {method} calls after {timeout}s; calls: {seen}"
            ) from None
        return matching()

    async def arrived(
        self,
        method: str,
        timeout: float = 5,  # noqa: ASYNC109 - part of the helper's contract
    ) -> Call:
        """The first call of ``method`` once it has arrived, answered or not: a call that
        ``set_latency`` holds back is still in flight."""
        await self._wait(lambda: bool(self.calls_to(method)), timeout)
        return self.calls_to(method)[0]

    async def wait_for_responses(
        self,
        count: int = 1,
        timeout: float = 5,  # noqa: ASYNC109 - part of the helper's contract
    ) -> list[ResponsePost]:
        """Wait until ``count`` posts to response URLs were recorded."""
        try:
            await self._wait(lambda: len(self.responses) >= count, timeout)
        except TimeoutError:
            raise TimeoutError(f"{len(self.responses)}/{count} response_url posts") from None
        return list(self.responses)

    async def _wait(self, ready: Callable[[], bool], seconds: float) -> None:
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(ready)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # routes

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, _snapshot(request.headers), time.monotonic())
        self.calls.append(call)
        try:
            call.args = await _read_args(request)
        except ValueError:
            call.args = {}
            answer: Answer | None = _err("invalid_json")
        else:
            answer = None
        delay = self._latency.get(method, self._latency.get("*", 0.0))
        if delay:
            await self._notify()  # in flight: see ``arrived``
            await asyncio.sleep(delay)
        headers: dict[str, str] = {}
        if self._faults[method]:
            fault = self._faults[method].popleft()
            call.status = fault.status
            answer = _err(fault.error or ("ratelimited" if fault.status == 429 else "fatal_error"))
            if fault.status == 429:
                headers["Retry-After"] = str(fault.retry_after)
        elif answer is None:
            if error := self._token_error(method, call.headers):
                answer = _err(error)
            else:
                answer = self._handlers.get(method, self._generic)(call.args)
        call.response = answer
        await self._notify()
        return web.json_response(answer, status=call.status, headers=headers)

    async def _upload(self, request: web.Request) -> web.Response:
        upload = self._pending_uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="not_found")
        upload.content = await request.read()
        return web.Response(text=f"OK - {len(upload.content)}")

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["team_file"].partition("-")[2]
        authorized = self._authorized(request.headers)
        stored = self._files.get(file_id)
        response: web.StreamResponse
        if not authorized:
            response = web.Response(text=SIGN_IN_PAGE, content_type="text/html")
        elif stored is None:
            response = web.Response(status=404, text="File not found", content_type="text/html")
        elif stored.redirect_to:
            response = web.Response(status=302, headers={"Location": stored.redirect_to})
        else:
            response = self._file_body(stored)
        await self._record_download(request, file_id, response.status, authorized)
        return response

    async def _serve_cdn(self, request: web.Request) -> web.Response:
        stored = self._files.get(request.match_info["file_id"])
        response = self._file_body(stored) if stored else web.Response(status=404, text="not found")
        await self._record_download(
            request, request.match_info["file_id"], response.status, authorized=False
        )
        return response

    async def _response_url(self, request: web.Request) -> web.Response:
        state = self._response_urls.get(request.match_info["rid"])
        try:
            body = await _read_args(request)
        except ValueError:
            body = {}
        if "payload" in body and isinstance(body["payload"], str):
            body = json.loads(body["payload"])
        if state is None:
            status, answer = 404, _err("invalid_url")
        elif state.expired:
            status, answer = 404, _err("expired_url")
        elif state.uses >= RESPONSE_URL_MAX_USES:
            status, answer = 404, _err("used_url")
        else:
            state.uses += 1
            status, answer = 200, {"ok": True}
        self.responses.append(
            ResponsePost(
                str(request.url), body, _snapshot(request.headers), status, time.monotonic()
            )
        )
        await self._notify()
        return web.json_response(answer, status=status)

    def _file_body(self, stored: _StoredFile) -> web.Response:
        return web.Response(
            body=stored.content,
            content_type=stored.obj["mimetype"],
            headers={"Content-Disposition": f'attachment; filename="{stored.obj["name"]}"'},
        )

    async def _record_download(
        self, request: web.Request, file_id: str | None, status: int, authorized: bool
    ) -> None:
        self.downloads.append(
            Download(
                url=str(request.url),
                host=request.host,
                file_id=file_id,
                headers=_snapshot(request.headers),
                status=status,
                authorized=authorized,
                at=time.monotonic(),
            )
        )
        await self._notify()

    def _authorized(self, headers: Headers) -> bool:
        return headers.get("Authorization") == f"Bearer {self.bot_token}"

    def _token_error(self, method: str, headers: Headers) -> str | None:
        """apps.connections.open takes the app token, OAuth none, the rest the bot token."""
        if method.startswith("oauth."):
            return None
        if method not in APP_TOKEN_METHODS:
            return None if self._authorized(headers) else "invalid_auth"
        if headers.get("Authorization") == f"Bearer {self.app_token}":
            return None
        return "not_allowed_token_type" if self._authorized(headers) else "invalid_auth"

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        """A Socket Mode connection: ``hello``, then envelopes out and acks in.

        aiohttp answers the client's pings (``autoping``). Recorded close code: the client's
        close frame, 1001 when the fake shut down, None when the connection just dropped.
        """
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(timeout=2.0)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.socket_connections += 1
        code: int | None = None
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": APP_ID},
                }
            )
            await self._notify()
            while True:
                message = await ws.receive()
                if message.type == WSMsgType.TEXT:
                    self._on_ack(message.data)
                elif message.type == WSMsgType.CLOSE:  # aiohttp has answered it
                    code = int(message.data)
                    break
                elif message.type == WSMsgType.CLOSING:  # _close_sockets closed it
                    code = WSCloseCode.GOING_AWAY
                    break
                elif message.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        finally:
            self._sockets.remove(ws)
            self.socket_close_codes.append(code)
            await self._notify()
        return ws

    def _on_ack(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = {"invalid": data}
        envelope_id = str(message.get("envelope_id", ""))
        ack = SocketAck(envelope_id, self._sent.get(envelope_id, ""), message, time.monotonic())
        self.socket_acks.append(ack)
        waiter = self._acks.get(envelope_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(message)

    async def _close_sockets(self, app: web.Application) -> None:
        """On close, say goodbye like Slack's servers do, so no connection is left dangling."""
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    # helpers for method handlers

    def _next_ts(self) -> str:
        micros = next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _resolve(self, channel: str) -> str:
        """Posting to a user id lands in the DM with that user, as on Slack."""
        return f"D{channel}" if channel[:1] in ("U", "W") else channel

    def _channel_error(self, channel: str, *, member: bool) -> str | None:
        if not channel or channel in self._missing:
            return "channel_not_found"
        if member and channel in self._not_member:
            return "not_in_channel"
        return None

    def _message(self, args: Args, ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "ts": ts,
            "text": args.get("text", ""),
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    def _view(self, view: Any, view_id: str) -> Answer:
        if not isinstance(view, dict):
            return _err("invalid_arguments")
        stored = {
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "root_view_id": view_id,
            "previous_view_id": None,
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": f"{int(time.time())}.{view_id}",
        }
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    # method handlers

    def _generic(self, args: Args) -> Answer:
        return {"ok": True}

    def _auth_test(self, args: Args) -> Answer:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_NAME,
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: Args) -> Answer:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        url = f"ws://127.0.0.1:{self.port}{SOCKET_PATH}?ticket={ticket}&app_id={APP_ID}"
        return {"ok": True, "url": url}

    def _oauth_v2_access(self, args: Args) -> Answer:
        return {
            "ok": True,
            "app_id": APP_ID,
            "access_token": self.bot_token,
            "token_type": "bot",
            "scope": "chat:write,commands,files:read,files:write,im:history,users:read",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": self.team_id, "name": TEAM_NAME},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U1"},
        }

    def _post_message(self, args: Args) -> Answer:
        channel = self._resolve(str(args.get("channel", "")))
        if error := self._channel_error(channel, member=True):
            return _err(error)
        if not any(args.get(key) for key in ("text", "blocks", "attachments")):
            return _err("no_text")
        ts = self._next_ts()
        message = self._message(args, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, args: Args) -> Answer:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if error := self._channel_error(channel, member=True):
            return _err(error)
        old = self.messages.get((channel, ts))
        if old is None:
            return _err("message_not_found")
        changes: Args = {
            k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args
        }
        message: dict[str, Any] = {
            **old,
            **changes,
            "edited": {"user": BOT_USER_ID, "ts": self._next_ts()},
        }
        self.messages[(channel, ts)] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _post_ephemeral(self, args: Args) -> Answer:
        channel = str(args.get("channel", ""))
        if error := self._channel_error(channel, member=True):
            return _err(error)
        if not args.get("user"):
            return _err("user_not_in_channel")
        if not any(args.get(key) for key in ("text", "blocks", "attachments")):
            return _err("no_text")
        return {"ok": True, "message_ts": self._next_ts()}

    def _permalink(self, args: Args) -> Answer:
        channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
        if error := self._channel_error(channel, member=False):
            return _err(error)
        if not ts:
            return _err("message_not_found")
        link = f"{PERMALINK_HOST}/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _delete(self, args: Args) -> Answer:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if error := self._channel_error(channel, member=False):
            return _err(error)
        if self.messages.pop((channel, ts), None) is None:
            return _err("message_not_found")
        return {"ok": True, "channel": channel, "ts": ts}

    def _conversations_open(self, args: Args) -> Answer:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = args.get("users") or ""
        ids = users if isinstance(users, list) else [u for u in str(users).split(",") if u]
        if not ids:
            return _err("users_list_not_supplied")
        channel = f"D{ids[0]}" if len(ids) == 1 else "G" + "".join(sorted(ids))
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel}}

    def _conversations_info(self, args: Args) -> Answer:
        channel = str(args.get("channel", ""))
        if error := self._channel_error(channel, member=False):
            return _err(error)
        known = self._channels.get(channel, _Channel())
        is_im, is_mpim = channel.startswith("D"), channel.startswith("G")
        info: dict[str, Any] = {
            "id": channel,
            "name": known.name or (None if is_im else channel.lower()),
            "is_channel": not (is_im or is_mpim or known.is_private),
            "is_group": False,
            "is_im": is_im,
            "is_mpim": is_mpim,
            "is_private": known.is_private or is_im or is_mpim,
            "is_archived": False,
            "is_member": channel not in self._not_member,
            "created": 1_700_000_000,
            "context_team_id": self.team_id,
        }
        if is_im:
            info["user"] = channel[1:]
        return {"ok": True, "channel": info}

    def _conversations_members(self, args: Args) -> Answer:
        channel = str(args.get("channel", ""))
        if error := self._channel_error(channel, member=False):
            return _err(error)
        if channel.startswith("D"):
            members = [channel[1:], BOT_USER_ID]
        else:
            members = list(self._channels.get(channel, _Channel()).members)
            if channel not in self._not_member and BOT_USER_ID not in members:
                members.append(BOT_USER_ID)
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _channel_messages(self, args: Args, keep: Callable[[dict[str, Any]], bool]) -> Answer:
        """Stored messages of a channel, newest first like Slack; metadata only on request."""
        channel = str(args.get("channel", ""))
        if error := self._channel_error(channel, member=True):
            return _err(error)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            {k: v for k, v in message.items() if with_metadata or k != "metadata"}
            for (where, _), message in self.messages.items()
            if where == channel and keep(message)
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(str(args.get("limit") or 100))
        return {
            "ok": True,
            "messages": found[:limit],
            "has_more": len(found) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_history(self, args: Args) -> Answer:
        return self._channel_messages(args, lambda message: True)

    def _conversations_replies(self, args: Args) -> Answer:
        root = str(args.get("ts", ""))
        if not root:
            return _err("invalid_arguments")
        return self._channel_messages(args, lambda m: m["ts"] == root or m.get("thread_ts") == root)

    def _users_info(self, args: Args) -> Answer:
        user = self.users.get(str(args.get("user", "")))
        return {"ok": True, "user": user} if user else _err("user_not_found")

    def _views_open(self, args: Args) -> Answer:
        if not args.get("trigger_id"):
            return _err("invalid_arguments")
        return self._view(args.get("view"), self._new_id("V"))

    def _views_update(self, args: Args) -> Answer:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            known = [v for v in self.views.values() if v["external_id"] == args["external_id"]]
            view_id = known[0]["id"] if known else None
        if not view_id:
            return _err("not_found")
        return self._view(args.get("view"), str(view_id))

    def _views_publish(self, args: Args) -> Answer:
        user = str(args.get("user_id", ""))
        if not user:
            return _err("invalid_arguments")
        view_id = self._home_view_ids.setdefault(user, self._new_id("V"))
        return self._view(args.get("view"), view_id)

    def _files_info(self, args: Args) -> Answer:
        stored = self._files.get(str(args.get("file", "")))
        if stored is None:
            return _err("file_not_found")
        return {
            "ok": True,
            "file": stored.obj,
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def _get_upload_url(self, args: Args) -> Answer:
        filename, length = args.get("filename"), args.get("length")
        if not filename or length is None or not str(length).isdigit():
            return _err("invalid_arguments")
        file_id = self._new_id("F")
        self._pending_uploads[file_id] = Upload(file_id, str(filename), int(length))
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, args: Args) -> Answer:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return _err("invalid_arguments")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        channel = args.get("channel_id") or (channels[0] if channels else None)
        if channel and (error := self._channel_error(str(channel), member=True)):
            return _err(error)
        pending = [self._pending_uploads.get(str(item.get("id"))) for item in files]
        if any(up is None or up.content is None for up in pending):
            return _err("file_not_found")
        shared = []
        for item, upload in zip(files, pending, strict=True):
            assert upload is not None
            assert upload.content is not None
            del self._pending_uploads[upload.file_id]
            upload.title = item.get("title") or upload.filename
            upload.channel_id = str(channel) if channel else None
            upload.thread_ts = args.get("thread_ts")
            upload.initial_comment = args.get("initial_comment")
            self.uploads.append(upload)
            obj = self.add_file(
                upload.file_id,
                upload.content,
                upload.filename,
                user=BOT_USER_ID,
                title=upload.title,
            )
            if channel:
                obj["channels"] = [channel]
            shared.append(obj)
        return {"ok": True, "files": shared}

    def _reactions_add(self, args: Args) -> Answer:
        channel = str(args.get("channel", ""))
        if error := self._channel_error(channel, member=False):
            return _err(error)
        key = (channel, str(args.get("timestamp", "")), str(args.get("name", "")))
        if not key[1] or not key[2]:
            return _err("invalid_arguments")
        if key in self.reactions:
            return _err("already_reacted")
        self.reactions.add(key)
        return {"ok": True}
