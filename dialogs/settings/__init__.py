"""The settings capability: each person's own settings (language, time zone, name, a contact address, and their
choice of the reminder to log time; sending that reminder is the time capability's job). The help menu is the
router's own (dialogs/kernel/router.py).

Where each part lives: form.py (the settings form and saving it), nudge_choice.py (the reminder's part of the
form), language_offer.py (the answer to the offer, made by the kernel, to keep the language typed); each command
and card verb is declared on `capability` (declaration.py) next to its handler, and the forms' contracts are in
cards/settings.py, next to the cards."""

from __future__ import annotations

from dialogs.settings import form, language_offer
from dialogs.settings.declaration import capability

__all__ = ["capability", "form", "language_offer"]
