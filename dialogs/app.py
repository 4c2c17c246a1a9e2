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
    return router


def build_proactive_cards() -> ProactiveCards:
    """The renderers of every capability's proactive messages, by builder name."""
    cards = ProactiveCards()
    for name, renderer in status.RENDERERS.items():
        cards.register(name, renderer)
    return cards
