"""`mijn week` / `my week`: my availability, plans and leave for this week and the next."""

from __future__ import annotations
