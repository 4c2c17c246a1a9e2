"""People cards: the admin's roles card (with setting someone's availability), the own-data summary and the erase
confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from microsoft_teams.cards.core import (
    ActionSet,
    Choice,
    ChoiceSetInput,
    Container,
    Fact,
    FactSet,
    TextBlock,
    ToggleVisibilityAction,
)

from cards.base import card, field_error, heading, paragraph, person_fields, submit
from cards.i18n import Translator
from cards.payloads import Payload
from cards.settings import AvailabilitySection, availability_inputs

ROLES = ("admin", "manager", "coordinator", "member")


class SaveRoles(Payload):
    """The roles card: grant or revoke a role (its inputs arrive as strings, "" when left empty)."""

    VERB: ClassVar[str] = "roles.save"
    operation: Literal["grant", "revoke"] = "grant"
    person: str = ""  # the picker's choice
    person_new: str = ""  # typed under the picker: someone not in its list (wins over the choice)
    role: str = ""  # one of ROLES; anything else comes back as the form's error
    domains: str = ""  # the chosen domains' ids, comma-separated


class SetAvailability(Payload):
    """The roles card's availability part: someone's hours per week and working days ("" hours: unknown)."""

    VERB: ClassVar[str] = "roles.availability"
    availability_person: str = ""
    availability_person_new: str = ""
    hours: str = ""
    days: str = ""  # the chosen days' keys, comma-separated ("mon,tue,...")


AVAILABILITY_FIELDS = ("availability_person", "hours", "days")
AVAILABILITY_SECTION_ID = "availability-section"


class ConfirmForget(Payload):
    VERB: ClassVar[str] = "privacy.forget"
    token: str = ""  # ties the card to the person it was shown to


class CancelForget(Payload):
    VERB: ClassVar[str] = "privacy.forget_cancel"


@dataclass(frozen=True)
class RoleHolder:
    name: str
    email: str | None
    roles: tuple[str, ...]
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class RolesForm:
    holders: list[RoleHolder]
    domains: list[tuple[str, str]]  # (id, name)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    people: list[tuple[str, str]] = field(default_factory=list)  # (value, title): the colleagues to pick from


def build_roles_card(form: RolesForm, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("roles.title")), paragraph(t("roles.intro"), subtle=True)]
    facts = []
    for holder in form.holders[:60]:
        label = holder.name or holder.email or "?"
        roles = ", ".join(t(f"role.{role}") for role in holder.roles)
        if holder.domains:
            roles += f" ({', '.join(holder.domains)})"
        facts.append(Fact(title=label, value=roles))
    body.append(FactSet(facts=facts) if facts else paragraph(t("roles.none"), subtle=True))
    if form.errors:
        body.append(field_error(t("form.errors_below")))
    v = form.values
    body.extend(person_fields(t("roles.person"), form.people, v, t, error=form.errors.get("person")))
    body.append(
        ChoiceSetInput(
            id="role",
            label=t("roles.role"),
            style="compact",
            value=v.get("role") or "coordinator",
            choices=[Choice(title=t(f"role.{role}"), value=role) for role in ROLES],
        )
    )
    if "role" in form.errors:
        body.append(field_error(form.errors["role"]))
    body.append(
        ChoiceSetInput(
            id="domains",
            label=t("roles.domains"),
            is_multi_select=True,
            style="expanded",
            value=v.get("domains") or None,
            choices=[Choice(title=name, value=value) for value, name in form.domains],
        )
    )
    body.append(
        ActionSet(
            actions=[
                submit(t("roles.grant"), SaveRoles, operation="grant"),
                submit(t("roles.revoke"), SaveRoles, operation="revoke"),
            ]
        )
    )
    body.extend(_availability_section(form, t))
    return card(body)


def _availability_section(form: RolesForm, t: Translator) -> list[Any]:
    """Someone's hours per week and working days, folded until tapped (open when it comes back with an error)."""
    v, errors = form.values, form.errors
    opened = any(name in errors for name in AVAILABILITY_FIELDS)
    section = AvailabilitySection(
        v.get("hours", ""), tuple(d for d in v.get("days", "mon,tue,wed,thu,fri").split(",") if d)
    )
    items: list[Any] = [
        paragraph(t("roles.availability.intro"), subtle=True),
        *person_fields(
            t("roles.person"), form.people, v, t, name="availability_person", error=errors.get("availability_person")
        ),
    ]
    items.extend(availability_inputs(section, errors, t))
    items.append(ActionSet(actions=[submit(t("roles.availability.save"), SetAvailability)]))
    title = t("roles.availability.title")
    return [
        Container(
            separator=True,
            spacing="Large",
            select_action=ToggleVisibilityAction(title=title, target_elements=[AVAILABILITY_SECTION_ID]),
            items=[TextBlock(text=f"{title} ▾", weight="Bolder", wrap=True, color="Accent")],
        ),
        Container(id=AVAILABILITY_SECTION_ID, is_visible=opened, items=items),
    ]


def build_my_data_card(sections: list[tuple[str, int]], t: Translator, *, files: tuple[str, ...]) -> dict[str, Any]:
    """What is stored about the person, counted per kind; the full data comes with it as JSON and CSV."""
    body: list[Any] = [heading(t("mydata.title")), paragraph(t("mydata.intro"))]
    body.append(FactSet(facts=[Fact(title=t(f"mydata.section.{name}"), value=str(count)) for name, count in sections]))
    body.append(paragraph(t("mydata.files", files=", ".join(files)), subtle=True))
    body.append(paragraph(t("mydata.forget_hint"), subtle=True))
    return card(body)


def build_forget_card(t: Translator, *, token: str) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("forget.title")),
        paragraph(t("forget.what")),
        paragraph(t("forget.kept"), subtle=True),
    ]
    return card(
        body,
        [
            submit(t("forget.confirm"), ConfirmForget, token=token),
            submit(t("forget.cancel"), CancelForget),
        ],
    )
