"""Broken and hostile memo files through the real app (the ones tests/handlers/
test_bad_input.py does not already cover): each gets a reply in its thread saying what
is wrong and what to do, the model is never called, nothing crashes, the bot token never
leaves SLACK_FILE_HOSTS, and /ready stays 200."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from tests.fakes import slack_signing as signing
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_slack import FakeSlack
from tests.handlers.harness import Harness, running_model_bot
from tests.handlers.memos import STRONG
from tests.hostile.hostile_files import (
    PNG_MAGIC,
    docx_with_many_entries,
    docx_zip_of_zips,
    encrypted_pdf,
    image_only_pdf,
    malformed_pdf,
    pdf_over_page_limit,
    real_docx,
    real_pdf,
    truncated,
)
from tests.hostile.support import (
    MEMBER,
    ErrorLog,
    assert_healthy,
    foreign_downloads,
    foreign_token_downloads,
    sent_active_forms,
)

MAX_BYTES = 64 * 1024
MARKER = "Zqxfilemarker"
"""In the text of every file below that has text: it must never reach the logs."""
LIMITS = {"files": {"max_bytes": MAX_BYTES, "docx_max_entries": 200, "pdf_max_pages": 5}}

CASES: list[tuple[str, Callable[[], bytes], str]] = [
    ("memo.docx", lambda: truncated(real_docx()), "damaged or incomplete"),
    ("memo.docx", lambda: docx_with_many_entries(300), "unusual number of internal parts"),
    ("memo.docx", docx_zip_of_zips, "damaged or incomplete"),
    ("memo.docx", lambda: b"", "empty (0 bytes)"),
    ("memo.pdf", encrypted_pdf, "password-protected"),
    ("memo.pdf", image_only_pdf, "image-only PDF"),
    ("memo.pdf", lambda: pdf_over_page_limit(6), "6 pages; the limit is 5"),
    ("memo.pdf", malformed_pdf, "damaged or incomplete"),
    ("memo.pdf", lambda: truncated(real_pdf()), "damaged or incomplete"),
    ("memo.pdf", lambda: b"", "empty (0 bytes)"),
    ("memo.txt", lambda: b"", "empty (0 bytes)"),
    ("memo.txt", lambda: PNG_MAGIC + bytes(range(256)) * 4, "actually an image"),
    ("memo.txt", lambda: ("Memo text. " * 40).encode("utf-16-le"), "UTF-16 without a byte"),
    ("memo.txt", lambda: ("メモの本文です。" * 40).encode("shift_jis"), "isn't saved as UTF-8"),
    (
        "memo.md",
        lambda: b"Zqxfilemarker " * 20 + b"\xc3\x28" + b" end" * 20,
        "isn't saved as UTF-8",
    ),
    ("memo.txt", lambda: b"Zqxfilemarker " * (MAX_BYTES // 10), "over the 64 KB limit"),
    ("memo.txt", lambda: b"Zqxfilemarker.", "too short"),
]


@pytest_asyncio.fixture
async def strict_bot(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_database_url: str,
    slack: FakeSlack,
    fake_anthropic: FakeAnthropic,
) -> AsyncIterator[Harness]:
    """Small file limits, so the over-limit cases stay small and fast."""
    async with running_model_bot(
        monkeypatch,
        tmp_path,
        sqlite_database_url,
        slack,
        fake_anthropic,
        coach={**LIMITS, "rate_limit": {"memos_per_hour": 1000}},
    ) as bot:
        yield bot


def _reply(harness: Harness, event: dict[str, object]) -> str:
    replies = harness.thread_replies(f"D{MEMBER}", str(event["ts"]))
    return json.dumps(replies, ensure_ascii=False)


async def _share(harness: Harness, file: dict[str, object], text: str = "") -> str:
    event = signing.file_share_message([file], user=MEMBER, text=text)
    status, _ = await harness.event(event)
    assert status == 200
    await harness.settled()
    return _reply(harness, event)


async def test_every_broken_file_gets_a_reason_and_never_reaches_the_model(
    strict_bot: Harness, fake_anthropic: FakeAnthropic, error_log: ErrorLog
) -> None:
    for index, (name, build, expected) in enumerate(CASES):
        file = strict_bot.slack.add_file(f"FH{index}", build(), name=name, user=MEMBER)
        said = await _share(strict_bot, file)
        assert "I couldn't coach this one" in said, (name, expected)
        assert expected in said, (name, expected, said[:600])
    assert fake_anthropic.requests == []
    assert error_log.crashes() == []
    assert MARKER not in error_log.text()
    await assert_healthy(strict_bot)


async def test_a_coached_file_leaves_no_text_in_the_logs(
    strict_bot: Harness, fake_anthropic: FakeAnthropic, error_log: ErrorLog
) -> None:
    text = STRONG.replace("annual billing", f"annual billing ({MARKER})")
    file = strict_bot.slack.add_file("FOK", text.encode(), name="memo.md", user=MEMBER)
    said = await _share(strict_bot, file)
    assert "Memo feedback" in said or "overall" in said.lower()
    assert len(fake_anthropic.requests) == 1
    assert MARKER in (fake_anthropic.last.memo or "")
    assert MARKER not in error_log.text()


async def test_size_limit_holds_when_the_file_object_lies_about_its_size(
    strict_bot: Harness, fake_anthropic: FakeAnthropic
) -> None:
    """The declared size is user-influenced: the download is capped on its own."""
    declared = strict_bot.slack.add_file("FBIG1", b"x", name="memo.txt", user=MEMBER)
    declared["size"] = 50 * MAX_BYTES  # refused before downloading
    assert "over the 64 KB limit" in await _share(strict_bot, declared)
    assert strict_bot.slack.downloads == []

    lying = strict_bot.slack.add_file(
        "FBIG2", b"word " * (4 * MAX_BYTES // 5), name="memo.txt", user=MEMBER
    )
    lying["size"] = 10  # the bytes that arrive are what count
    assert "over the 64 KB limit" in await _share(strict_bot, lying)
    assert fake_anthropic.requests == []


async def test_downloads_that_redirect_off_slack_are_refused_without_the_token(
    strict_bot: Harness, fake_anthropic: FakeAnthropic, error_log: ErrorLog
) -> None:
    slack = strict_bot.slack
    memo = b"A memo body long enough to coach. " * 40
    # one hop to another host, and a chain that leaves SLACK_FILE_HOSTS on its second hop
    to_cdn = slack.add_file(
        "FR1", memo, name="memo.txt", user=MEMBER, redirect_to=slack.cdn_url("FR1")
    )
    to_evil = slack.add_file(
        "FR2", memo, name="memo.txt", user=MEMBER, redirect_to="https://evil.example/FR2"
    )
    second = slack.add_file(
        "FR3", memo, name="memo.txt", user=MEMBER, redirect_to=slack.cdn_url("FR3")
    )
    chain = slack.add_file(
        "FR4", memo, name="memo.txt", user=MEMBER, redirect_to=second["url_private_download"]
    )
    for file in (to_cdn, to_evil, chain):
        said = await _share(strict_bot, file)
        assert "served from a host I'm not allowed to download from" in said
    assert foreign_downloads(slack) == [], "the other host was never even asked"
    assert foreign_token_downloads(slack) == []
    followed = [d.file_id for d in slack.downloads]
    assert followed.count("FR3") == 1, "the hop inside SLACK_FILE_HOSTS was followed"
    assert fake_anthropic.requests == []
    assert error_log.crashes() == []
    await assert_healthy(strict_bot)


async def test_hostile_file_names_are_shown_inert(strict_bot: Harness, error_log: ErrorLog) -> None:
    """A file name is chosen by whoever uploads it, and replies quote it."""
    names = ["<!channel>.txt", "<@U999> @here.md", "<https://evil.example|memo>.pdf", "x.docx"]
    for index, name in enumerate(names):
        content = b"" if name.endswith(".docx") else b"A memo sentence. " * 30
        file = strict_bot.slack.add_file(f"FN{index}", content, name=name, user=MEMBER)
        file["title"] = "<!everyone> " + name
        await _share(strict_bot, file)
    assert sent_active_forms(strict_bot.slack) == []
    assert error_log.crashes() == []
