"""What both list cards share: who may change the lists, and what a change says."""

from __future__ import annotations

from cards.i18n import Translator
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.turn import Request, Services, Stop
from dialogs.kernel.who import me, refusal
from storage.lists import ListChange


def lists_manager(request: Request, services: Services) -> int:
    """The id of the person asking, when they may manage the lists; raises Stop with the refusal otherwise."""
    who = me(request, services)
    decision = allowed(who.actor(), Action.MANAGE_LISTS)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return who.id


def said(change: ListChange, t: Translator) -> str:
    """Adding a name that is already there is no error: a card pressed twice has already done its work."""
    key = {
        "added": "lists.added",
        "changed": "lists.changed",
        "exists": "lists.already",
        "unchanged": "lists.unchanged",
    }
    name = change.clash if change.outcome == "exists" else change.name
    return t(key.get(change.outcome, "lists.unchanged"), name=name)
