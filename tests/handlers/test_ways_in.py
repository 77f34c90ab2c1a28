"""Every way a memo comes in ends in the same pipeline and one threaded answer."""

from __future__ import annotations

import json

from storage.repositories.channels import add_coaching_channel
from tests.fakes import slack_signing as signing
from tests.handlers.harness import Harness
from tests.handlers.memos import STRONG, docx_bytes


def _texts(calls: list) -> str:
    return json.dumps([c.args for c in calls])


async def test_dm_memo_is_answered_in_its_thread(harness: Harness) -> None:
    event = signing.dm_message(STRONG, user="U1")
    status, _ = await harness.event(event)
    assert status == 200
    await harness.settled()
    replies = harness.thread_replies("DU1", event["ts"])
    assert len(replies) >= 2  # status message + at least one feedback part
    assert "Memo feedback" in _texts(harness.slack.calls_to("chat.postMessage"))


async def test_short_dm_is_a_command(harness: Harness) -> None:
    await harness.event(signing.dm_message("help", user="U1"))
    [call] = await harness.slack.wait_for("chat.postMessage")
    assert "Memo Coach" in json.dumps(call.args)
    assert "Answer first" in json.dumps(call.args)  # the rubric's criteria are listed


async def test_dm_file_is_downloaded_with_the_token_and_coached(harness: Harness) -> None:
    slack = harness.slack
    file = slack.add_file("F1", docx_bytes(STRONG), name="pricing.docx", filetype="docx")
    event = signing.file_share_message([file], user="U1")
    await harness.event(event)
    await harness.event(signing.file_shared_event("F1", user="U1"))
    await harness.settled()
    assert [d.authorized for d in slack.downloads] == [True]
    replies = harness.thread_replies("DU1", event["ts"])
    assert any("Memo feedback" in r.get("text", "") for r in replies)


async def test_channel_file_needs_a_mention_or_a_coaching_channel(harness: Harness) -> None:
    slack = harness.slack
    plain = slack.add_file("F2", docx_bytes(STRONG), name="a.docx", filetype="docx")
    ignored = signing.file_share_message([plain], user="U1", channel="C9")
    await harness.event(ignored)
    mentioned_file = slack.add_file("F3", docx_bytes(STRONG), name="b.docx", filetype="docx")
    mentioned = signing.file_share_message(
        [mentioned_file], user="U1", channel="C9", text="<@UBOT> please coach"
    )
    await harness.event(mentioned)
    async with harness.bot.services.database.transaction() as session:
        await add_coaching_channel(session, "C7", added_by="UADMIN")
    coached_file = slack.add_file("F4", docx_bytes(STRONG), name="c.docx", filetype="docx")
    coached = signing.file_share_message([coached_file], user="U2", channel="C7")
    await harness.event(coached)
    await harness.settled()
    assert {d.file_id for d in slack.downloads} == {"F3", "F4"}
    assert harness.thread_replies("C9", mentioned["ts"])
    assert harness.thread_replies("C7", coached["ts"])
    assert not harness.thread_replies("C9", ignored["ts"])


async def test_message_shortcut_answers_in_the_invokers_dm(harness: Harness) -> None:
    response_url = harness.slack.new_response_url()
    payload = signing.message_shortcut(
        message=STRONG, channel="C5", user="U2", response_url=response_url
    )
    status, _ = await harness.post(payload)
    assert status == 200
    await harness.settled()
    posts = harness.slack.calls_to("chat.postMessage")
    assert posts[0].response["channel"] == "DU2"
    assert all(p.response["channel"] == "DU2" for p in posts)


async def test_bare_command_opens_the_form_and_the_form_is_coached(harness: Harness) -> None:
    status, _ = await harness.command("")
    assert status == 200
    [opened] = await harness.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "memo_modal"
    assert "3,000" in json.dumps(view)
    values = {
        "memo_block": {"memo_input": {"type": "plain_text_input", "value": "Too short."}},
        "audience_block": {"audience_input": {"type": "plain_text_input", "value": None}},
    }
    status, body = await harness.post(signing.view_submission("memo_modal", values))
    assert status == 200
    assert json.loads(body)["response_action"] == "errors"
    values["memo_block"]["memo_input"]["value"] = STRONG[:2900]
    values["audience_block"]["audience_input"]["value"] = "Leadership — approve pricing"
    status, body = await harness.post(signing.view_submission("memo_modal", values))
    assert (status, body) == (200, "")
    await harness.settled()
    assert "Memo feedback" in _texts(harness.slack.calls_to("chat.postMessage"))


async def test_short_slash_commands(harness: Harness) -> None:
    for word, expected in [
        ("help", "Coach this memo"),
        ("rubric", "Pyramid Principle"),
        ("privacy", "never your memo text"),
        ("progress", "No memos yet"),
        ("forget me", "forget_me_confirm"),
    ]:
        status, body = await harness.command(word)
        assert status == 200
        assert expected.lower() in body.lower(), word


async def test_works_from_a_channel_the_bot_is_not_in(harness: Harness) -> None:
    harness.slack.set_bot_not_in_channel("C3")
    status, _ = await harness.command(STRONG, channel_id="C3")
    assert status == 200
    await harness.settled()
    posts = harness.slack.calls_to("chat.postMessage")
    assert posts
    assert all(p.response.get("ok") for p in posts)
    assert not [p for p in posts if p.args.get("channel") == "C3"]


async def test_app_home_shows_progress_and_how_to_send(harness: Harness) -> None:
    await harness.event(signing.dm_message(STRONG, user="U1"))
    await harness.settled()
    await harness.event(signing.app_home_opened("U1"))
    [published] = await harness.slack.wait_for("views.publish")
    view = published.args["view"]
    assert published.args["user_id"] == "U1"
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    text = json.dumps(view)
    assert "1 memo" in text
    assert "Send me a memo" in text
    assert "Answer first" in text
