"""Every admin path refuses everyone who is not a coach admin, and changes nothing.

The commands are not a hand-kept list: they are read from each area's usage lines in
handlers/admin (AREAS), so a new admin verb is covered (or this test fails) without
anyone remembering to add it. Each runs from the slash command and from a DM, as a
member, as a Slack workspace owner (coach.yaml keeps those apart by default) and as an
unknown user; then the weights form and the rubric/prompt uploads. Afterwards every
table has the row count it had before.
"""

from __future__ import annotations

import json
import re

from bot.rendering.admin_rubric_edit import RUBRIC_EDIT_CALLBACK, WEIGHT_ACTION
from handlers.admin import AREAS
from tests.bot.rubric_files import prompt_yaml, rubric_yaml, with_audience_fit
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.hostile.support import (
    ADMIN,
    MEMBER,
    WORKSPACE_ADMIN,
    ErrorLog,
    assert_healthy,
    table_counts,
)

OUTSIDERS = (MEMBER, WORKSPACE_ADMIN, "U999")
REFUSED = "not a Memo Coach admin"
_COMMAND = re.compile(r"`(admin [^`]+)`")
_PLACEHOLDERS = (
    ("KEY N [KEY N …]", "answer_first 30 risks 10"),
    ("[@manager]", "<@U1|ana>"),
    ("[@user]", "<@U2|bo>"),
    ("@manager", "<@U1|ana>"),
    ("@member …", "<@U2|bo> <@U999>"),
    ("@user …", "<@U2|bo> <@U3>"),
    ("#channel …", "<#C9|memos>"),
    ("A B", "1 1"),
    ("[N]", "1"),
    (" N", " 1"),
)


def admin_commands() -> dict[str, list[str]]:
    """Area -> every command its usage lines document, with placeholders filled in and
    ``add|remove`` alternatives expanded."""
    commands: dict[str, list[str]] = {}
    for name, area in AREAS.items():
        for line in area.usage:
            for written in _COMMAND.findall(line):
                for placeholder, value in _PLACEHOLDERS:
                    written = written.replace(placeholder, value)
                words = written.split()
                for verb in words[2].split("|") if len(words) > 2 else [""]:
                    command = " ".join([*words[:2], verb, *words[3:]]).strip()
                    commands.setdefault(name, []).append(command)
    return commands


def test_the_command_list_covers_every_area_and_verb() -> None:
    commands = admin_commands()
    assert set(commands) == set(AREAS)
    verbs = {c.split()[2] for cs in commands.values() for c in cs if len(c.split()) > 2}
    assert {"set", "add", "remove", "show", "now", "list", "history", "diff"} <= verbs
    assert {"rollback", "export", "weight", "edit", "last"} <= verbs
    every = [c for cs in commands.values() for c in cs]
    assert "admin rubric weight answer_first 30 risks 10" in every
    assert "admin admins remove <@U2|bo> <@U3>" in every
    assert not [c for c in every if re.search(r"[A-Z]{2,}|@manager|#channel| N\b", c)]


def _said(body: str) -> str:
    return json.dumps(json.loads(body), ensure_ascii=False) if body else ""


