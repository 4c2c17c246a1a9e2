"""The lists capability: the administrator's lists projects choose from, the policy domains (in Dutch and English)
and the local governments (with their kind, chosen or guessed from the name: domain/governments.py), added and
changed from cards.

Where each part lives: domains.py and governments.py, each command and card verb declared on `capability`
(declaration.py) next to its handler; common.py holds who may change the lists and what a change says. The verbs'
contracts are in cards/lists.py, next to the cards that carry the buttons."""

from __future__ import annotations

from dialogs.lists import domains, governments
from dialogs.lists.declaration import capability

__all__ = ["capability", "domains", "governments"]
