"""Projects in the chat: list, show, create, edit, team members, phase; and finding a project by code or name."""

from __future__ import annotations

import math
import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError
from sqlalchemy.exc import IntegrityError

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.payloads import Id, Payload, Prose, StoredIn, length_errors
from cards.projects import (
    CHOOSE_VERB,
    EDIT_VERB,
    FORM_FIELDS,
    MEMBER_FORM_VERB,
    MEMBER_SAVE_VERB,
    OPEN_VERB,
    PAGE_VERB,
    PHASE_FORM_VERB,
    PHASE_SAVE_VERB,
    PHASES,
    SAVE_VERB,
    STATES,
    MemberForm,
    ProjectForm,
    ProjectLine,
    ProjectView,
    TeamRow,
    build_phase_card,
    build_project_card,
    build_project_form_card,
    build_project_list_card,
    build_team_member_card,
)
from cards.values import parse_date, parse_decimal, parse_id
from dialogs.kernel.owned import not_yours, submission_key
from dialogs.kernel.permissions import Action, Relation, allowed
from dialogs.kernel.registry import Capability
from dialogs.kernel.router import REFERENCE_MAX, CodePayload, MenuInfo, PagePayload, Router
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from storage.audit import audit_by_request
from storage.directory import DirectoryRepository, person_for_email
from storage.projects import (
    Phase,
    ProjectFacts,
    ProjectRepository,
    ProjectState,
    is_valid_code,
    normalise_code,
)

PAGE_SIZE = 8
# The commands a "which project?" card may run again with the chosen code: those that pass the text after them to
# find_project (tests/test_bad_card_data.py checks every find_project call names one of these).
CHOOSABLE = frozenset(
    {
        "project",
        "edit project",
        "budget",
        "export",
        "meetings",
        "new meeting",
        "agenda",
        "actions",
        "import meeting",
        "handover",
        "update",
        "status",
        "status history",
        "milestones",
        "risks",
        "decisions",
        "retrospective",
        "report",
    }
)


def register(router: Router) -> None:
    router.command(
        "projects",
        en=("projects", "my projects"),
        nl=("projecten", "mijn projecten"),
        handler=list_projects,
        menu=MenuInfo(
            "menu.projects.title",
            "menu.projects.description",
            {"en": "projects", "nl": "projecten"},
            section=MenuSection.PROJECTS,
        ),
    )
    router.command(
        "new project",
        en=("new project",),
        nl=("nieuw project",),
        handler=new_project,
        menu=MenuInfo(
            "menu.new_project.title",
            "menu.new_project.description",
            {"en": "new project", "nl": "nieuw project"},
            section=MenuSection.PROJECTS,
        ),
    )
    router.command("project", en=("project", "show project"), nl=("project", "toon project"), handler=show_project)
    router.command("edit project", en=("edit project",), nl=("wijzig project",), handler=edit_project)
    router.command(
        "add team member",
        en=("add team member", "add member"),
        nl=("teamlid toevoegen", "voeg teamlid toe"),
        handler=member_form,
    )
    router.command("phase", en=("phase", "change phase"), nl=("fase", "wijzig fase"), handler=phase_form)

    async def choose(request: Request, services: Services, payload: ChoosePayload) -> Reply:
        """The "which project?" card: the command it was asked for, run again with the chosen code, exactly as
        if typed (the same checks; a command that is a coroutine is awaited). Only commands that look a project
        up by the text after them: card data could name any command, or text no command takes."""
        found = router.match(payload.command)
        code = " ".join(payload.code.split())
        if found is None or found[1] or found[0].name not in CHOOSABLE or not code:
            return Reply.text(request.t("lookup.choice_invalid"))
        command = found[0]
        typed = f"{command.phrases[request.language][0]} {code}"
        again = router.match(typed)
        if again is None or again[0] is not command:
            return Reply.text(request.t("lookup.choice_invalid"))
        return await router.dispatch(replace(request, kind="message", text=typed, verb=None, payload={}), services)

    router.action(CHOOSE_VERB, ChoosePayload, choose)
    router.action(OPEN_VERB, CodePayload, lambda r, s, p: show_project(r, s, p.code))
    router.action(EDIT_VERB, CodePayload, lambda r, s, p: edit_project(r, s, p.code))
    router.action(MEMBER_FORM_VERB, CodePayload, lambda r, s, p: member_form(r, s, p.code))
    router.action(PHASE_FORM_VERB, CodePayload, lambda r, s, p: phase_form(r, s, p.code))
    router.action(PAGE_VERB, ProjectsPage, page_projects)
    router.action(SAVE_VERB, ProjectPayload, save_project, on_invalid=form_unreadable)
    router.action(MEMBER_SAVE_VERB, MemberPayload, save_member)
    router.action(PHASE_SAVE_VERB, PhasePayload, save_phase)


