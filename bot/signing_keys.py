"""Keeps the Bot Framework token-signing keys fresh off the event loop.

botbuilder 4.17.1 refreshes its cached OpenID keys inside the token check, with blocking `requests` calls without a
timeout, on the event loop: once a day, and at most hourly when a token names an unknown key. A slow Microsoft
endpoint would stall every conversation. Refreshing them here, in a worker thread, well before they are a day old,
means the check itself never has to.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from bot.connector import run_blocking_network_call

log = logging.getLogger(__name__)

# The public cloud's Bot Connector keys (the government clouds would add theirs here).
METADATA_URLS = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,)
REFRESH_EVERY_HOURS = 12


def _refresh_blocking(url: str) -> None:
    metadata = JwtTokenExtractor.get_open_id_metadata(url)
    # `_refresh` is declared async but does only blocking I/O; give it a loop of its own in this thread.
    asyncio.run(metadata._refresh())


async def refresh_signing_keys() -> None:
    for url in METADATA_URLS:
        try:
            await run_blocking_network_call(partial(_refresh_blocking, url))
        except Exception as exc:  # keep the old keys; the SDK retries on its own schedule as a last resort
            log.warning("could not refresh Bot Framework signing keys from %s: %s", url, exc)
        else:
            log.info("refreshed Bot Framework signing keys from %s", url)
