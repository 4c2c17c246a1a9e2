"""The project form: a new project, editing one, and saving either (checked field by field, saved once per person
and form)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.payloads import field_errors, length_errors
from cards.projects import (
    FORM_FIELDS,
    EditProject,
    ProjectForm,
    SaveProject,
    build_project_form_card,
)
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.search import choice_value, colleague_choices
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from dialogs.projects.declaration import capability
from dialogs.projects.fields import ProjectFields
from dialogs.projects.show import closing_answers, show_after_save
from domain.projects import ProjectFacts
from storage.projects import ProjectRepository, ProjectState, normalise_code


def _form(services: Services, t: Translator, **kwargs: Any) -> ProjectForm:
    repository = ProjectRepository(services.db)
    domains = [(str(d.id), d.name(t.language)) for d in repository.domains()]
    governments = [(str(g.id), g.name) for g in repository.governments()]
    values = kwargs.get("values") or {}
    people = colleague_choices(services, keep={values.get("coordinator", ""), values.get("manager", "")})
    return ProjectForm(domains=domains, governments=governments, people=people, **kwargs)


@capability.command(
    "new project",
    en=("new project",),
    nl=("nieuw project",),
    menu=MenuInfo(
        "menu.new_project.title",
        "menu.new_project.description",
        {"en": "new project", "nl": "nieuw project"},
        section=MenuSection.PROJECTS,
    ),
)
def new_project(request: Request, services: Services, rest: str) -> Reply:
    decision = allowed(me(request, services).actor(), Action.CREATE_PROJECT)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    values = {"code": normalise_code(rest)} if rest.strip() else {}
    form = _form(services, request.t, form_id=uuid.uuid4().hex, values=values)
    return Reply.card(build_project_form_card(form, request.t))


@capability.command("edit project", takes_project=True, en=("edit project",), nl=("wijzig project",))
def edit_project(request: Request, services: Services, rest: str) -> Reply:
    found = find_project(request, services, rest, "edit project")
    decision = allowed(me(request, services).actor(found), Action.EDIT_PROJECT)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    values = {
        "name": found.name,
        "domain": str(found.domain_id),
        "description": found.description,
        "goal": found.goal,
        "scope": found.scope,
        "coordinator": choice_value(services, found.coordinator_id),
        "manager": choice_value(services, found.manager_id),
        "governments": ",".join(str(g) for g in found.government_ids),
        "start": found.planned_start.isoformat() if found.planned_start else "",
        "end": found.planned_end.isoformat() if found.planned_end else "",
        "budget_hours": _plain_number(found.budget_hours, request.t),
        "budget_euros": _plain_number(found.budget_euros, request.t),
        "state": found.state,
    }
    form = _form(services, request.t, form_id=uuid.uuid4().hex, editing=found.code, values=values)
    return Reply.card(build_project_form_card(form, request.t))


@capability.verb(EditProject)
def open_edit_form(request: Request, services: Services, payload: EditProject) -> Reply:
    return edit_project(request, services, payload.code)


def _plain_number(value: Decimal | None, t: Translator) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if t.language == "nl" else text


# Saving the project form ----------------------------------------------------------------------------------------


def _read_form(
    payload: SaveProject, request: Request, services: Services, editing: ProjectFacts | None
) -> tuple[ProjectFields | None, dict[str, PersonPick], dict[str, str]]:
    """The form read (None when a field is refused), the people it names, and the errors per field (nothing
    written). The model reads the fields; the lookups that need the database are here."""
    t = request.t
    repository = ProjectRepository(services.db)
    context = {
        "editing": editing is not None,
        "domains": {d.id for d in repository.domains()},
        "governments": {g.id for g in repository.governments()},
    }
    fields: ProjectFields | None = None
    errors: dict[str, str] = {}
    try:
        fields = ProjectFields.model_validate(payload.model_dump(), context=context)
    except ValidationError as invalid:
        errors = field_errors(invalid, t)
    code = normalise_code(payload.code)
    if editing is None and "code" not in errors and repository.code_taken(code):
        errors["code"] = t("project.code.taken", code=code)
    people: dict[str, PersonPick] = {}
    for key in ("coordinator", "manager"):
        typed = getattr(payload, f"{key}_new").strip() or getattr(payload, key).strip()  # an address typed wins
        pick = resolve_person(services, typed, t) if typed else PersonPick()
        if isinstance(pick, str):
            errors[key] = pick
        else:
            people[key] = pick
    errors.update(length_errors(payload, t))  # description, goal, scope: said next to the field, never cut off
    return fields, people, errors


def form_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    return Reply.text(request.t("project.form.unreadable"))


@capability.verb(SaveProject, on_invalid=form_unreadable)
def save_project(request: Request, services: Services, payload: SaveProject) -> Reply:
    editing = _may_save(request, services, payload)
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    # A shared form (anyone who may create projects may fill in one shown in a channel): saved once per person.
    request_key = submission_key(request, form_id) or form_id
    if editing is None and payload.form_id:
        _stop_if_saved(request, services, request_key)
    fields, people, errors = _read_form(payload, request, services, editing)
    if errors or fields is None:
        typed = {name: str(getattr(payload, name)) for name in FORM_FIELDS}
        form = _form(services, request.t, form_id=form_id, editing=editing.code if editing else None, values=typed)
        form = ProjectForm(**{**form.__dict__, "errors": errors})
        return Reply(replace_card=build_project_form_card(form, request.t))
    if editing is not None:
        return _update(request, services, editing, fields, people)
    try:
        return _create(request, services, payload.code, fields, people, request_key)
    except IntegrityError:
        _stop_if_saved(request, services, request_key)  # the same form submitted twice at once: the other created it
        raise


def _may_save(request: Request, services: Services, payload: SaveProject) -> ProjectFacts | None:
    """The project being edited (None for a new one), when the person may; raises Stop with the answer otherwise."""
    who = me(request, services)
    if not payload.project:
        decision = allowed(who.actor(), Action.CREATE_PROJECT)
        if not decision.allowed:
            raise Stop(refusal(decision, request.t))
        return None
    editing = ProjectRepository(services.db).by_code(payload.project)
    if editing is None:
        raise Stop.saying(request.t("lookup.none", reference=payload.project[:60]))
    decision = allowed(who.actor(editing), Action.EDIT_PROJECT)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return editing


def _stop_if_saved(request: Request, services: Services, request_key: str) -> None:
    """This person's submission of this form created a project already: raises Stop showing it."""
    repository = ProjectRepository(services.db)
    project_id = repository.created_by(request_key)
    if project_id is not None:
        project = repository.facts(project_id)
        code = project.code if project else "?"
        raise Stop(show_after_save(request, services, project_id, request.t("project.already_saved", code=code)))


