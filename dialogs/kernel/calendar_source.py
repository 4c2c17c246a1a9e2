"""What the meeting import needs from an Outlook calendar (Microsoft Graph); bot.graph implements it over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class CalendarError(Exception):
    """The calendar could not be read. `reason`: token (no access token: credentials, tenant, network to Entra),
    forbidden (no Calendars.Read permission or mailbox not allowed), not_found (mailbox or event), unavailable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class CalendarSource(Protocol):
    """Graph's event resources as JSON dicts; every call may raise CalendarError."""

    async def series_masters(self, mailbox: str) -> list[dict[str, Any]]:
        """The mailbox's recurring series (type seriesMaster) with subject, start, end, recurrence, location."""
        ...

    async def event(self, mailbox: str, event_id: str) -> dict[str, Any] | None:
        """One event, or None when it no longer exists."""
        ...

    async def instances(self, mailbox: str, event_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The occurrences and exceptions of a series master between two aware instants (start in UTC)."""
        ...
