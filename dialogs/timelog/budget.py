"""A project's hours against its budget: the `budget DT-042` card (everyone's hours for those who may see them,
one's own otherwise) with the burn chart, the burn warning's button that opens it, and the chart the project card
shows (the Slot.PROJECT_CARD section)."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date
from typing import Any

from cards.i18n import Translator
from cards.timelog import HoursPayload, PersonHours, ProjectHoursView, build_project_hours_card
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.project_chart import draw_burn_chart
from dialogs.kernel.registry import Slot
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import find_project, me, refusal
from dialogs.timelog.burn_warning import burn_view
from dialogs.timelog.declaration import capability
from domain.projects import ProjectFacts
from storage.time_entries import TimeEntryRepository

# The chart's data URI may take this much of the card's 28 KB; a larger one is left out (the facts still say it all).
CHART_URI_MAX = 18_000


def hours_view(services: Services, project: ProjectFacts, today: date, *, people_of: int | None) -> ProjectHoursView:
    """people_of: only this person's line (None: everyone's). The project's totals are everyone's lines summed (every
    entry has its person), whoever may see them."""
    lines = TimeEntryRepository(services.db).per_person(project.id)
    people = [
        PersonHours(name, planned_minutes, performed_minutes)
        for person_id, name, planned_minutes, performed_minutes in lines
        if people_of is None or person_id == people_of
    ]
    spent = sum(performed for _id, _name, _planned, performed in lines)
    planned = sum(planned for _id, _name, planned, _performed in lines)
    return burn_view(services, project, spent, today, planned_minutes=planned, people=people)


@capability.command("budget", takes_project=True, en=("budget", "hours"), nl=("budget",))
def project_hours(request: Request, services: Services, rest: str) -> Reply:
    found = find_project(request, services, rest, "budget")
    who = me(request, services)
    actor = who.actor(found)
    decision = allowed(actor, Action.VIEW_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    everyone = allowed(actor, Action.VIEW_TIME_OF_OTHER).allowed
    today = today_for(request, services)
    view = hours_view(services, found, today, people_of=None if everyone else who.id)
    chart = burn_chart_uri(services, found, today, request.t)
    return Reply.card(build_project_hours_card(replace(view, chart_uri=chart), request.t))


@capability.verb(HoursPayload)
def open_hours(request: Request, services: Services, payload: HoursPayload) -> Reply:
    """The burn warning's button."""
    return project_hours(request, services, payload.code)


@capability.section(Slot.PROJECT_CARD)
def project_card_chart(request: Request, services: Services, project: ProjectFacts, today: date) -> dict[str, Any]:
    """The project card's burn chart; nothing when it cannot be drawn now or would not fit."""
    uri = burn_chart_uri(services, project, today, request.t)
    return {"chart_uri": uri} if uri is not None else {}


def burn_chart_uri(services: Services, project: ProjectFacts, today: date, t: Translator) -> str | None:
    """The burn chart as a data URI for the card, or None when it would not leave room for the rest of the card.

    A data URI rather than a link served by the bot: measured at 7-10.5 KB in base64 for the 800x500 Pillow chart
    (no entries to a year and a half of them), it fits the 28 KB card limit next to the facts and about 40 people
    (a card it would push over is sent without it: cards.timelog.build_project_hours_card), needs no public
    image route (Teams fetches card images without the bot's credentials, so a per-person signed link would show
    to nobody else in a channel) and never expires in the chat history."""
    png = draw_burn_chart(services, project, today, t)
    if png is None:
        return None
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return uri if len(uri) <= CHART_URI_MAX else None
