"""The capacity capability: how much each person can work, how full their weeks are, and who hears of over-booking.
One declaration, `capability` (declaration.py); each module adds what it handles to it, next to the handler:

- audience.py: whose load a reader may see (coordinator: their projects' people; manager: their domains'; admin: all);
- occupancy.py: `bezetting` / `capacity`, people x weeks with a heatmap;
- available.py: `beschikbaar` / `available`, who is free enough in a week, and adding them to a team;
- my_week.py: `mijn week` / `my week`;
- notices.py: the weekly over-booking notice (proactive) and the managers' digest section;
- export_planning.py: `export planning` as XLSX (also `projectbot export planning`).

Availability itself is set in settings (dialogs/settings), on the roles card (dialogs/people) and by `projectbot
import people`; the load is read by dialogs/kernel/capacity.py, shared with planning by week (dialogs/timelog)."""

from __future__ import annotations

# Imported for their declarations, in menu order (not sorted by name).
# isort: off
from dialogs.capacity import occupancy  # noqa: F401
from dialogs.capacity import available  # noqa: F401
from dialogs.capacity import my_week  # noqa: F401
from dialogs.capacity import notices  # noqa: F401
from dialogs.capacity import export_planning  # noqa: F401

# isort: on
from dialogs.capacity.declaration import capability

__all__ = ["capability"]
