"""What a manager's digest says: every member by name, averages and changes, who was
silent, team averages per criterion; and never anything a member wrote."""

from __future__ import annotations

import json
import re

import pytest

from bot.charts.digest_chart import DigestChartData, MemberBars, render_digest_chart
from bot.digests import build_digest
from bot.periods import closed_period
from bot.rendering.digest import member_name, render_digest, render_digest_report
from bot.rendering.messages import MAX_BLOCKS_PER_MESSAGE, MAX_SECTION_TEXT, SlackMessage
from config.bundle import load_config
from config.coach import Schedule
from storage.db import Database
from storage.repositories.digests import TeamDigest, team_digest
from tests.bot.digest_fixtures import (
    BEFORE,
    NOW,
    PREVIOUS_PERIOD,
    SECRET,
    THIS_PERIOD,
    days,
    memo_at,
    team,
)

PERIOD = closed_period(Schedule(), NOW)
RUBRIC = load_config().rubric
MENTION = re.compile(r"<@[UW][A-Z0-9]+>")


async def _seed(database: Database) -> int:
    """Ana: 2 memos now (3.5, 4.0), 1 before (3.0). UBO (no name): 1 memo now. Cy: only
    the previous period. Dee: only long ago. Another manager's member: lots of memos."""
    async with database.transaction() as session:
        boss, people = await team(
            session,
            "UMGR",
            {"UANA": "Ana Writer", "UBO": None, "UCY": "Cy", "UDEE": "Dee"},
        )
        _, others = await team(session, "UOTHERBOSS", {"UOUT": "Outsider"})
        await memo_at(session, people["UANA"], THIS_PERIOD, {"answer_first": 4, "evidence": 3})
        await memo_at(
            session, people["UANA"], THIS_PERIOD + days(1), {"answer_first": 5, "evidence": 3}
        )
        await memo_at(session, people["UANA"], PREVIOUS_PERIOD, {"answer_first": 3, "evidence": 3})
        await memo_at(session, people["UBO"], THIS_PERIOD, {"answer_first": 2, "evidence": 4})
        await memo_at(session, people["UCY"], PREVIOUS_PERIOD, {"answer_first": 4, "evidence": 4})
        await memo_at(session, people["UDEE"], BEFORE, {"answer_first": 1, "evidence": 1})
        await memo_at(session, people["UANA"], NOW, {"answer_first": 1, "evidence": 1})
        for _ in range(3):
            await memo_at(session, others["UOUT"], THIS_PERIOD, {"answer_first": 1, "evidence": 1})
        return boss.id


async def _digest(database: Database, manager_id: int) -> TeamDigest:
    async with database.session() as session:
        return await team_digest(
            session,
            manager_id,
            previous_start=PERIOD.previous_start,
            start=PERIOD.start,
            end=PERIOD.end,
            rubric_criteria=[(c.key, c.name) for c in RUBRIC.criteria],
        )


def _payload(messages: list[SlackMessage]) -> str:
    return json.dumps([m.payload() for m in messages], ensure_ascii=False)


async def test_team_digest_numbers(database: Database) -> None:
    digest = await _digest(database, await _seed(database))
    by_id = {m.slack_user_id: m for m in digest.members}
    assert [m.slack_user_id for m in digest.members] == ["UANA", "UCY", "UDEE", "UBO"]
    ana = by_id["UANA"]
    assert (ana.memo_count, ana.previous_memo_count) == (2, 1), "a memo after the period is out"
    assert ana.average == pytest.approx(3.75)
    assert ana.change == pytest.approx(0.75)
    assert ana.strongest is not None
    assert ana.weakest is not None
    assert (ana.strongest.name, ana.strongest.average) == ("Answer first", 4.5)
    assert (ana.weakest.name, ana.weakest.average) == ("Evidence and numbers", 3.0)
    bo = by_id["UBO"]
    assert (bo.memo_count, bo.average, bo.change) == (1, 3.0, None)
    assert bo.strongest is not None
    assert bo.strongest.key == "evidence"
    assert [m.slack_user_id for m in digest.silent] == ["UCY", "UDEE"]
    assert by_id["UDEE"].previous_average is None, "older memos are not the previous period"
    team_scores = {c.key: c for c in digest.criteria}
    assert [c.key for c in digest.criteria] == ["answer_first", "evidence"]
    assert team_scores["answer_first"].average == pytest.approx(11 / 3)
    assert team_scores["answer_first"].previous_average == pytest.approx(3.5)
    assert team_scores["evidence"].average == pytest.approx(10 / 3)
    assert team_scores["evidence"].change == pytest.approx(10 / 3 - 3.5)
    assert digest.memo_count == 3


