"""`memo-coach evaluate FILE [--json]`: coach one memo file from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.bootstrap import open_database
from bot.commands.errors import CommandError
from bot.commands.parsers import Subparsers
from bot.rendering import render_evaluation
from bot.rendering.preview import render_preview
from bot.runtime import Runtime, StartupError, load_runtime
from evaluation.errors import UnusableMemo
from evaluation.extraction import extract_text_async
from evaluation.limits import check_memo
from evaluation.memo import Evaluator, Memo
from evaluation.offline import OfflineEvaluator
from evaluation.prompt_template import PromptTemplate
from evaluation.result import EvaluationOutcome
from evaluation.service import build_evaluator
from storage.repositories.evaluations import record_evaluation
from storage.repositories.prompts import active_prompt
from storage.repositories.rubrics import active_rubric
from storage.repositories.submissions import create_submission
from storage.repositories.users import upsert_user


async def _read_memo(args: argparse.Namespace, runtime: Runtime) -> Memo:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from exc
    coach = runtime.config.coach
    try:
        text = await extract_text_async(data, args.file.name, coach.files)
        return Memo(text=check_memo(text, coach.memo), audience=args.audience)
    except UnusableMemo as exc:
        raise CommandError(exc.user_message) from exc


def _evaluator(args: argparse.Namespace, runtime: Runtime, prompt: PromptTemplate) -> Evaluator:
    if args.offline:
        return OfflineEvaluator()
    key = runtime.settings.anthropic_api_key
    return build_evaluator(
        key.get_secret_value() if key else None,
        runtime.settings.anthropic_base_url,
        runtime.config.llm,
        prompt,
    )


async def _evaluate(args: argparse.Namespace) -> tuple[EvaluationOutcome, int | None]:
    try:
        runtime = load_runtime()
    except StartupError as exc:
        raise CommandError(str(exc)) from exc
    memo = await _read_memo(args, runtime)
    database = await open_database(runtime)
    try:
        async with database.session() as session:
            rubric = await active_rubric(session)
            prompt = await active_prompt(session)
        evaluator = _evaluator(args, runtime, prompt.prompt)
        try:
            outcome = await evaluator.evaluate(memo, rubric)
        finally:
            close = getattr(evaluator, "aclose", None)
            if close is not None:
                await close()
        if args.no_store:
            return outcome, None
        async with database.transaction() as session:
            user = await upsert_user(session, args.user)
            submission, _ = await create_submission(
                session, user=user, source="cli", memo_text=memo.text, status="done"
            )
            evaluation = await record_evaluation(
                session, submission, outcome, store_debug=runtime.config.coach.debug_storage
            )
            return outcome, evaluation.id
    finally:
        await database.dispose()


def evaluate(args: argparse.Namespace) -> int:
    outcome, evaluation_id = asyncio.run(_evaluate(args))
    if args.json:
        print(json.dumps(outcome.result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    messages = render_evaluation(
        outcome.result, evaluation_id=evaluation_id, fallback_reason=outcome.fallback_reason
    )
    print(render_preview(messages, ansi=sys.stdout.isatty()))
    if evaluation_id is not None:
        print(f"\nSaved as evaluation {evaluation_id} for user '{args.user}'.")
    return 0


def add_parser(sub: Subparsers) -> None:
    parser = sub.add_parser("evaluate", help="evaluate a memo file and store the result")
    parser.add_argument("file", type=Path, help=".txt, .md, .docx or .pdf")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--user", default="local", help="whose progress it counts for")
    parser.add_argument("--audience", help="who the memo is for and what it should achieve")
    parser.add_argument(
        "--offline", action="store_true", help="use the offline evaluator even with an API key"
    )
    parser.add_argument("--no-store", action="store_true", help="do not save the result")
    parser.set_defaults(handler=evaluate)