def _people_in(values: dict[str, Any], people: dict[str, PersonPick]) -> dict[str, str]:
    """The coordinator's and manager's ids into the values; returns those named by e-mail only (a placeholder
    person is made for them when the project is saved: ProjectRepository's placeholders)."""
    for key, pick in people.items():
        values[f"{key}_id"] = pick.person_id
    return {f"{key}_id": pick.email for key, pick in people.items() if pick.email is not None}


def _create(
    request: Request,
    services: Services,
    code: str,
    fields: ProjectFields,
    people: dict[str, PersonPick],
    request_key: str,
) -> Reply:
    who, now = me(request, services).id, services.clock.now()
    values = fields.values()
    placeholders = _people_in(values, people)
    if values["coordinator_id"] is None and "coordinator_id" not in placeholders:
        values["coordinator_id"] = who  # whoever creates a project coordinates it until told otherwise
    saved = ProjectRepository(services.db).create(
        code,
        values,
        list(fields.governments),
        actor_id=who,
        now=now,
        request_id=request_key,
        placeholders=placeholders,
    )
    return show_after_save(request, services, saved.id, request.t("project.created", code=saved.code))


def _update(
    request: Request, services: Services, editing: ProjectFacts, fields: ProjectFields, people: dict[str, PersonPick]
) -> Reply:
    t = request.t
    who, now = me(request, services).id, services.clock.now()
    values = fields.values()
    placeholders = _people_in(values, people)
    changed = ProjectRepository(services.db).update(
        editing.id, values, list(fields.governments), actor_id=who, now=now, placeholders=placeholders
    )
    message = t("project.saved", code=editing.code) if changed else t("project.unchanged")
    reply = show_after_save(request, services, editing.id, message)
    closing = "state" in changed and values.get("state") == ProjectState.CLOSED.value
    return reply.then(closing_answers(services, editing.id, t)) if closing else reply
