"""Project cards: the project's facts, the list of one's projects, the project form, team member and phase forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from babel.dates import format_date
from microsoft_teams.cards.core import (
    ActionSet,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    Fact,
    FactSet,
    Image,
    TextBlock,
    TextInput,
    ToggleInput,
)
from pydantic import Field

from cards.base import card, field_error, heading, hours_text, paragraph, person_fields, submit
from cards.i18n import Translator
from cards.payloads import Id, Payload, Prose, StoredIn
from domain.projects import ProjectFacts

PHASES = ("analysis", "execution", "implementation", "handover", "after_care", "closed")
STATES = ("active", "on_hold", "closed")

# A project as a card names it: its code, or its name (at most 200 characters).
Reference = Annotated[str, Field(max_length=200)]


# The contracts of the project cards' buttons ----------------------------------------------------------------------


class ChooseProject(Payload):
    """The "which project?" card: run the command asked for again, with the chosen project's code."""

    VERB: ClassVar[str] = "lookup.choose"
    command: str = Field(max_length=40)
    code: Reference


class OpenProject(Payload):
    VERB: ClassVar[str] = "projects.open"
    code: Reference


class EditProject(Payload):
    VERB: ClassVar[str] = "projects.edit"
    code: Reference


class OpenMemberForm(Payload):
    VERB: ClassVar[str] = "projects.member_form"
    code: Reference


class OpenPhaseForm(Payload):
    VERB: ClassVar[str] = "projects.phase_form"
    code: Reference


class ProjectsPage(Payload):
    """A page of one person's list of projects."""

    VERB: ClassVar[str] = "projects.page"
    page: int = 1
    owner: Id | None = None  # whose list it is (dialogs/kernel/owned.py)


class SaveProject(Payload):
    """The new/edit project form. Its inputs arrive as strings ("" when left empty); the form is checked field by
    field when it is saved (dialogs/projects/form.py)."""

    VERB: ClassVar[str] = "projects.save"
    form_id: Annotated[str, Prose()] = ""
    project: Reference | None = None  # the code of the project being edited
    code: str = ""
    name: Annotated[str, StoredIn("project.name", 200)] = ""
    domain: str = ""
    description: Annotated[str, StoredIn("project.description", 4000)] = ""
    goal: Annotated[str, StoredIn("project.goal", 4000)] = ""
    scope: Annotated[str, StoredIn("project.scope", 4000)] = ""
    coordinator: str = ""
    coordinator_new: str = ""  # an address typed under the coordinator's picker (wins over the choice)
    manager: str = ""
    manager_new: str = ""
    governments: str = ""
    start: str = ""
    end: str = ""
    budget_hours: str = ""
    budget_euros: str = ""
    state: str = ""


class SaveMember(Payload):
    VERB: ClassVar[str] = "projects.member_save"
    code: Reference
    person: str = ""  # the picker's choice (who.resolve_person reads it), or typed where there is no list
    person_new: str = ""  # an address typed under the picker: someone not in the list (wins over the choice)
    role: Annotated[str, StoredIn("team_member.role", 128)] = ""
    external: Literal["true", "false"] = "false"  # the toggle's values


class SavePhase(Payload):
    VERB: ClassVar[str] = "projects.phase_save"
    code: Reference
    phase: str = ""  # one of PHASES; anything else comes back as the form's error


@dataclass(frozen=True)
class ProjectCardExtras:
    """What one reader's project card shows besides the project's facts: whether the change buttons appear, and what
    the other capabilities add through Slot.PROJECT_CARD (each section returns some of these fields)."""

    can_edit: bool = False
    # During after-care (the handover capability): who gives second-line support until when.
    after_care: str | None = None
    # Cumulative hours against budget over time (the time capability): a PNG data URI.
    chart_uri: str | None = None


def _number(value: Decimal, t: Translator) -> str:
    return t.number(value)


def _date(value: date | None, t: Translator) -> str:
    return format_date(value, format="medium", locale=t.locale) if value else "—"


