"""Assembles the router from every capability module; the one place that lists what the bot can do."""

from __future__ import annotations

from dialogs import (
    core,
    handover,
    lists,
    meeting_import,
    meetings,
    nudges,
    people,
    proactive,
    projects,
    status,
    timelog,
)
from dialogs.proactive import ProactiveCards
from dialogs.router import Router
from dialogs.turn import Services


def build_router() -> Router:
    router = Router()
    core.register(router)
    proactive.register(router)
    projects.register(router)
    people.register(router)
    lists.register(router)
    timelog.register(router)
    nudges.register(router)
    status.register(router)
    handover.register(router)
    meetings.register(router)
    meeting_import.register(router)
    router.check_rules()  # a command or verb without a permission rule stops the bot here (dialogs/access.py)
    return router


def build_proactive_cards() -> ProactiveCards:
    """The renderers of every capability's proactive messages, by builder name."""
    cards = ProactiveCards()
    for name, renderer in status.RENDERERS.items():
        cards.register(name, renderer)
    return cards


def catch_up_linked_person(services: Services, person_id: int) -> int:
    """Someone named by e-mail before they talked to the bot (imports, forms) has just been linked to their Teams
    identity: send what the capabilities owed them and could not deliver then. Returns outbox rows queued."""
    return handover.inform_newly_reachable(services.db, person_id, services.clock.now(), services.default_timezone)