class ChoosePayload(Payload):
    command: str = Field(max_length=40)
    code: str = Field(max_length=REFERENCE_MAX)


class ProjectPayload(Payload):
    form_id: Annotated[str, Prose()] = ""
    project: str | None = None  # the code of the project being edited
    code: str = ""
    name: Annotated[str, StoredIn("project.name", 200)] = ""
    domain: str = ""
    description: Annotated[str, StoredIn("project.description", 4000)] = ""
    goal: Annotated[str, StoredIn("project.goal", 4000)] = ""
    scope: Annotated[str, StoredIn("project.scope", 4000)] = ""
    coordinator: str = ""
    manager: str = ""
    governments: str = ""
    start: str = ""
    end: str = ""
    budget_hours: str = ""
    budget_euros: str = ""
    state: str = ""


class ProjectsPage(PagePayload):
    owner: Id | None = None  # whose list it is (dialogs/owned.py)


class MemberPayload(Payload):
    code: str
    person: str = ""
    role: Annotated[str, StoredIn("team_member.role", 128)] = ""
    external: str = "false"


class PhasePayload(Payload):
    code: str
    phase: str = ""


# Who the person is to a project ---------------------------------------------------------------------------------


def project_view(project: ProjectFacts, t: Translator, *, can_edit: bool) -> ProjectView:
    return ProjectView(
        code=project.code,
        name=project.name,
        domain=project.domain_nl if t.language == "nl" else project.domain_en,
        phase=project.phase,
        state=project.state,
        description=project.description,
        goal=project.goal,
        scope=project.scope,
        coordinator=project.coordinator_name,
        manager=project.manager_name,
        governments=project.governments,
        team=tuple(TeamRow(m.name, m.role, m.external) for m in project.team),
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        budget_hours=project.budget_hours,
        budget_euros=project.budget_euros,
        can_edit=can_edit,
    )


# Commands -------------------------------------------------------------------------------------------------------


