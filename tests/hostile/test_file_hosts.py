"""File downloads never leave SLACK_FILE_HOSTS and the bot token never goes anywhere
else, whatever URL a file object in a payload carries and whichever way it arrives: a
DM, an @mention, the message shortcut, file_shared (via files.info) or an admin's rubric
upload. The fake Slack serves the same paths on ``localhost`` as on 127.0.0.1 (the only
allowed host here), so a request that went astray would be recorded."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from storage.models import Submission
from tests.fakes import slack_signing as signing
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG
from tests.hostile.support import (
    ADMIN,
    MEMBER,
    ErrorLog,
    assert_healthy,
    foreign_downloads,
    foreign_token_downloads,
)

NOT_ALLOWED = "served from a host I'm not allowed to download from"


def foreign_urls(slack: FakeSlack, file_id: str) -> list[str]:
    """Links that look like Slack's but lead elsewhere."""
    port = slack.port
    path = f"/files-pri/T1-{file_id}/download/memo.txt"
    return [
        f"https://evil.example{path}",
        f"http://localhost:{port}{path}",
        f"http://127.0.0.1@localhost:{port}{path}",  # user-info before the real host
        f"http://localhost:{port}@127.0.0.1:{port}{path}",  # credentials in the URL
        f"http://127.0.0.1.evil.example{path}",
        f"ftp://127.0.0.1:{port}{path}",
        f"//127.0.0.1:{port}{path}",  # scheme-relative
        f"file:///etc/passwd#{file_id}",
    ]


def _file(slack: FakeSlack, file_id: str, url: str, *, user: str = MEMBER) -> dict[str, Any]:
    file = slack.add_file(file_id, STRONG.encode(), name="memo.txt", user=user)
    file["url_private_download"] = url
    file["url_private"] = url
    return file


async def _stored_urls(harness: Harness) -> list[str]:
    async with harness.bot.services.database.session() as session:
        rows = await session.scalars(select(Submission.files))
        return [
            str(f.get("url_private_download") or f.get("url_private"))
            for files in rows
            for f in files or []
        ]


async def test_foreign_file_links_are_never_fetched_from_any_way_in(
    hostile_bot: Harness, error_log: ErrorLog
) -> None:
    harness, slack = hostile_bot, hostile_bot.slack
    dm_replies = []
    for index, url in enumerate(foreign_urls(slack, "F0")):
        dm = signing.file_share_message([_file(slack, f"FD{index}", url)], user=MEMBER)
        assert (await harness.event(dm))[0] == 200
        dm_replies.append(dm["ts"])
        mention = signing.file_share_message(
            [_file(slack, f"FM{index}", url)], user=MEMBER, channel="C1", text="<@UBOT> coach"
        )
        assert (await harness.event(mention))[0] == 200
        at = signing.app_mention("coach this", user=MEMBER)
        at["files"] = [_file(slack, f"FA{index}", url)]
        assert (await harness.event(at))[0] == 200
        shortcut = {
            "type": "message",
            "user": MEMBER,
            "text": "",
            "ts": signing.new_ts(),
            "files": [_file(slack, f"FS{index}", url)],
        }
        payload = signing.message_shortcut(
            message=shortcut, user=MEMBER, response_url=slack.new_response_url()
        )
        assert (await harness.post(payload))[0] == 200
        tampered = _file(slack, f"FI{index}", url)  # what files.info will answer
        tampered["shares"] = {"private": {f"D{MEMBER}": [{"ts": signing.new_ts()}]}}
        shared = signing.file_shared_event(f"FI{index}", user=MEMBER)
        assert (await harness.event(shared))[0] == 200
    await harness.settled()

    assert foreign_downloads(slack) == [], "no request left SLACK_FILE_HOSTS"
    assert foreign_token_downloads(slack) == []
    assert slack.downloads == [], "and nothing was fetched at all"
    assert await _stored_urls(harness) == [], "foreign links are not even stored"
    for ts in dm_replies:
        said = json.dumps(harness.thread_replies(f"D{MEMBER}", ts), ensure_ascii=False)
        assert NOT_ALLOWED in said, "the sender is told why, not ignored"
    assert error_log.crashes() == []
    await assert_healthy(harness)


async def test_only_the_allowed_link_of_a_file_is_used(hostile_bot: Harness) -> None:
    """url_private_download is preferred; a foreign url_private beside it is never used."""
    slack = hostile_bot.slack
    file = slack.add_file("FOK", STRONG.encode(), name="memo.txt", user=MEMBER)
    file["url_private"] = "https://evil.example/files-pri/T1-FOK/memo.txt"
    await hostile_bot.event(signing.file_share_message([file], user=MEMBER))
    await hostile_bot.settled()
    assert [d.host.split(":")[0] for d in slack.downloads] == ["127.0.0.1"]
    assert foreign_token_downloads(slack) == []


async def test_an_admins_rubric_file_on_a_foreign_host_is_not_fetched(
    hostile_bot: Harness,
) -> None:
    slack = hostile_bot.slack
    for index, url in enumerate(foreign_urls(slack, "FY")):
        file = _file(slack, f"FY{index}", url, user=ADMIN)
        file["name"] = "rubric.yaml"
        event = signing.file_share_message([file], user=ADMIN)
        await hostile_bot.event(event)
        await slack.wait_for("chat.postMessage", count=index + 1)
        said = json.dumps(hostile_bot.thread_replies(f"D{ADMIN}", event["ts"]))
        assert NOT_ALLOWED in said, url
    assert slack.downloads == []
