"""`beschikbaar 16u week 3` / `available 16h week 3`: who has that many unplanned hours that week, with a button
to add them to a project team."""

from __future__ import annotations
