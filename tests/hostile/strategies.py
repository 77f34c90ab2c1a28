"""Hypothesis strategies for what people (and attackers holding a valid signature) can
send: memo-ish text laced with pings and delimiters, and Slack payloads of odd shapes."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from bot.rendering.admin_rubric_edit import RUBRIC_EDIT_CALLBACK, WEIGHT_ACTION
from bot.rendering.evaluation import ACTION_HELPFUL, ACTION_MY_PROGRESS, ACTION_NOT_HELPFUL
from bot.rendering.forget_me import ACTION_FORGET_ME_CANCEL, ACTION_FORGET_ME_CONFIRM
from bot.rendering.memo_modal import (
    AUDIENCE_ACTION,
    AUDIENCE_BLOCK,
    MEMO_ACTION,
    MEMO_BLOCK,
    MEMO_MODAL_CALLBACK,
)
from bot.rendering.notices import ACTION_RETRY_SUBMISSION
from handlers.admin import AREAS
from tests.fakes import slack_signing as signing
from tests.handlers.memos import STRONG, WEAK
from tests.hostile.support import HOSTILE_TOKENS, MEMBER, envelope, mutated, unpack_interactive

MARKER = "Zqxhostilemarker"
"""Put in every generated memo: it must never reach the logs."""
SENTENCES = [s for s in re.split(r"(?<=[.!?])\s+", STRONG + "\n" + WEAK) if s.strip()]
SHORT_COMMANDS = ["help", "?", "ayuda", "rubric", "privacy", "progress", "history", "forget me"]
ADMIN_WORDS = [
    "admin",
    "admin help",
    "admin rubric weight answer_first 30 risks 10",
    "admin team set <@U2> <@U999>",
    "admin admins add <@U2>",
    "admin channel add <#C9|x>",
    "admin prompt rollback 1",
]
WORDS = st.one_of(
    st.sampled_from(HOSTILE_TOKENS),
    st.sampled_from(SHORT_COMMANDS + ADMIN_WORDS),
    st.sampled_from(SENTENCES),
    st.text(max_size=20),
)


@st.composite
def _memo_with_tokens(draw: st.DrawFn) -> str:
    """A real memo with hostile tokens spliced in at sentence boundaries."""
    sentences = list(SENTENCES)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(sentences)))
        sentences.insert(at, draw(st.sampled_from(HOSTILE_TOKENS)))
    return " ".join(sentences) + f" {MARKER}."


TEXTS: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=200),
    st.lists(WORDS, max_size=30).map(" ".join),
    st.sampled_from(SHORT_COMMANDS + ADMIN_WORDS),
    _memo_with_tokens(),
    st.integers(20, 30).map(lambda copies: (STRONG + " ") * copies),  # over max_characters
)
"""Slash command / DM text: noise, commands, hostile memos and over-long ones."""

ADMIN_AREAS = ["", "help", *AREAS, "zzz", "RUBRIC", "<!channel>"]
ADMIN_VERBS = ["", "show", "history", "diff", "rollback", "export", "weight", "weights"]
ADMIN_VERBS += ["edit", "add", "remove", "set", "list", "now", "last"]
ADMIN_TEXTS: st.SearchStrategy[str] = st.builds(
    lambda area, verb, args: " ".join(["admin", area, verb, *args]).strip(),
    st.sampled_from(ADMIN_AREAS),
    st.sampled_from(ADMIN_VERBS),
    st.lists(
        st.one_of(
            st.integers(-3, 10**20).map(str),
            st.sampled_from(["<@U2>", "<@U999|x>", "<@U1>", "<#C9|memos>", "<#CZZ>", "U2"]),
            st.sampled_from(["answer_first", "risks", "evidence", "clarity", "ask_next_steps"]),
            st.sampled_from(HOSTILE_TOKENS),
            st.text(max_size=12),
        ),
        max_size=6,
    ),
)
"""Admin commands with arguments of every kind (never removing or rolling back for
real damage: the bootstrap admin cannot be removed, and every change is versioned)."""


# --- Events API ----------------------------------------------------------------------

SUBTYPES = [
    None,
    "file_share",
    "message_changed",
    "message_deleted",
    "bot_message",
    "channel_join",
    "thread_broadcast",
    "me_message",
    "zzz_unknown",
]


@st.composite
def events(draw: st.DrawFn, files: list[dict[str, Any]]) -> dict[str, Any]:
    """An Events API envelope: a plausible event, then mutated."""
    user = draw(st.sampled_from([MEMBER, "U999", "UBOT", "W123"]))
    text = draw(TEXTS)
    kind = draw(
        st.sampled_from(
            ["dm", "dm_files", "channel_files", "mention", "file_shared", "home", "unknown"]
        )
    )
    chosen = draw(st.lists(st.sampled_from(files), min_size=1, max_size=3)) if files else []
    if kind == "dm":
        event = signing.dm_message(text, user=user)
        subtype = draw(st.sampled_from(SUBTYPES))
        if subtype is not None:
            event["subtype"] = subtype
    elif kind == "dm_files":
        event = signing.file_share_message(chosen, user=user, text=text[:200])
    elif kind == "channel_files":
        mention = draw(st.sampled_from(["", "<@UBOT> "]))
        event = signing.file_share_message(chosen, user=user, channel="C1", text=mention + text)
    elif kind == "mention":
        event = signing.app_mention(text, user=user)
        if draw(st.booleans()):
            event["files"] = chosen
    elif kind == "file_shared":
        event = signing.file_shared_event(chosen[0]["id"] if chosen else "F0", user=user)
    elif kind == "home":
        event = signing.app_home_opened(user=user, tab=draw(st.sampled_from(["home", "messages"])))
    else:
        event = {"type": draw(st.sampled_from(["zzz", "reaction_added", ""])), "user": user}
    return draw(mutated(envelope(event)))


# --- interactivity -------------------------------------------------------------------


def _memo_values(memo: str, audience: str) -> dict[str, Any]:
    return {
        MEMO_BLOCK: {MEMO_ACTION: {"type": "plain_text_input", "value": memo}},
        AUDIENCE_BLOCK: {AUDIENCE_ACTION: {"type": "plain_text_input", "value": audience}},
    }


def _weight_values(weights: dict[str, Any]) -> dict[str, Any]:
    return {
        f"weight__{key}": {WEIGHT_ACTION: {"type": "number_input", "value": str(value)}}
        for key, value in weights.items()
    }


WEIGHTS = st.fixed_dictionaries(
    {
        key: st.one_of(st.integers(-5, 120), st.sampled_from(["", "abc", "1e9", "30.5"]))
        for key in ("answer_first", "evidence", "clarity", "ask_next_steps", "risks")
    }
)


@st.composite
def interactive_payloads(draw: st.DrawFn, ids: dict[str, int], response_url: str) -> dict[str, Any]:
    """block_actions, view_submission and message_action payloads from MEMBER that aim at
    ADMIN's evaluation and submission (``ids``) and at the admin-only weights form.
    ``response_url`` is the fake's (it expires after five uses, as Slack's do)."""
    user = draw(st.sampled_from([MEMBER, MEMBER, "U999"]))
    target = draw(st.sampled_from([str(ids["evaluation"]), str(ids["submission"]), "0", "-1"]))
    kind = draw(st.sampled_from(["action", "action", "view", "shortcut"]))
    version = draw(st.sampled_from(['{"version": 1}', '{"version": 99}', "", "[]", "null"]))
    if kind == "action":
        action_id = draw(
            st.sampled_from(
                [
                    ACTION_HELPFUL,
                    ACTION_NOT_HELPFUL,
                    ACTION_MY_PROGRESS,
                    ACTION_FORGET_ME_CANCEL,
                    ACTION_FORGET_ME_CONFIRM,
                    ACTION_RETRY_SUBMISSION,
                    WEIGHT_ACTION,
                    "zzz_unknown",
                ]
            )
        )
        view = None
        if action_id == WEIGHT_ACTION or draw(st.booleans()):
            view = {
                "id": "V1",
                "hash": "1.x",
                "private_metadata": version,
                "callback_id": RUBRIC_EDIT_CALLBACK,
                "state": {"values": _weight_values(draw(WEIGHTS))},
            }
        body = signing.block_actions(
            action_id, target, user=user, view=view, response_url=response_url
        )
    elif kind == "view":
        callback = draw(st.sampled_from([MEMO_MODAL_CALLBACK, RUBRIC_EDIT_CALLBACK, "zzz"]))
        if callback == RUBRIC_EDIT_CALLBACK:
            values = _weight_values(draw(WEIGHTS))
        else:
            values = _memo_values(draw(TEXTS)[:3000], draw(TEXTS)[:200])
        body = signing.view_submission(callback, values, user=user, private_metadata=version)
    else:
        message: dict[str, Any] = {"type": "message", "user": "U1", "text": draw(TEXTS)}
        message["ts"] = signing.new_ts()
        callback = draw(st.sampled_from(["coach_memo", "coach_memo", "zzz"]))
        body = signing.message_shortcut(callback, message, user=user, response_url=response_url)
    return draw(mutated(unpack_interactive(body)))