def build_project_card(project: ProjectFacts, extras: ProjectCardExtras, t: Translator) -> dict[str, Any]:
    """A project's card as one reader sees it (`extras`: their buttons and what the other capabilities add)."""
    facts = [
        Fact(title=t("project.field.domain"), value=project.domain(t.language)),
        Fact(title=t("project.field.phase"), value=t(f"project.phase.{project.phase}")),
        Fact(title=t("project.field.state"), value=t(f"project.state.{project.state}")),
        Fact(title=t("project.field.coordinator"), value=project.coordinator_name or t("project.nobody")),
        Fact(title=t("project.field.manager"), value=project.manager_name or t("project.nobody")),
        Fact(
            title=t("project.field.planning"),
            value=t("project.planning", start=_date(project.planned_start, t), end=_date(project.planned_end, t)),
        ),
        Fact(
            title=t("project.field.budget_hours"),
            value=hours_text(project.budget_hours, t) if project.budget_hours is not None else "—",
        ),
    ]
    if project.budget_euros is not None:
        facts.append(Fact(title=t("project.fact.budget_euros"), value=f"€ {_number(project.budget_euros, t)}"))
    if project.governments:
        facts.append(Fact(title=t("project.field.governments"), value=", ".join(project.governments)))
    body: list[Any] = [heading(f"{project.code} · {project.name}"), FactSet(facts=facts)]
    if extras.after_care:
        body.append(paragraph(extras.after_care))
    for key, text in (("description", project.description), ("goal", project.goal), ("scope", project.scope)):
        if text:
            body.append(paragraph(f"**{t(f'project.field.{key}')}** {text}"))
    if extras.chart_uri:
        body.append(Image(url=extras.chart_uri, alt_text=t("time.chart.alt", code=project.code), size="Stretch"))
    body.append(paragraph(f"**{t('project.team')}**"))
    if project.team:
        for member in project.team[:40]:
            kind = t("project.member.external" if member.external else "project.member.internal")
            role = f" — {member.role}" if member.role else ""
            body.append(paragraph(f"{member.name}{role} ({kind})", subtle=True))
    else:
        body.append(paragraph(t("project.team.empty"), subtle=True))
    actions = []
    if extras.can_edit:
        actions = [
            submit(t("project.action.edit"), EditProject, code=project.code),
            submit(t("project.action.add_member"), OpenMemberForm, code=project.code),
            submit(t("project.action.phase"), OpenPhaseForm, code=project.code),
        ]
    return card(body, actions or None)


@dataclass(frozen=True)
class ProjectLine:
    code: str
    name: str
    phase: str
    why: str  # already translated: coordinator, member, in your domain


def build_project_list_card(
    lines: list[ProjectLine], page: int, pages: int, t: Translator, *, owner_id: int | None = None
) -> dict[str, Any]:
    """One person's projects; owner_id: whose list it is (only they page through it)."""
    body: list[Any] = [heading(t("projects.title"))]
    if not lines:
        body.append(paragraph(t("projects.none")))
    for line in lines:
        body.append(
            Container(
                separator=True,
                select_action=submit(line.code, OpenProject, code=line.code),
                # Phase and relation under the name, not beside it: in a column they took the width of their
                # text and broke the name mid-word on a phone ("omgevingsvergunnin / g").
                items=[
                    paragraph(f"**{line.code}** · {line.name}"),
                    TextBlock(
                        text=f"{t(f'project.phase.{line.phase}')} · {line.why}",
                        size="Small",
                        is_subtle=True,
                        wrap=True,
                        spacing="None",
                    ),
                ],
            )
        )
    if pages > 1:
        body.append(paragraph(t("projects.page", page=page, pages=pages), subtle=True))
    actions = []
    owner = {"owner": owner_id} if owner_id is not None else {}
    if page > 1:
        actions.append(submit(t("projects.previous"), ProjectsPage, page=page - 1, **owner))
    if page < pages:
        actions.append(submit(t("projects.next"), ProjectsPage, page=page + 1, **owner))
    return card(body, actions or None)


def build_project_choice_card(
    reference: str, candidates: list[tuple[str, str]], command: str, t: Translator
) -> dict[str, Any]:
    """Several projects match what was typed: one button per project runs the same command with its code."""
    body: list[Any] = [heading(t("lookup.which")), paragraph(t("lookup.several", reference=reference), subtle=True)]
    buttons = [submit(f"{code} · {name}"[:80], ChooseProject, command=command, code=code) for code, name in candidates]
    body.append(ActionSet(actions=buttons))
    return card(body)


@dataclass(frozen=True)
class ProjectForm:
    """The new/edit project form: what the user typed (kept when a field is refused) and the errors per field."""

    form_id: str
    domains: list[tuple[str, str]]  # (id, name)
    governments: list[tuple[str, str]]  # (id, name)
    editing: str | None = None  # the code of the project being edited; None for a new project
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    people: list[tuple[str, str]] = field(default_factory=list)  # (value, title): the colleagues to pick from


