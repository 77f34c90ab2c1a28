"""Download files shared with the bot, without leaking the bot token or memory.

The file objects in Slack events are user-influenced data: their URLs could point
anywhere, and a download answers with a sign-in page rather than an error when access
is missing. So the token only ever goes to ``SLACK_FILE_HOSTS``, redirects are followed
by hand (to allowed hosts only), the body is capped while it streams, and every failure
becomes an :class:`ExtractionError` whose message the user can act on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from yarl import URL

from evaluation.errors import ExtractionError
from evaluation.extraction.messages import fail, human_size, paste_instead
from evaluation.extraction.sniff import looks_like_html

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_LATER = "Try again in a minute"


def is_allowed_file_url(url: str, allowed_hosts: frozenset[str]) -> bool:
    """True when ``url`` may receive the bot token: https to an allowed host (port
    ignored, case-insensitive), or plain http only to an allowed loopback host (tests)."""
    if not isinstance(url, str):
        return False
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return False
    host = (parsed.raw_host or "").lower()
    if not parsed.absolute or parsed.user is not None or parsed.password is not None:
        return False
    if host not in {h.strip().lower() for h in allowed_hosts}:
        return False
    return parsed.scheme == "https" or (parsed.scheme == "http" and _is_loopback(host))


async def download_slack_file(
    file: Mapping[str, Any],
    *,
    token: str,
    allowed_hosts: frozenset[str],
    max_bytes: int,
    http: aiohttp.ClientSession | None = None,
    timeout: float = 30,  # noqa: ASYNC109 - a total budget covering redirects and the body
) -> bytes:
    """The bytes of a Slack file object, at most ``max_bytes`` of them.

    Raises ExtractionError (never with the token or file content in its message) when
    the file can't be fetched. ``http`` lets callers share a session; ``timeout`` bounds
    the whole download, redirects and body included.
    """
    name = str(file.get("name") or file.get("title") or "")
    file_id = str(file.get("id") or "?")
    url = file.get("url_private_download") or file.get("url_private")
    if not isinstance(url, str) or not url:
        raise fail(
            name, "Slack didn't give me a link to download it.", paste_instead("Share it again")
        )
    if not is_allowed_file_url(url, allowed_hosts):
        logger.warning("file %s: refused download from host %s", file_id, _host(url))
        raise foreign_host_error(name)
    size = file.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size > max_bytes:
        logger.info("file %s: declared size %d over the %d-byte limit", file_id, size, max_bytes)
        raise _too_big(name, size, max_bytes)

    download = _Download(file, name, file_id, token, allowed_hosts, max_bytes)
    try:
        async with asyncio.timeout(timeout), _session(http) as session:
            return await download.fetch(session, url)
    except TimeoutError:
        logger.warning("file %s: download timed out after %ss", file_id, timeout)
        raise fail(name, "the download from Slack took too long.", paste_instead(_LATER)) from None
    except aiohttp.ClientError as exc:
        logger.warning("file %s: download failed (%s)", file_id, type(exc).__name__)
        raise fail(
            name, "I couldn't connect to Slack to download it.", paste_instead(_LATER)
        ) from None


class _Download:
    """One file's download: the request loop and the checks on each answer."""

    def __init__(
        self,
        file: Mapping[str, Any],
        name: str,
        file_id: str,
        token: str,
        allowed_hosts: frozenset[str],
        max_bytes: int,
    ) -> None:
        self.name = name
        self.file_id = file_id
        self.allowed_hosts = allowed_hosts
        self.max_bytes = max_bytes
        self.is_html = _is_html_file(file, name)
        self._auth = {"Authorization": f"Bearer {token}"}

    async def fetch(self, session: aiohttp.ClientSession, url: str) -> bytes:
        for _ in range(MAX_REDIRECTS + 1):
            # Only allowed hosts ever get here (checked before the first request and on
            # every redirect), so the token is never sent anywhere else.
            async with session.get(url, headers=self._auth, allow_redirects=False) as response:
                if response.status not in _REDIRECT_STATUSES:
                    return await self._body(response)
                url = self._redirect_target(response)
        logger.warning("file %s: more than %d redirects", self.file_id, MAX_REDIRECTS)
        raise fail(
            self.name, "Slack redirected the download too many times.", paste_instead(_LATER)
        )

    def _redirect_target(self, response: aiohttp.ClientResponse) -> str:
        location = response.headers.get("Location", "")
        try:
            target = str(response.url.join(URL(location))) if location else ""
        except ValueError:
            target = ""
        if not is_allowed_file_url(target, self.allowed_hosts):
            logger.warning(
                "file %s: refused redirect from %s to host %s",
                self.file_id,
                response.url.host,
                _host(target),
            )
            raise foreign_host_error(self.name)
        return target

    async def _body(self, response: aiohttp.ClientResponse) -> bytes:
        host, status = response.url.host, response.status
        if status != 200:
            logger.warning("file %s: host %s answered HTTP %d", self.file_id, host, status)
            raise _status_error(self.name, status)
        length = response.content_length
        if length is not None and length > self.max_bytes:
            logger.info("file %s: Content-Length %d over the limit", self.file_id, length)
            raise _too_big(self.name, length, self.max_bytes)
        if response.content_type in _HTML_TYPES and not self.is_html:
            logger.warning("file %s: host %s answered with a web page", self.file_id, host)
            raise _sign_in_page(self.name)
        data = await self._read_capped(response)
        if not self.is_html and looks_like_html(data):
            logger.warning("file %s: host %s sent a web page as the file", self.file_id, host)
            raise _sign_in_page(self.name)
        logger.info("file %s: downloaded %d bytes from %s", self.file_id, len(data), host)
        return data

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
            total += len(chunk)
            if total > self.max_bytes:
                logger.info("file %s: body passed the %d-byte limit", self.file_id, self.max_bytes)
                raise _too_big(self.name, None, self.max_bytes)
            chunks.append(chunk)
        return b"".join(chunks)


