"""The one place that lists what the bot can do: its capabilities, in menu order. Everything else (the router, the
proactive renderers, the scheduled jobs, the card sections and hooks) is assembled from their declarations."""

from __future__ import annotations

from functools import cache

from dialogs import (
    capacity,
    handover,
    lists,
    meetings,
    people,
    proactive,
    projects,
    settings,
    status,
    timelog,
)
from dialogs.kernel.registry import Event, Registry
from dialogs.kernel.router import Router
from dialogs.kernel.turn import Services
from dialogs.proactive import ProactiveCards

CAPABILITIES = (
    settings.capability,
    proactive.capability,
    projects.capability,
    people.capability,
    lists.capability,
    timelog.capability,
    capacity.capability,
    status.capability,
    handover.capability,
    meetings.capability,
)


@cache
def build_registry() -> Registry:
    """Built once per process: the declarations do not change after start-up."""
    return Registry(CAPABILITIES)


def build_router() -> Router:
    return build_registry().router()


def build_proactive_cards() -> ProactiveCards:
    """The renderers of every capability's proactive messages, by builder name."""
    registry = build_registry()
    return ProactiveCards(registry.renderers(), registry.refreshers())


def catch_up_linked_person(services: Services, person_id: int) -> int:
    """Someone named by e-mail before they talked to the bot (imports, forms) has just been linked to their Teams
    identity: send what the capabilities owed them and could not deliver then. Returns outbox rows queued."""
    return sum(build_registry().answers(Event.PERSON_LINKED, services, person_id=person_id))
