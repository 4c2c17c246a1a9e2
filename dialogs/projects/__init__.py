"""The projects capability: one's list of projects, a project's card, creating and editing projects, their team
members and phase, and the portfolio import from a spreadsheet.

Where each part lives: show.py (the list, the project card with the sections other capabilities add through
Slot.PROJECT_CARD), form.py (the new/edit project form and saving it), team.py (team members and phase; a project
closing is told to the others through Event.PROJECT_CLOSING), project_import.py (reading and checking the CSV/XLSX
file that `projectbot import` imports). The card verbs' contracts are in cards/projects.py, next to the cards that
carry the buttons; every command and verb is declared on `capability` (declaration.py) next to its handler. A project
is one value, domain/projects.py (ProjectFacts, which storage returns and the card renders, beside what is one
reader's: cards.projects.ProjectCardExtras); every write is one ProjectRepository method (storage/projects.py; the
import's transaction is storage/project_import.py), none opens a session here. The "which project?" choice is the
router's (dialogs/kernel/router.py)."""

from __future__ import annotations

from dialogs.projects import form, show, team, typeahead
from dialogs.projects.declaration import capability

__all__ = ["capability", "form", "show", "team", "typeahead"]
