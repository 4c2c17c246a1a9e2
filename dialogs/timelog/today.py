"""The asker's today: the calendar day it is in their time zone (the request's, else the bot's default)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from dialogs.kernel.turn import Request, Services


def local_today(request: Request, services: Services) -> date:
    try:
        zone = ZoneInfo(request.timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo(services.default_timezone)
    return services.clock.now().astimezone(zone).date()
