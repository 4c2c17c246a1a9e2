"""The Bot Framework CloudAdapter, configured from Settings, with the SDK 4.17.1 per-turn costs removed."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ResourceResponse

from bot.connector import ProjectBotAuthentication, RetryPolicy, remove_msrest_retry_policy_cost
from bot.delivery.failures import ReplyUndeliverable, undeliverable
from bot.log_safety import safe_traceback
from bot.settings import AppType, Settings

log = logging.getLogger(__name__)


class SdkConfiguration:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.app_id
        self.APP_PASSWORD = settings.app_password
        # Without an app id (local --dev only) the SDK accepts anonymous traffic only as "MultiTenant".
        self.APP_TYPE = settings.app_type.value if settings.app_id else AppType.MULTI_TENANT.value
        self.APP_TENANTID = settings.app_tenant_id


def build_adapter(
    settings: Settings,
    session: aiohttp.ClientSession,
    *,
    retry: RetryPolicy | None = None,
    **auth_kwargs: Any,
) -> CloudAdapter:
    """auth_kwargs reach ConfigurationBotFrameworkAuthentication (tests pass a credentials factory)."""
    remove_msrest_retry_policy_cost()
    authentication = ProjectBotAuthentication(
        SdkConfiguration(settings), session=session, retry=retry or RetryPolicy(), **auth_kwargs
    )
    adapter = ProjectBotAdapter(authentication)
    adapter.on_turn_error = _on_turn_error
    return adapter


class ProjectBotAdapter(CloudAdapter):  # type: ignore[misc]
    """The SDK's adapter, saying which failures were the connector not taking a reply (ReplyUndeliverable): the
    turn handler logs those in one line instead of a chain of tracebacks through aiohttp and msrest."""

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        try:
            responses: list[ResourceResponse] = await super().send_activities(context, activities)
        except Exception as exc:
            failure = undeliverable(exc, context.activity.service_url if context.activity else None)
            if failure is None:
                raise
            raise failure from exc
        return responses


async def _on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    # ProjectBot.on_turn answers the user itself; this only catches failures while sending that answer.
    if isinstance(error, ReplyUndeliverable):
        log.warning("reply undeliverable (activity %s): %s", turn_context.activity.id, error)
        log.debug("reply undeliverable (activity %s)\n%s", turn_context.activity.id, safe_traceback(error))
        return
    log.error("unhandled error in turn %s\n%s", turn_context.activity.id, safe_traceback(error))