async def test_every_admin_command_is_refused_to_non_admins(
    bot_on_each_database: Harness, error_log: ErrorLog
) -> None:
    harness = bot_on_each_database
    before = await table_counts(harness)
    every = ["admin", "admin help", "admin zzz"]
    every += [c for cs in admin_commands().values() for c in cs]
    dm_refusals = 0
    for user in OUTSIDERS:
        for command in every:
            status, body = await harness.command(command, user_id=user, channel_id="C1")
            assert status == 200
            assert REFUSED in _said(body), (user, command)
            status, _ = await harness.event(signing.dm_message(command, user=user))
            assert status == 200
            dm_refusals += 1
    replies = await harness.slack.wait_for("chat.postMessage", count=dm_refusals, timeout=30)
    assert all(REFUSED in json.dumps(c.args) for c in replies)
    assert {c.args["channel"] for c in replies} == {f"D{u}" for u in OUTSIDERS}

    # The same words reach no admin code through a mention or the message shortcut.
    await harness.event(signing.app_mention("admin admins add <@U2>", user=MEMBER))
    status, _ = await harness.post(
        signing.message_shortcut(
            message="admin admins add <@U2>",
            user=MEMBER,
            response_url=harness.slack.new_response_url(),
        )
    )
    assert status == 200

    assert await table_counts(harness) == before
    for method in ("views.open", "files.getUploadURLExternal", "files.completeUploadExternal"):
        assert harness.slack.calls_to(method) == [], method
    assert error_log.crashes() == []
    await assert_healthy(harness)

    # The refusals were not vacuous: the same commands reach the admin code for an admin.
    for command in every:
        status, body = await harness.command(command, user_id=ADMIN, channel_id="C1")
        assert status == 200
        assert REFUSED not in _said(body), command
    assert (await table_counts(harness))["audit_log"] >= before["audit_log"] + len(every)


def _weights_view(version: int = 1) -> dict[str, object]:
    values = {
        f"weight__{key}": {WEIGHT_ACTION: {"type": "number_input", "value": str(weight)}}
        for key, weight in {
            "answer_first": 30,
            "evidence": 20,
            "clarity": 20,
            "ask_next_steps": 20,
            "risks": 10,
        }.items()
    }
    return {
        "id": "V1",
        "hash": "1.x",
        "callback_id": RUBRIC_EDIT_CALLBACK,
        "private_metadata": json.dumps({"version": version}),
        "state": {"values": values},
    }


async def test_the_weights_form_and_its_running_sum_refuse_non_admins(
    bot_on_each_database: Harness, error_log: ErrorLog
) -> None:
    """A valid form (sum 100) submitted by someone who is not an admin: refused inline."""
    harness = bot_on_each_database
    before = await table_counts(harness)
    view = _weights_view()
    for user in OUTSIDERS:
        submit = signing.view_submission(
            RUBRIC_EDIT_CALLBACK,
            view["state"]["values"],  # type: ignore[index]
            user=user,
            private_metadata=str(view["private_metadata"]),
        )
        status, body = await harness.post(submit)
        assert status == 200
        answer = json.loads(body)
        assert answer["response_action"] == "errors"
        assert "Only Memo Coach admins" in json.dumps(answer)
        typed = signing.block_actions(
            WEIGHT_ACTION,
            user=user,
            view=view,
            block_id="weight__risks",
            action_type="number_input",
        )
        assert (await harness.post(typed))[0] == 200
    assert harness.slack.calls_to("views.update") == []
    assert await table_counts(harness) == before
    assert error_log.crashes() == []


async def test_rubric_and_prompt_files_from_non_admins_are_refused_unread(
    bot_on_each_database: Harness, error_log: ErrorLog
) -> None:
    harness = bot_on_each_database
    before = await table_counts(harness)
    uploads = [
        ("rubric.yaml", rubric_yaml(with_audience_fit), ""),
        ("prompt.yml", prompt_yaml(), ""),
        ("notes.txt", rubric_yaml(), "rubric"),
        ("memo.md", prompt_yaml(), "<@UBOT> prompt"),
        ("RUBRIC.YAML", rubric_yaml(), "please apply"),
    ]
    shared = 0
    for user in OUTSIDERS:
        for index, (name, content, text) in enumerate(uploads):
            file = harness.slack.add_file(f"FA{user}{index}", content.encode(), name, user=user)
            event = signing.file_share_message([file], user=user, text=text)
            assert (await harness.event(event))[0] == 200
            shared += 1
    replies = await harness.slack.wait_for("chat.postMessage", count=shared, timeout=30)
    assert all("Only Memo Coach admins" in json.dumps(c.args) for c in replies)
    assert harness.slack.downloads == [], "a refused file is not even downloaded"
    assert await table_counts(harness) == before
    assert error_log.crashes() == []
    assert ADMIN not in {c.args["channel"][1:] for c in replies}
