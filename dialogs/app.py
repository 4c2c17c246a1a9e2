"""Assembles the router from every capability module; the one place that lists what the bot can do."""

from __future__ import annotations

from dialogs import core, people, proactive, projects
from dialogs.router import Router


def build_router() -> Router:
    router = Router()
    core.register(router)
    proactive.register(router)
    projects.register(router)
    people.register(router)
    return router
