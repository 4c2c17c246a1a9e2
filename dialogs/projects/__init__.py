"""The projects capability: one's list of projects, a project's card, creating and editing projects, their team
members and phase, the "which project?" choice, and the portfolio import from a spreadsheet.

Where each part lives: show.py (the list, the project card with the sections other capabilities add through
Slot.PROJECT_CARD, the "which project?" choice), form.py (the new/edit project form and saving it), team.py (team
members and phase; a project closing is told to the others through Event.PROJECT_CLOSING), project_import.py (the
CSV/XLSX import that `projectbot import` runs). The card verbs' contracts are in cards/projects.py, next to the
cards that carry the buttons; every command and verb is declared on `capability` (declaration.py) next to its
handler."""

from __future__ import annotations

from dialogs.projects import form, show, team
from dialogs.projects.declaration import capability

__all__ = ["capability", "form", "show", "team"]
