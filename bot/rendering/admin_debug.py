"""`admin debug last`: the raw exchange with the model, as a text file for the admin's
DM (it contains the memo, so it is never posted in a channel or inline)."""

from __future__ import annotations

import json

from bot.rendering.admin_reply import admin_notice
from bot.rendering.escape import escape_mrkdwn
from bot.rendering.messages import SlackMessage
from storage.models import Evaluation


def _pretty(raw: str | None) -> str:
    if raw is None:
        return "(not stored)"
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        return raw


def debug_file_name(evaluation: Evaluation) -> str:
    return f"memo-coach-debug-evaluation-{evaluation.id}.txt"


def render_debug_file(evaluation: Evaluation, slack_user_id: str) -> str:
    """Timings, tokens, then the raw prompt and response, pretty-printed."""
    lines = [
        f"Evaluation {evaluation.id} (submission {evaluation.submission_id})",
        f"user: {slack_user_id}",
        f"created: {evaluation.created_at.isoformat()}",
        f"evaluator: {evaluation.evaluator}; model: {evaluation.model or '-'}",
        f"rubric version: {evaluation.rubric_version}; language: {evaluation.language}",
        f"latency: {evaluation.latency_ms} ms",
        f"tokens: input {evaluation.input_tokens}, output {evaluation.output_tokens}, "
        f"cache read {evaluation.cache_read_tokens}, cache write {evaluation.cache_write_tokens}",
        f"fallback reason: {evaluation.fallback_reason or '-'}",
        "",
        "=== raw prompt (request body) ===",
        _pretty(evaluation.raw_prompt),
        "",
        "=== raw response ===",
        _pretty(evaluation.raw_response),
    ]
    return "\n".join(lines) + "\n"


def render_debug_off() -> SlackMessage:
    return admin_notice(
        "Debug storage is off, so raw prompts and responses are not kept. To turn it on, "
        "set `debug_storage: true` in coach.yaml (in `MEMO_COACH_CONFIG_DIR`) and restart "
        "the bot; evaluations from then on keep them. They contain memo text: turn it off "
        "again when you are done."
    )


def render_no_debug_evaluation(user: str | None) -> SlackMessage:
    whose = f" for <@{user}>" if user else ""
    return admin_notice(
        f"No evaluation{whose} with debug data yet: only evaluations made while "
        "`debug_storage` is on keep their raw prompt and response."
    )


def render_debug_started(evaluation: Evaluation) -> SlackMessage:
    return admin_notice(
        f"Sending the raw prompt and response of evaluation {evaluation.id} "
        f"(`{escape_mrkdwn(evaluation.evaluator)}`, {evaluation.latency_ms} ms) to our DM "
        "as a file. It contains the memo: please don't share it."
    )
