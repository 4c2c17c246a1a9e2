"""Outlook calendars through Microsoft Graph, app-only: the meeting import's CalendarSource over HTTP.

The access token comes from msal (client credentials, `{graph}/.default`), which is synchronous and does its own
HTTP (authority discovery in the constructor, then the token request): both run in the network worker thread
(bot.connector.run_blocking_network_call), never on the event loop. msal keeps the token in its in-memory cache
until shortly before it expires. Graph itself is read with the process's one aiohttp session.

Tests give msal an `http_client` (requests-like) and point authority and Graph at a local fake (tests/fake_graph.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import msal

from bot.connector import run_blocking_network_call
from bot.settings import Settings
from dialogs.kernel.calendar_source import CalendarError

log = logging.getLogger(__name__)

_EVENT_FIELDS = (
    "id,subject,type,start,end,isAllDay,isCancelled,recurrence,location,onlineMeeting,"
    "originalStartTimeZone,originalEndTimeZone"
)
_INSTANCE_FIELDS = "id,type,start,end,originalStart,isCancelled"
MAX_PAGES = 10
RETRYABLE = frozenset({429, 502, 503, 504})


class GraphCalendar:
    """Implements dialogs.kernel.calendar_source.CalendarSource."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        graph_url: str = "https://graph.microsoft.com",
        authority_url: str = "https://login.microsoftonline.com",
        http_client: Any = None,
        timeout_seconds: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._graph_url = graph_url.rstrip("/")
        self._authority = f"{authority_url.rstrip('/')}/{tenant_id}"
        self._http_client = http_client
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._sleep = sleep
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    # Token (worker thread) ------------------------------------------------------------------------------

    def _msal_app(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._app is None:
                options: dict[str, Any] = {}
                if self._http_client is not None:
                    # A test's fake authority is not one Microsoft knows: no instance discovery, no validation.
                    options = {"http_client": self._http_client, "instance_discovery": False}
                    options["validate_authority"] = False
                self._app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._client_secret,
                    authority=self._authority,
                    **options,
                )
            return self._app

    def _token(self) -> str:
        try:
            result = self._msal_app().acquire_token_for_client(scopes=[f"{self._graph_url}/.default"])
        except Exception as exc:  # discovery or network failures surface as anything from ValueError to OSError
            with self._lock:
                self._app = None  # try the authority again next time
            raise CalendarError("token", f"{type(exc).__name__}: {exc}") from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error = result.get("error", "?") if isinstance(result, dict) else "?"
            description = (result.get("error_description") or "") if isinstance(result, dict) else ""
            raise CalendarError("token", f"{error}: {description.splitlines()[0] if description else ''}")
        return str(token)

    # Graph (event loop) ---------------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, str] | None = None) -> str:
        url = f"{self._graph_url}/v1.0{path}"
        return f"{url}?{urlencode(params, quote_via=quote, safe='$,')}" if params else url

    async def _get(self, url: str) -> dict[str, Any]:
        token = await run_blocking_network_call(self._token)
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            # Start and end in UTC for every event; the series' own zone comes from its recurrence range.
            "Prefer": 'outlook.timezone="UTC"',
        }
        for attempt in range(3):
            try:
                async with self._session.get(url, headers=headers, timeout=self._timeout) as response:
                    if response.status in RETRYABLE and attempt < 2:
                        await self._sleep(_retry_after(response.headers.get("Retry-After"), attempt))
                        continue
                    if response.status == 404:
                        raise CalendarError("not_found", "HTTP 404")  # the URL names the mailbox: not for logs
                    if response.status in (401, 403):
                        raise CalendarError("forbidden", f"HTTP {response.status}")
                    if response.status >= 400:
                        raise CalendarError("unavailable", f"HTTP {response.status}")
                    body = await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise CalendarError("unavailable", type(exc).__name__) from exc
            if not isinstance(body, dict):
                raise CalendarError("unavailable", "not a JSON object")
            return body
        raise CalendarError("unavailable", "throttled")

    async def _pages(self, url: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                break
            body = await self._get(next_url)
            found.extend(item for item in body.get("value") or [] if isinstance(item, dict))
            link = body.get("@odata.nextLink")
            next_url = link if isinstance(link, str) and link.startswith(self._graph_url) else None
        return found

    def _user(self, mailbox: str) -> str:
        return f"/users/{quote(mailbox, safe='@')}"

    async def series_masters(self, mailbox: str) -> list[dict[str, Any]]:
        params = {"$filter": "type eq 'seriesMaster'", "$select": _EVENT_FIELDS, "$top": "50"}
        return await self._pages(self._url(f"{self._user(mailbox)}/events", params))

    async def event(self, mailbox: str, event_id: str) -> dict[str, Any] | None:
        url = self._url(f"{self._user(mailbox)}/events/{quote(event_id, safe='')}", {"$select": _EVENT_FIELDS})
        try:
            return await self._get(url)
        except CalendarError as error:
            if error.reason == "not_found":
                return None
            raise

    async def instances(self, mailbox: str, event_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        params = {
            "startDateTime": _stamp(start),
            "endDateTime": _stamp(end),
            "$select": _INSTANCE_FIELDS,
            "$top": "100",
        }
        path = f"{self._user(mailbox)}/events/{quote(event_id, safe='')}/instances"
        return await self._pages(self._url(path, params))


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retry_after(value: str | None, attempt: int) -> float:
    try:
        return min(max(float(value or ""), 0.0), 30.0)
    except ValueError:
        return float(2**attempt)


def build_graph_calendar(settings: Settings, session: aiohttp.ClientSession) -> GraphCalendar | None:
    """The calendar the meeting import reads, or None when Graph credentials are not configured."""
    credentials = settings.graph_credentials()
    if credentials is None:
        return None
    tenant, client_id, secret = credentials
    return GraphCalendar(
        session,
        tenant_id=tenant,
        client_id=client_id,
        client_secret=secret,
        graph_url=settings.graph_url,
        authority_url=settings.graph_authority,
    )