@asynccontextmanager
async def _session(http: aiohttp.ClientSession | None) -> AsyncIterator[aiohttp.ClientSession]:
    if http is not None:
        yield http
        return
    async with aiohttp.ClientSession() as own:
        yield own


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host(url: str) -> str:
    """For logs: the host alone, as the rest of a URL may carry signatures."""
    try:
        return URL(url).host or "?"
    except (ValueError, TypeError):
        return "?"


def _is_html_file(file: Mapping[str, Any], name: str) -> bool:
    return (
        file.get("mimetype") in _HTML_TYPES
        or file.get("filetype") == "html"
        or name.lower().endswith((".html", ".htm"))
    )


def foreign_host_error(name: str) -> ExtractionError:
    """A file served from outside SLACK_FILE_HOSTS (an external file, or a forged link)."""
    return fail(
        name,
        "the file is served from a host I'm not allowed to download from.",
        paste_instead("Upload the file itself to Slack (not a link to it) and share that"),
    )


def _sign_in_page(name: str) -> ExtractionError:
    return fail(
        name,
        "Slack answered with a sign-in page instead of the file, so I couldn't access it"
        " (the app may lack the files:read permission, or the file isn't shared with me).",
        paste_instead("Share the file again in a direct message with me"),
    )


def _status_error(name: str, status: int) -> ExtractionError:
    if status == 429 or status >= 500:
        what, todo = f"Slack had a temporary problem sending it (HTTP {status}).", _LATER
    elif status in (401, 403):
        what = f"Slack refused me access to it (HTTP {status})."
        todo = "Share the file again in a direct message with me"
    elif status in (404, 410):
        what, todo = "Slack says the file no longer exists.", "Share it again"
    else:
        what, todo = f"Slack answered the download with an error (HTTP {status}).", _LATER
    return fail(name, what, paste_instead(todo))


def _too_big(name: str, size: int | None, limit: int) -> ExtractionError:
    """Like the extractor's private size message (``dispatch._too_big``), which we can't
    import; only the sizes come from the shared helper."""
    shown_limit = human_size(limit)
    if size is None or human_size(size) == shown_limit:
        what = f"it is over the {shown_limit} limit for files."
    else:
        what = f"it is {human_size(size)}, over the {shown_limit} limit for files."
    return fail(name, what, paste_instead("Share a smaller file"))