FORM_FIELDS = (
    "code",
    "name",
    "domain",
    "description",
    "goal",
    "scope",
    "coordinator",
    "coordinator_new",
    "manager",
    "manager_new",
    "governments",
    "start",
    "end",
    "budget_hours",
    "budget_euros",
    "state",
)


def build_project_form_card(form: ProjectForm, t: Translator) -> dict[str, Any]:
    v = form.values
    title = t("project.form.edit", code=form.editing) if form.editing else t("project.form.new")
    body: list[Any] = [heading(title)]
    if form.errors:
        body.append(field_error(t("form.errors_below")))

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in form.errors:
            body.append(field_error(form.errors[name]))

    if form.editing is None:
        add(
            TextInput(id="code", label=t("project.field.code"), placeholder="DT-042", value=v.get("code", "")),
            "code",
        )
    add(TextInput(id="name", label=t("project.field.name"), value=v.get("name", ""), max_length=200), "name")
    add(
        ChoiceSetInput(
            id="domain",
            label=t("project.field.domain"),
            style="compact",
            value=v.get("domain") or None,
            choices=[Choice(title=name, value=value) for value, name in form.domains],
        ),
        "domain",
    )
    for name in ("description", "goal", "scope"):
        add(
            TextInput(
                id=name, label=t(f"project.field.{name}"), value=v.get(name, ""), is_multiline=True, max_length=4000
            ),
            name,
        )
    for name in ("coordinator", "manager"):
        label = t(f"project.field.{name}")
        body.extend(person_fields(label, form.people, v, t, name=name, nobody=True, error=form.errors.get(name)))
    if form.governments:
        add(
            ChoiceSetInput(
                id="governments",
                label=t("project.field.governments"),
                is_multi_select=True,
                style="compact",
                value=v.get("governments") or None,
                choices=[Choice(title=name, value=value) for value, name in form.governments],
            ),
            "governments",
        )
    add(DateInput(id="start", label=t("project.field.start"), value=v.get("start") or None), "start")
    add(DateInput(id="end", label=t("project.field.end"), value=v.get("end") or None), "end")
    add(
        TextInput(
            id="budget_hours",
            label=t("project.field.budget_hours"),
            placeholder=t("project.number.placeholder"),
            value=v.get("budget_hours", ""),
        ),
        "budget_hours",
    )
    add(
        TextInput(
            id="budget_euros",
            label=t("project.field.budget_euros"),
            placeholder=t("project.number.placeholder"),
            value=v.get("budget_euros", ""),
        ),
        "budget_euros",
    )
    if form.editing is not None:
        add(
            ChoiceSetInput(
                id="state",
                label=t("project.field.state"),
                style="compact",
                value=v.get("state") or "active",
                choices=[Choice(title=t(f"project.state.{s}"), value=s) for s in STATES],
            ),
            "state",
        )
    data: dict[str, Any] = {"form_id": form.form_id}
    if form.editing:
        data["project"] = form.editing
    return card(body, [submit(t("project.form.save"), SaveProject, **data)])


@dataclass(frozen=True)
class MemberForm:
    code: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    people: list[tuple[str, str]] = field(default_factory=list)  # (value, title): the colleagues to pick from


def build_team_member_card(form: MemberForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [heading(t("project.member.title", code=form.code))]
    if form.errors:
        body.append(field_error(t("form.errors_below")))
    body.extend(person_fields(t("project.member.person"), form.people, v, t, error=form.errors.get("person")))
    body.append(TextInput(id="role", label=t("project.member.role"), value=v.get("role", ""), max_length=128))
    if "role" in form.errors:
        body.append(field_error(form.errors["role"]))
    body.append(
        ToggleInput(
            id="external",
            title=t("project.member.is_external"),
            value=v.get("external", "false"),
            value_on="true",
            value_off="false",
        )
    )
    return card(body, [submit(t("project.member.save"), SaveMember, code=form.code)])


def build_phase_card(
    code: str, current: str, t: Translator, error: str | None = None, chosen: str | None = None
) -> dict[str, Any]:
    """The phase form: the current phase, and the one a typed command named (`chosen`) ready to save."""
    body: list[Any] = [
        heading(t("project.phase.title", code=code)),
        paragraph(t("project.phase.current", phase=t(f"project.phase.{current}")), subtle=True),
        ChoiceSetInput(
            id="phase",
            label=t("project.field.phase"),
            style="expanded",
            value=chosen or current,
            choices=[Choice(title=t(f"project.phase.{p}"), value=p) for p in PHASES],
        ),
    ]
    if error:
        body.append(field_error(error))
    return card(body, [submit(t("project.phase.save"), SavePhase, code=code)])