async def test_rendered_digest_names_members_and_shows_trends(database: Database) -> None:
    manager_id = await _seed(database)
    async with database.session() as session:
        content = await build_digest(session, manager_id, PERIOD, RUBRIC)
    text = _payload(content.messages)
    assert "16 Nov – 23 Nov 2026" in text
    assert "*Ana Writer*" in text
    assert "*<@UBO>*" in text, "a member without a stored name is a mention"
    assert "average 3.8 / 5 (↑ +0.8 vs previous)" in text
    assert "strongest: Answer first (4.5), weakest: Evidence and numbers (3.0)" in text
    assert "*No memos this period:* Cy, Dee" in text
    assert "Team averages by criterion" in text
    assert "• Answer first: 3.7 (↑ +0.2 vs previous)" in text
    assert "• Evidence and numbers: 3.3 (↓ −0.2 vs previous)" in text
    assert "*3 memos* from 2 of 4 people this period." in text
    assert "Outsider" not in text
    assert content.chart is not None
    assert [m.label for m in content.chart.members] == ["Ana Writer", "Cy", "UBO"]


async def test_digest_never_contains_memo_text_or_feedback(database: Database) -> None:
    manager_id = await _seed(database)
    async with database.session() as session:
        content = await build_digest(session, manager_id, PERIOD, RUBRIC)
    assert SECRET not in _payload(content.messages)
    assert SECRET not in repr(content.digest)
    assert SECRET not in repr(content.chart)


async def test_hostile_display_names_are_escaped(database: Database) -> None:
    async with database.transaction() as session:
        boss, people = await team(
            session, "UMGR", {"UEVIL": "<!channel> & <https://x.test|click>", "bad id": None}
        )
        await memo_at(session, people["UEVIL"], THIS_PERIOD, {"answer_first": 3, "evidence": 3})
    async with database.session() as session:
        content = await build_digest(session, boss.id, PERIOD, RUBRIC)
    for message in content.messages:
        _assert_block_kit_limits(message)
    text = _payload(content.messages)
    assert "&lt;!channel&gt; &amp; &lt;https://x.test|click&gt;" in text
    assert "bad id" in text
    assert "<@bad id>" not in text


def _assert_block_kit_limits(message: SlackMessage) -> None:
    assert message.text.strip()
    assert "<" not in message.text
    assert 1 <= len(message.blocks) <= MAX_BLOCKS_PER_MESSAGE
    for block in message.blocks:
        texts = [block["text"]["text"]] if "text" in block else []
        texts += [e["text"] for e in block.get("elements", [])]
        for text in texts:
            assert len(text) <= MAX_SECTION_TEXT
            assert "<" not in MENTION.sub("", text), text


def test_a_large_team_stays_within_block_kit_limits() -> None:
    from storage.repositories.digests import MemberDigest

    members = [
        MemberDigest(i, f"U{i:06d}", f"Person {i} " + "x" * 60, 3, 3.5, 2, 3.0, None, None)
        for i in range(300)
    ]
    messages = render_digest(TeamDigest(1, members, []), period_label=PERIOD.label)
    assert len(messages) > 1
    for message in messages:
        _assert_block_kit_limits(message)
    assert all(f"Person {i} " in _payload(messages) for i in range(300))


def test_member_name_prefers_the_display_name() -> None:
    assert member_name("U123", "Ana") == "Ana"
    assert member_name("U123", None) == "<@U123>"
    assert member_name("U123", "  ") == "<@U123>"
    assert member_name("<!here>", None) == "&lt;!here&gt;"


def test_chart_is_a_png_even_with_odd_names() -> None:
    data = DigestChartData(
        members=[
            MemberBars("Ana $x$ Writer", 3.8, 3.0),
            MemberBars("_Bo", None, 2.5),
            MemberBars("Cy", 4.2, None),
        ],
        period_label=PERIOD.label,
    )
    png = render_digest_chart(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_report_to_the_admin_lists_failures() -> None:
    message = render_digest_report("16 Nov – 23 Nov 2026", ["U1"], [], {"U2": "Slack API error: x"})
    text = _payload([message])
    assert "Sent: 1" in text
    assert "Failed for <@U2>: Slack API error: x" in text
