"""Which shared files count as a memo, and where their feedback goes."""

from __future__ import annotations

from typing import Any

from bot.intake import IntakeResult, MemoRequest
from bot.services import Services
from bot.slack_files import is_allowed_file_url
from storage.repositories.channels import is_coaching_channel

FILE_FIELDS = (
    "id",
    "name",
    "title",
    "filetype",
    "mimetype",
    "size",
    "url_private",
    "url_private_download",
)


def memo_files(files: list[dict[str, Any]] | None, services: Services) -> list[dict[str, Any]]:
    """The shared files we may download (hosted on SLACK_FILE_HOSTS), trimmed to what the
    worker needs; everything else in a file object stays out of the database."""
    hosts = services.runtime.settings.file_hosts
    kept = []
    for file in files or []:
        url = file.get("url_private_download") or file.get("url_private")
        if isinstance(url, str) and is_allowed_file_url(url, hosts):
            kept.append({key: file[key] for key in FILE_FIELDS if key in file})
    return kept


def foreign_files(files: list[dict[str, Any]] | None, services: Services) -> list[str]:
    """Names of shared files whose link points outside SLACK_FILE_HOSTS (an external
    file such as a Google Doc, or a forged link): never downloaded, but explained."""
    hosts = services.runtime.settings.file_hosts
    names = []
    for file in files or []:
        url = file.get("url_private_download") or file.get("url_private")
        if isinstance(url, str) and not is_allowed_file_url(url, hosts):
            names.append(str(file.get("name") or file.get("title") or "the file"))
    return names


async def in_coaching_channel(services: Services, channel_id: str) -> bool:
    async with services.database.session() as session:
        return await is_coaching_channel(session, channel_id)


async def submit_files(
    services: Services,
    *,
    user_id: str,
    team_id: str | None,
    channel_id: str,
    message_ts: str,
    files: list[dict[str, Any]],
    event_id: str | None,
) -> IntakeResult:
    """A file share becomes a memo answered in the thread of the message it came with."""
    return await services.intake.submit(
        MemoRequest(
            slack_user_id=user_id,
            team_id=team_id,
            source="file",
            channel_id=channel_id,
            message_ts=message_ts,
            thread_ts=message_ts,
            reply_channel_id=channel_id,
            files=files,
            file_id=str(files[0]["id"]) if files and files[0].get("id") else None,
            event_id=event_id,
        ),
    )
