"""The `admin rubric edit` form: its running sum while the admin types, and the save.

Both go through ``is_admin`` like every admin command. A sum other than 100, an empty
field, or a rubric that changed since the form opened is refused inline (the form stays
open, nothing is stored); a valid save becomes a new live version, audited, and the
admin gets what changed in the DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import is_admin
from bot.config_service import (
    RUBRIC,
    StaleVersion,
    UnknownVersionError,
    VersionInfo,
    WeightError,
    get_version,
    set_weights,
)
from bot.rendering.admin_rubric_edit import (
    RUBRIC_EDIT_CALLBACK,
    WEIGHT_ACTION,
    opened_version,
    read_weights,
    rubric_edit_errors,
    rubric_edit_view,
    weight_block_id,
)
from bot.rendering.admin_versions import render_change
from bot.services import Services
from evaluation.rubric import TOTAL_WEIGHT, Rubric
from handlers.admin.uploads import after_ack, post_dm

log = logging.getLogger(__name__)


async def _opened_rubric(services: Services, view: dict[str, Any]) -> VersionInfo[Rubric] | None:
    version = opened_version(str(view.get("private_metadata") or ""))
    if version is None:
        return None
    try:
        return await get_version(services.database, RUBRIC, version)
    except UnknownVersionError:
        return None


def _problem(info: VersionInfo[Rubric], weights: dict[str, int | None]) -> tuple[str, str] | None:
    """(block id, message) for the first thing wrong with the typed weights."""
    criteria = info.document.criteria
    for criterion in criteria:
        if weights.get(criterion.key) is None:
            return weight_block_id(criterion.key), "Enter a whole number from 1 to 100."
    total = sum(w for w in weights.values() if w is not None)
    if total != TOTAL_WEIGHT:
        return (
            weight_block_id(criteria[0].key),
            f"The weights sum to {total}; they must sum to {TOTAL_WEIGHT}. Nothing was saved.",
        )
    return None


def register(app: AsyncApp, services: Services) -> None:
    async def on_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user = str(body["user"]["id"])
        info = await _opened_rubric(services, view)
        if info is None:
            await ack()
            return
        first = weight_block_id(info.document.criteria[0].key)
        if not await is_admin(services, user):
            await ack(**rubric_edit_errors(first, "Only Memo Coach admins can change weights."))
            return
        weights = read_weights(view["state"]["values"], info.document)
        problem = _problem(info, weights)
        if problem is not None:
            await ack(**rubric_edit_errors(*problem))
            return
        try:
            change = await set_weights(
                services.database,
                {key: w for key, w in weights.items() if w is not None},
                author=user,
                via="edit form",
                expected_version=info.version,
            )
        except StaleVersion as stale:
            message = f"The rubric changed to v{stale.current} since this form opened: reopen it."
            await ack(**rubric_edit_errors(first, message))
            return
        except WeightError as exc:
            await ack(**rubric_edit_errors(first, str(exc)))
            return
        await ack()
        after_ack(post_dm(client, user, render_change(change, source="edit form")), what="edit")

    async def on_weight_typed(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Refresh the running sum in every field's hint."""
        await ack()
        view = body.get("view") or {}
        user = str((body.get("user") or {}).get("id") or "")
        info = await _opened_rubric(services, view)
        if info is None or not await is_admin(services, user):
            return
        typed = read_weights((view.get("state") or {}).get("values") or {}, info.document)
        try:
            await client.views_update(
                view_id=view["id"],
                hash=view.get("hash"),
                view=rubric_edit_view(info.document, info.version, typed),
            )
        except SlackApiError as exc:  # hash_conflict: a newer update is on its way
            log.info("weights form not refreshed: %s", exc.response.get("error"))

    app.view(RUBRIC_EDIT_CALLBACK)(on_submit)
    app.action(WEIGHT_ACTION)(on_weight_typed)