def list_projects(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    t = request.t
    who = me(request, services)
    projects = ProjectRepository(services.db).for_person(who.id, who.domains)
    pages = max(1, math.ceil(len(projects) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    lines = []
    for project in projects[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        relations = who.actor(project).relations
        why = next(
            (
                t(f"projects.why.{relation.value}")
                for relation in (
                    Relation.COORDINATOR,
                    Relation.PROJECT_MANAGER,
                    Relation.TEAM_MEMBER,
                    Relation.DOMAIN_MANAGER,
                )
                if relation in relations
            ),
            "",
        )
        lines.append(ProjectLine(project.code, project.name, project.phase, why))
    return Reply.card(build_project_list_card(lines, page, pages, t, owner_id=who.id))


def page_projects(request: Request, services: Services, payload: ProjectsPage) -> Reply:
    """A list of one person's projects: in a channel only they page through it (the page replaces the card for
    everyone there, and would show someone else's projects in its place)."""
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.projects")) is not None:
        return refused
    return list_projects(request, services, "", page=payload.page)


def show_project(request: Request, services: Services, rest: str) -> Reply:
    if not rest.strip():
        return list_projects(request, services, "")
    found = find_project(request, services, rest, "project")
    if isinstance(found, Reply):
        return found
    actor = me(request, services).actor(found)
    decision = allowed(actor, Action.VIEW_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    can_edit = allowed(actor, Action.EDIT_PROJECT).allowed
    view = project_view(found, request.t, can_edit=can_edit)
    if found.phase == Phase.AFTER_CARE.value:
        from dialogs.handover import after_care_note  # the handover capability builds on projects, not the reverse

        view = replace(view, after_care=after_care_note(services, found.id, request.t))
    from dialogs.timelog import burn_chart_uri  # time registration builds on projects, not the reverse

    today = services.clock.now().astimezone(ZoneInfo(request.timezone)).date()
    view = replace(view, chart_uri=burn_chart_uri(services, found, today, request.t))
    return Reply.card(build_project_card(view, request.t))


def _form(services: Services, t: Translator, **kwargs: Any) -> ProjectForm:
    repository = ProjectRepository(services.db)
    domains = [(str(d.id), d.name(t.language)) for d in repository.domains()]
    governments = [(str(g.id), g.name) for g in repository.governments()]
    return ProjectForm(domains=domains, governments=governments, **kwargs)


def new_project(request: Request, services: Services, rest: str) -> Reply:
    decision = allowed(me(request, services).actor(), Action.CREATE_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    values = {"code": normalise_code(rest)} if rest.strip() else {}
    form = _form(services, request.t, form_id=uuid.uuid4().hex, values=values)
    return Reply.card(build_project_form_card(form, request.t))


def edit_project(request: Request, services: Services, rest: str) -> Reply:
    found = find_project(request, services, rest, "edit project")
    if isinstance(found, Reply):
        return found
    decision = allowed(me(request, services).actor(found), Action.EDIT_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    values = {
        "name": found.name,
        "domain": str(found.domain_id),
        "description": found.description,
        "goal": found.goal,
        "scope": found.scope,
        "coordinator": found.coordinator_email or found.coordinator_name or "",
        "manager": found.manager_email or found.manager_name or "",
        "governments": ",".join(str(g) for g in found.government_ids),
        "start": found.planned_start.isoformat() if found.planned_start else "",
        "end": found.planned_end.isoformat() if found.planned_end else "",
        "budget_hours": _plain_number(found.budget_hours, request.t),
        "budget_euros": _plain_number(found.budget_euros, request.t),
        "state": found.state,
    }
    form = _form(services, request.t, form_id=uuid.uuid4().hex, editing=found.code, values=values)
    return Reply.card(build_project_form_card(form, request.t))


def _plain_number(value: Decimal | None, t: Translator) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if t.language == "nl" else text


# Saving the project form ----------------------------------------------------------------------------------------


def validate_project(
    payload: ProjectPayload, request: Request, services: Services, editing: ProjectFacts | None
) -> tuple[dict[str, Any], list[int], dict[str, PersonPick], dict[str, str]]:
    """The project's values, its governments and the people it names, or errors per field (nothing written)."""
    t = request.t
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    repository = ProjectRepository(services.db)
    if editing is None:
        code = normalise_code(payload.code)
        if not code:
            errors["code"] = t("project.code.missing")
        elif not is_valid_code(code):
            errors["code"] = t("project.code.invalid", value=payload.code.strip()[:20])
        elif repository.code_taken(code):
            errors["code"] = t("project.code.taken", code=code)
    name = " ".join(payload.name.split())
    if not name:
        errors["name"] = t("project.name.missing")
    elif len(name) > 200:
        errors["name"] = t("project.name.too_long")
    values["name"] = name
    domain_ids = {d.id for d in repository.domains()}
    if parse_id(payload.domain) not in domain_ids:
        errors["domain"] = t("project.domain.missing")
    else:
        values["domain_id"] = int(payload.domain)
    for key in ("description", "goal", "scope"):
        values[key] = getattr(payload, key).strip()[:4000]
    people: dict[str, PersonPick] = {}
    for key in ("coordinator", "manager"):
        text = getattr(payload, key).strip()
        if not text:
            people[key] = PersonPick()
            continue
        pick = resolve_person(services, text, t)
        if isinstance(pick, str):
            errors[key] = pick
        else:
            people[key] = pick
    known = {g.id for g in repository.governments()}
    government_ids: list[int] = []
    for part in (p.strip() for p in payload.governments.split(",")):
        if not part:
            continue
        if parse_id(part) not in known:
            errors["governments"] = t("project.governments.invalid")
            break
        government_ids.append(int(part))
    for key, column in (("start", "planned_start"), ("end", "planned_end")):
        text = getattr(payload, key).strip()
        values[column] = parse_date(text) if text else None
        if text and values[column] is None:
            errors[key] = t("project.date.invalid", value=text[:20])
    if values.get("planned_start") and values.get("planned_end") and values["planned_end"] < values["planned_start"]:
        errors["end"] = t("project.date.end_before_start")
    for key in ("budget_hours", "budget_euros"):
        text = getattr(payload, key).strip()
        number = parse_decimal(text) if text else None
        if text and (number is None or number < 0 or number >= Decimal("1e10")):
            errors[key] = t("project.number.invalid", value=text[:20])
        values[key] = number.quantize(Decimal("0.01")) if number is not None else None
    if editing is not None:
        if payload.state not in STATES:
            errors["state"] = t("project.state.invalid")
        else:
            values["state"] = payload.state
    errors.update(length_errors(payload, t))  # description, goal, scope: said next to the field, never cut off
    return values, government_ids, people, errors


def save_project(request: Request, services: Services, payload: ProjectPayload) -> Reply:
    t = request.t
    who = me(request, services)
    editing: ProjectFacts | None = None
    if payload.project:
        editing = ProjectRepository(services.db).by_code(payload.project)
        if editing is None:
            return Reply.text(t("lookup.none", reference=payload.project[:60]))
        decision = allowed(who.actor(editing), Action.EDIT_PROJECT)
    else:
        decision = allowed(who.actor(), Action.CREATE_PROJECT)
    if not decision.allowed:
        return refusal(decision, t)
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    # A shared form (anyone who may create projects may fill in one shown in a channel): saved once per person.
    request_key = submission_key(request, form_id) or form_id
    if editing is None and payload.form_id:
        with services.db.session() as session:
            done = audit_by_request(session, request_key, "project.create")
            if done is not None and done.entity_id is not None:
                return _already_saved(request, services, done.entity_id)

    values, government_ids, people, errors = validate_project(payload, request, services, editing)
    if errors:
        typed = {name: str(getattr(payload, name)) for name in FORM_FIELDS}
        form = _form(services, t, form_id=form_id, editing=editing.code if editing else None, values=typed)
        form = ProjectForm(**{**form.__dict__, "errors": errors})
        return Reply(replace_card=build_project_form_card(form, t))

    now = services.clock.now()
    closing = False
    try:
        with services.db.session() as session:
            for key, pick in people.items():
                if pick.email is not None:
                    pick.person_id = person_for_email(session, pick.email, now=now).id
                values[f"{key}_id"] = pick.person_id
            if editing is None:
                if values["coordinator_id"] is None:
                    values["coordinator_id"] = who.id  # whoever creates a project coordinates it until told otherwise
                saved = ProjectRepository.create_in(
                    session, payload.code, values, government_ids, actor_id=who.id, now=now, request_id=request_key
                )
                project_id = saved.id
                message = t("project.created", code=saved.code)
            else:
                changed = ProjectRepository.update_in(
                    session, editing.id, values, government_ids, actor_id=who.id, now=now
                )
                project_id = editing.id
                message = t("project.saved", code=editing.code) if changed else t("project.unchanged")
                closing = "state" in changed and values.get("state") == ProjectState.CLOSED.value
    except IntegrityError:
        # The same form submitted twice at once: the other submission created it.
        with services.db.session() as session:
            done = audit_by_request(session, request_key, "project.create")
        if done is not None and done.entity_id is not None:
            return _already_saved(request, services, done.entity_id)
        raise
    reply = _show_after_save(request, services, project_id, message)
    return reply.then(_closing_prompt(services, project_id, t)) if editing is not None and closing else reply


def _already_saved(request: Request, services: Services, project_id: int) -> Reply:
    project = ProjectRepository(services.db).facts(project_id)
    code = project.code if project else "?"
    return _show_after_save(request, services, project_id, request.t("project.already_saved", code=code))


def _show_after_save(request: Request, services: Services, project_id: int, message: str) -> Reply:
    project = ProjectRepository(services.db).facts(project_id)
    assert project is not None
    actor = me(request, services).actor(project)
    view = project_view(project, request.t, can_edit=allowed(actor, Action.EDIT_PROJECT).allowed)
    return Reply(texts=[message], replace_card=build_project_card(view, request.t))


def form_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    return Reply.text(request.t("project.form.unreadable"))


# Team members and phase -----------------------------------------------------------------------------------------


def _editable(request: Request, services: Services, reference: str, command: str) -> ProjectFacts | Reply:
    found = find_project(request, services, reference, command)
    if isinstance(found, Reply):
        return found
    decision = allowed(me(request, services).actor(found), Action.EDIT_PROJECT)
    return found if decision.allowed else refusal(decision, request.t)


def member_form(request: Request, services: Services, rest: str) -> Reply:
    found = _editable(request, services, rest, "add team member")
    if isinstance(found, Reply):
        return found
    return Reply.card(build_team_member_card(MemberForm(found.code), request.t))


def save_member(request: Request, services: Services, payload: MemberPayload) -> Reply:
    t = request.t
    found = _editable(request, services, payload.code, "add team member")
    if isinstance(found, Reply):
        return found
    errors: dict[str, str] = {}
    pick: PersonPick | str = t("project.member.person.missing")
    if payload.person.strip():
        pick = resolve_person(services, payload.person, t)
    if isinstance(pick, str):
        errors["person"] = pick
    role = " ".join(payload.role.split())
    if len(role) > 128:
        errors["role"] = t("project.member.role.too_long")
    if errors or isinstance(pick, str):
        form = MemberForm(found.code, values=payload.model_dump(exclude={"code"}), errors=errors)
        return Reply(replace_card=build_team_member_card(form, t))
    now = services.clock.now()
    who = me(request, services)
    with services.db.session() as session:
        person_id = pick.person_id
        if person_id is None:
            assert pick.email is not None
            person_id = person_for_email(session, pick.email, now=now).id
    assert person_id is not None
    added = ProjectRepository(services.db).add_member(
        found.id, person_id, role=role, external=payload.external == "true", actor_id=who.id, now=now
    )
    person = DirectoryRepository(services.db).get(person_id)
    name = (person.name or person.email or "?") if person else "?"
    key = "project.member.added" if added else "project.member.already"
    return _show_after_save(request, services, found.id, t(key, name=name, code=found.code))


def phase_form(request: Request, services: Services, rest: str) -> Reply:
    found = _editable(request, services, rest, "phase")
    if isinstance(found, Reply):
        return found
    return Reply.card(build_phase_card(found.code, found.phase, request.t))


def save_phase(request: Request, services: Services, payload: PhasePayload) -> Reply:
    t = request.t
    found = _editable(request, services, payload.code, "phase")
    if isinstance(found, Reply):
        return found
    if payload.phase not in PHASES:
        return Reply(replace_card=build_phase_card(found.code, found.phase, t, error=t("project.phase.invalid")))
    values: dict[str, Any] = {"phase": payload.phase}
    if payload.phase == Phase.CLOSED.value:
        values["state"] = ProjectState.CLOSED.value  # a closed phase closes the project
    changed = ProjectRepository(services.db).update(
        found.id, values, None, actor_id=me(request, services).id, now=services.clock.now(), action="project.phase"
    )
    phase = t(f"project.phase.{payload.phase}")
    message = t("project.phase.saved", code=found.code, phase=phase) if changed else t("project.unchanged")
    reply = _show_after_save(request, services, found.id, message)
    return reply.then(_closing_prompt(services, found.id, t)) if "state" in changed else reply


def _closing_prompt(services: Services, project_id: int, t: Translator) -> Reply:
    """Closing a project asks for its retrospective (dialogs.status), unless there is one."""
    from dialogs.status import closing_prompt

    return closing_prompt(services, project_id, t)


capability = Capability("projects", install=register)
