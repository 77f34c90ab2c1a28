"""Tests of the Slack fake and the signing helpers, driven by the real slack_sdk and Bolt."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import slack_signing as ss
from tests.fakes.fake_slack import FakeSlack

TOKEN = "xoxb-test"
SECRET = "signing-secret-for-tests"


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    web_client = AsyncWebClient(token=TOKEN, base_url=slack.api_url)
    web_client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    return web_client


async def test_post_update_permalink_shapes(slack: FakeSlack, client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Score* 4/5"}}]
    first = await client.chat_postMessage(channel="C1", text="hello", blocks=blocks)
    second = await client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])

    assert first["ok"]
    assert first["channel"] == "C1"
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == blocks
    assert first["message"]["bot_id"] == "BBOT"
    assert second["message"]["thread_ts"] == first["ts"]

    updated = await client.chat_update(channel="C1", ts=first["ts"], text="edited")
    assert updated["ts"] == first["ts"]
    assert updated["message"]["text"] == "edited"
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C1", ts="1.000001", text="x")

    link = await client.chat_getPermalink(channel="C1", message_ts=first["ts"])
    assert link["permalink"] == "https://fake.slack/archives/C1/p1700000000000100"

    call = slack.calls_to("chat.postMessage")[0]
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["Content-Type"].startswith("application/json")
    assert call.args["blocks"] == blocks
    assert call.response == first.data


async def test_form_and_query_args_are_merged_and_decoded(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [{"type": "divider"}]
    await client.api_call(
        "chat.postMessage", data={"channel": "U7", "text": "hi", "blocks": json.dumps(blocks)}
    )
    await client.api_call("chat.postEphemeral", params={"channel": "C1", "user": "U1", "text": "x"})

    form, query = slack.calls
    assert form.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form.args["blocks"] == blocks  # decoded from the form string
    assert form.response is not None
    assert form.response["channel"] == "DU7"
    assert query.args == {"channel": "C1", "user": "U1", "text": "x"}
    assert query.response is not None
    assert "message_ts" in query.response


async def test_wrong_or_missing_token_is_invalid_auth(slack: FakeSlack) -> None:
    for token in ("xoxb-wrong", None):
        with pytest.raises(SlackApiError) as info:
            await AsyncWebClient(token=token, base_url=slack.api_url).auth_test()
        assert info.value.response["error"] == "invalid_auth"

    anonymous = AsyncWebClient(base_url=slack.api_url)
    access = await anonymous.api_call("oauth.v2.access", params={"code": "c"})
    assert access["access_token"] == TOKEN  # oauth.* needs no bearer token

    me = await AsyncWebClient(token=TOKEN, base_url=slack.api_url).auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"], me["user"]) == (
        "UBOT",
        "BBOT",
        "T1",
        "memo-coach",
    )


async def test_rate_limit_is_retried_by_the_sdk_handler(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    response = await client.chat_postMessage(channel="C1", text="after the wait")
    elapsed = time.monotonic() - started

    calls = slack.calls_to("chat.postMessage")
    assert response["ok"]
    assert len(calls) == 2
    assert elapsed >= 0.95
    assert calls[0].status == 429
    assert calls[0].response == {"ok": False, "error": "ratelimited"}


async def test_error_faults_and_5xx(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_next("views.open", error="expired_trigger_id")
    slack.fail_next("users.info", status=503, times=2)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        await client.views_open(trigger_id="t", view={"type": "modal"})
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            await client.users_info(user="UBOT")
        assert info.value.response.status_code == 503
    assert (await client.users_info(user="UBOT"))["user"]["is_bot"] is True


async def test_membership_and_missing_channels(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.set_bot_not_in_channel("C123")
    slack.set_channel_missing("C404")
    with pytest.raises(SlackApiError, match="not_in_channel"):
        await client.chat_postMessage(channel="C123", text="x")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="C404", text="x")
    dm = await client.conversations_open(users="U1")
    assert (
        dm["channel"]["id"]
        == "DU1"
        == (await client.conversations_open(users=["U1"]))["channel"]["id"]
    )
    assert (await client.chat_postMessage(channel="DU1", text="in DM"))["channel"] == "DU1"
    info = await client.conversations_info(channel="C123")
    assert info["channel"]["is_member"] is False
    members = await client.conversations_members(channel="C123")
    assert "UBOT" not in members["members"]


async def test_users_views_and_reactions(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.add_user("U2", real_name="Ada Admin", is_admin=True, tz="Europe/Madrid")
    user = (await client.users_info(user="U2"))["user"]
    assert user["is_admin"]
    assert not user["is_owner"]
    assert user["tz"] == "Europe/Madrid"
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="UNKNOWN")

    opened = await client.views_open(trigger_id="1.2.abc", view={"type": "modal", "blocks": []})
    view_id = opened["view"]["id"]
    updated = await client.views_update(view_id=view_id, view={"type": "modal", "blocks": []})
    assert updated["view"]["id"] == view_id
    home = {"type": "home", "blocks": []}
    first = await client.views_publish(user_id="U2", view=home)
    assert (await client.views_publish(user_id="U2", view=home))["view"]["id"] == first["view"][
        "id"
    ]

    await client.reactions_add(channel="C1", timestamp="1.1", name="eyes")
    with pytest.raises(SlackApiError, match="already_reacted"):
        await client.reactions_add(channel="C1", timestamp="1.1", name="eyes")
    assert (await client.api_call("bookmarks.list"))["ok"]  # generic methods answer ok


async def test_files_upload_v2_end_to_end(slack: FakeSlack, client: AsyncWebClient) -> None:
    result = await client.files_upload_v2(
        channel="C1",
        content=b"%PDF-1.4 annotated",
        filename="feedback.pdf",
        title="Feedback",
        initial_comment="Here you go",
        thread_ts="1700000000.000100",
    )
    [upload] = slack.uploads
    assert result["file"]["id"] == upload.file_id
    assert result["file"]["title"] == "Feedback"
    assert (upload.content, upload.filename, upload.channel_id) == (
        b"%PDF-1.4 annotated",
        "feedback.pdf",
        "C1",
    )
    assert (upload.thread_ts, upload.initial_comment) == ("1700000000.000100", "Here you go")
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    info = await client.files_info(file=upload.file_id)
    assert info["file"]["mimetype"] == "application/pdf"

    slack.set_bot_not_in_channel("C9")
    with pytest.raises(SlackApiError, match="not_in_channel"):
        await client.files_upload_v2(channel="C9", content="x", filename="a.txt")


async def test_file_download_needs_the_bot_token(slack: FakeSlack, client: AsyncWebClient) -> None:
    memo = slack.add_file("F1", b"Q3 plan", "memo.txt", user="U1")
    assert memo["url_private_download"].startswith(f"http://{slack.files_host}/files-pri/T1-F1/")
    assert (await client.files_info(file="F1"))["file"]["size"] == 7

    async with aiohttp.ClientSession() as http:
        url = memo["url_private_download"]
        async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as good:
            assert (good.status, await good.read()) == (200, b"Q3 plan")
        for headers in ({}, {"Authorization": "Bearer xoxb-other"}):
            async with http.get(url, headers=headers) as bad:
                assert bad.status == 200
                assert bad.content_type == "text/html"
                assert "Sign in to Slack" in await bad.text()

        moved = slack.add_file("F2", b"moved", "moved.txt", redirect_to=slack.cdn_url("F2"))
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with http.get(moved["url_private_download"], headers=headers) as followed:
            assert await followed.read() == b"moved"

    assert [d.authorized for d in slack.downloads] == [True, False, False, True, False]
    redirect, cdn = slack.downloads[-2:]
    assert (redirect.status, redirect.host) == (302, slack.files_host)
    assert cdn.host.startswith("localhost")
    assert "Authorization" not in cdn.headers
    token_hosts = {d.host for d in slack.downloads if TOKEN in d.headers.get("Authorization", "")}
    assert token_hosts == {slack.files_host}


async def test_response_url_recording_and_expiry(slack: FakeSlack) -> None:
    url = slack.new_response_url()
    webhook = AsyncWebhookClient(url)
    assert (await webhook.send(text="thinking…", response_type="ephemeral")).status_code == 200
    [post] = await slack.wait_for_responses()
    assert post.body == {"text": "thinking…", "response_type": "ephemeral"}

    slack.expire_response_url(url)
    expired = await webhook.send(text="too late")
    assert (expired.status_code, expired.body) == (404, '{"ok": false, "error": "expired_url"}')
    assert [p.status for p in slack.responses] == [200, 404]

    slack.reset()
    assert slack.responses == []
    assert slack.calls == []


async def test_wait_for_and_latency(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.set_latency("chat.postMessage", 0.05)
    with pytest.raises(TimeoutError, match=r"0/1 chat.delete"):
        await slack.wait_for("chat.delete", timeout=0.05)
    posted = await client.chat_postMessage(channel="C1", text="bye")
    await client.chat_delete(channel="C1", ts=posted["ts"])
    [deleted] = await slack.wait_for("chat.delete", predicate=lambda c: c.args["channel"] == "C1")
    assert deleted.response == {"ok": True, "channel": "C1", "ts": posted["ts"]}
    post = slack.calls_to("chat.postMessage")[0]
    assert deleted.at - post.at >= 0.05


def test_sign_matches_slack_docs_and_signature_verifier() -> None:
    # Slack's published example (docs: "Verifying requests from Slack").
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        "commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = ss.sign(body.encode(), "8f742231b10e8888abcd99yyyzzz85a5", 1531420618)
    assert headers["X-Slack-Signature"] == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )

    verifier = SignatureVerifier(SECRET)
    for payload, _ in (
        ss.slash_command("review my memo"),
        ss.event_callback(ss.dm_message("héllo")),
        ss.message_shortcut(),
    ):
        signed = ss.sign(payload, SECRET)
        assert verifier.is_valid_request(payload, signed)
        assert signed["X-Slack-Signature"] == verifier.generate_signature(
            timestamp=signed["X-Slack-Request-Timestamp"], body=payload
        )
        assert not SignatureVerifier("other").is_valid_request(payload, signed)


@pytest_asyncio.fixture
async def bolt_url(slack: FakeSlack, client: AsyncWebClient) -> AsyncIterator[str]:
    """A minimal Bolt app on loopback whose listeners answer through the fake."""
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.command("/memo-coach")
    async def command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"echo {command['text']}")

    @app.event("message")
    async def message(event: dict[str, Any], say: Any) -> None:
        await say(f"{event.get('subtype', 'plain')}: {len(event.get('files', []))} files")

    @app.shortcut("coach_memo")
    async def shortcut(ack: Any, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=shortcut["trigger_id"], view={"type": "modal"})

    @app.action("rescore")
    async def action(ack: Any, respond: Any) -> None:
        await ack()
        await respond("rescoring")

    @app.view("submit_memo")
    async def view(ack: Any, view: dict[str, Any]) -> None:
        await ack(response_action="errors", errors={"memo": view["private_metadata"]})

    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    await runner.cleanup()


async def test_bolt_accepts_the_signed_payloads(slack: FakeSlack, bolt_url: str) -> None:
    async with aiohttp.ClientSession() as http:
        status, text = await ss.post_signed(http, bolt_url, *ss.url_verification("ch4l"), SECRET)
        assert (status, text) == (200, '{"challenge": "ch4l"}')
        assert (await ss.post_signed(http, bolt_url, *ss.url_verification("x"), "bad"))[0] == 401

        response_url = slack.new_response_url()
        command = ss.slash_command("hello", response_url=response_url)
        assert (await ss.post_signed(http, bolt_url, *command, SECRET))[0] == 200
        shared = ss.file_share_message([slack.add_file("F1", b"x", "memo.txt")], channel="DU1")
        event = ss.event_callback(shared)
        status, _ = await ss.post_signed(
            http, bolt_url, *event, SECRET, retry_num=1, retry_reason="http_timeout"
        )
        assert status == 200
        assert (await ss.post_signed(http, bolt_url, *ss.message_shortcut(), SECRET))[0] == 200
        click = ss.block_actions("rescore", "v", response_url=response_url)
        assert (await ss.post_signed(http, bolt_url, *click, SECRET))[0] == 200
        submit = ss.view_submission("submit_memo", private_metadata="too short")
        status, text = await ss.post_signed(http, bolt_url, *submit, SECRET)
        assert status == 200
        assert '"errors": {"memo": "too short"}' in text

    [said] = await slack.wait_for("chat.postMessage")
    assert said.args["channel"] == "DU1"
    assert said.args["text"] == "file_share: 1 files"
    await slack.wait_for("views.open")
    posts = await slack.wait_for_responses(2)
    assert sorted(p.body["text"] for p in posts) == ["echo hello", "rescoring"]
    # the throwaway-session form of post_signed
    status, text = await ss.post_signed(bolt_url, *ss.url_verification("c2"), SECRET)
    assert (status, text) == (200, '{"challenge": "c2"}')
