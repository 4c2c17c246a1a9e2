"""The available cards of the capacity capability (pure): who has enough unplanned hours in a week, each with a
button to add them to a team, and the follow-up card that asks which of the asker's projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import (
    ActionSet,
    CardElement,
    Column,
    ColumnSet,
    Container,
    TextBlock,
    TextInput,
)

from cards.base import PROJECTS_DATASET, card, field_error, heading, minutes_text, paragraph, picker, submit
from cards.capacity.common import week_name
from cards.i18n import Translator
from cards.payloads import Id, Payload, Reference, StoredIn

ROLE_MAX = 128  # team_member.role


class OpenAddToTeam(Payload):
    """'Toevoegen aan team' under a free person: the card that asks to which of the presser's projects."""

    VERB: ClassVar[str] = "capacity.add_form"
    person: Id


class AddToTeam(Payload):
    """The project chosen (its code) for the person, with their role in it (optional)."""

    VERB: ClassVar[str] = "capacity.add_to_team"
    person: Id
    code: Reference = ""
    role: Annotated[str, StoredIn("team_member.role", ROLE_MAX)] = ""


@dataclass(frozen=True)
class FreePerson:
    person_id: int
    name: str
    free: int  # unplanned minutes that week


@dataclass(frozen=True)
class AvailableView:
    monday: date
    minutes: int  # the hours asked for, in minutes
    people: tuple[FreePerson, ...]  # most free first, the ones shown
    more: int  # found but not shown (the card stays small)
    unknown: int  # people in the population whose availability is not known (never counted as free)
    domain: str | None = None  # the domain's name when narrowed to one


def build_available_card(view: AvailableView, t: Translator) -> dict[str, Any]:
    week = week_name(view.monday, t)
    hours = minutes_text(view.minutes, t)
    body: list[CardElement] = [heading(t("capacity.available.title", hours=hours, week=week))]
    if view.domain:
        body.append(paragraph(t("capacity.available.domain", domain=view.domain), subtle=True))
    if not view.people:
        body.append(paragraph(t("capacity.available.none")))
    body.extend(_person(person, t) for person in view.people)
    if view.more:
        body.append(paragraph(t("capacity.available.more", count=view.more), subtle=True))
    if view.unknown:
        body.append(paragraph(t("capacity.available.unknown", count=view.unknown), subtle=True))
    return card(body)


def _person(person: FreePerson, t: Translator) -> Container:
    """One person at phone width: name and free hours on a line, the button under them."""
    line = ColumnSet(
        columns=[
            Column(width="stretch", items=[TextBlock(text=person.name, weight="Bolder", wrap=True)]),
            Column(
                width="auto",
                items=[TextBlock(text=t("capacity.available.free", hours=minutes_text(person.free, t)), color="Good")],
            ),
        ]
    )
    button = ActionSet(actions=[submit(t("capacity.available.add"), OpenAddToTeam, person=person.person_id)])
    return Container(separator=True, items=[line, button])


@dataclass(frozen=True)
class TeamChoice:
    """The follow-up card: to which of the asker's ongoing projects to add this person."""

    person_id: int
    name: str
    projects: tuple[tuple[str, str], ...]  # (code, name)
    code: str = ""
    role: str = ""
    error: str = ""


def build_add_to_team_card(choice: TeamChoice, t: Translator) -> dict[str, Any]:
    body: list[CardElement] = [heading(t("capacity.available.add_title", name=choice.name))]
    if choice.error:
        body.append(field_error(choice.error))
    body.append(
        picker(
            "code",
            t("capacity.available.project"),
            [(code, f"{code} · {name}") for code, name in choice.projects],
            dataset=PROJECTS_DATASET,
            value=choice.code or choice.projects[0][0],
        )
    )
    body.append(
        TextInput(
            id="role",
            label=t("capacity.available.role"),
            placeholder=t("capacity.available.role.placeholder"),
            max_length=ROLE_MAX,
            value=choice.role,
        )
    )
    return card(body, [submit(t("capacity.available.add_save"), AddToTeam, person=choice.person_id)])
