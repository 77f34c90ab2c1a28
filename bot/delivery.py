"""Posting the answer exactly once, even across crashes.

Every message we post for a memo carries Slack message metadata naming the submission
and the part. A worker resuming a job after a crash asks Slack whether that part is
already in the conversation before posting it again, closing the window between "Slack
accepted the message" and "we recorded that it did".
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.rendering import SlackMessage

METADATA_EVENT_TYPE = "memo_coach_reply"
HISTORY_LOOKBACK = 100


def marker(submission_id: int, part: str) -> dict[str, Any]:
    return {
        "event_type": METADATA_EVENT_TYPE,
        "event_payload": {"submission_id": submission_id, "part": part},
    }


def _is_marked(message: dict[str, Any], submission_id: int, part: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(
        metadata.get("event_type") == METADATA_EVENT_TYPE
        and payload.get("submission_id") == submission_id
        and str(payload.get("part")) == part
    )


async def find_posted(
    client: AsyncWebClient,
    channel: str,
    submission_id: int,
    part: str,
    *,
    thread_ts: str | None = None,
) -> str | None:
    """The ts of a message we already posted for this submission and part, if any."""
    if thread_ts:
        response = await client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
    else:
        response = await client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
    for message in response.get("messages") or []:
        if _is_marked(message, submission_id, part):
            return str(message["ts"])
    return None


async def post_once(
    client: AsyncWebClient,
    message: SlackMessage,
    *,
    channel: str,
    submission_id: int,
    part: str,
    thread_ts: str | None = None,
    resumed: bool,
) -> str:
    """Post ``message`` unless a resumed job finds it already posted; return its ts."""
    if resumed:
        existing = await find_posted(client, channel, submission_id, part, thread_ts=thread_ts)
        if existing is not None:
            return existing
    response = await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        metadata=marker(submission_id, part),
        unfurl_links=False,
        unfurl_media=False,
        **message.payload(),
    )
    return str(response["ts"])


async def update_message(
    client: AsyncWebClient, message: SlackMessage, *, channel: str, ts: str
) -> None:
    await client.chat_update(channel=channel, ts=ts, **message.payload())
