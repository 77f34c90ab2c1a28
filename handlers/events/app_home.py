"""`app_home_opened`: publish the Home tab with the user's current progress."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import is_admin
from bot.rendering.home import render_home
from bot.services import Services
from storage.repositories.progress import user_progress
from storage.repositories.rubrics import active_rubric
from storage.repositories.users import get_user_by_slack_id


def register(app: AsyncApp, services: Services) -> None:
    async def on_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") not in (None, "home") or not event.get("user"):
            return
        user_id = str(event["user"])
        async with services.database.session() as session:
            rubric = await active_rubric(session)
            user = await get_user_by_slack_id(session, user_id)
            progress = None if user is None else await user_progress(session, user.id)
        view = render_home(
            progress, rubric.rubric, rubric.version, is_admin=await is_admin(services, user_id)
        )
        await client.views_publish(user_id=user_id, view=view)

    app.event("app_home_opened")(on_home_opened)
