"""The people capability: each person's own data (GDPR: "my data" sends it as JSON and CSV, "forget me" erases it
after a confirmation only they can press) and the administrator's roles card (granting and revoking roles, the
domains a manager manages).

Where each part lives: own_data.py and roles.py, each command and card verb declared on `capability`
(declaration.py) next to its handler; the verbs' contracts are in cards/people.py, next to the cards that carry the
buttons."""

from __future__ import annotations

from dialogs.people import own_data, roles
from dialogs.people.declaration import capability

__all__ = ["capability", "own_data", "roles"]
