"""The settings capability: each person's own settings (language, time zone, name, a contact address, and their
choice of the reminder to log time; sending that reminder is the time capability's job). The help menu is the
router's own (dialogs/kernel/router.py).

Where each part lives: form.py (the settings form and saving it), nudge_choice.py (the reminder's part of the
form); each command and card verb is declared on `capability` (declaration.py) next to its handler, and the
form's contract is in cards/settings.py, next to the card."""

from __future__ import annotations

from dialogs.settings import form
from dialogs.settings.declaration import capability

__all__ = ["capability", "form"]
