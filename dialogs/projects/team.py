"""A project's team members and phase: the forms and saving them (for who may edit the project)."""

from __future__ import annotations

from typing import Any

from cards.i18n import LANGUAGES, Translator, translator
from cards.projects import (
    PHASES,
    MemberForm,
    OpenMemberForm,
    OpenPhaseForm,
    SaveMember,
    SavePhase,
    build_phase_card,
    build_team_member_card,
)
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.search import colleague_choices
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from dialogs.projects.declaration import capability
from dialogs.projects.show import closing_answers, show_after_save
from domain.names import match_name
from domain.projects import ProjectFacts
from storage.projects import Phase, ProjectRepository, ProjectState, is_valid_code


def _editable(request: Request, services: Services, reference: str, command: str) -> ProjectFacts:
    """The project a reference names, when the person may edit it; raises Stop with the answer otherwise."""
    found = find_project(request, services, reference, command)
    decision = allowed(me(request, services).actor(found), Action.EDIT_PROJECT)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return found


# Team members ---------------------------------------------------------------------------------------------------


@capability.command(
    "add team member",
    en=("add team member", "add member"),
    nl=("teamlid toevoegen", "voeg teamlid toe"),
)
def member_form(request: Request, services: Services, rest: str) -> Reply:
    found = _editable(request, services, rest, "add team member")
    return Reply.card(build_team_member_card(MemberForm(found.code, people=colleague_choices(services)), request.t))


@capability.verb(OpenMemberForm)
def open_member_form(request: Request, services: Services, payload: OpenMemberForm) -> Reply:
    return member_form(request, services, payload.code)


@capability.verb(SaveMember)
def save_member(request: Request, services: Services, payload: SaveMember) -> Reply:
    t = request.t
    found = _editable(request, services, payload.code, "add team member")
    errors: dict[str, str] = {}
    pick: PersonPick | str = t("project.member.person.missing")
    named = payload.person_new.strip() or payload.person.strip()  # an address typed under the picker wins
    if named:
        pick = resolve_person(services, named, t)
    if isinstance(pick, str):
        errors["person"] = pick
    role = " ".join(payload.role.split())
    if len(role) > 128:
        errors["role"] = t("project.member.role.too_long")
    if errors or isinstance(pick, str):
        values = payload.model_dump(exclude={"code"})
        form = MemberForm(found.code, values=values, errors=errors, people=colleague_choices(services))
        return Reply(replace_card=build_team_member_card(form, t))
    person = pick.person_id if pick.person_id is not None else pick.email
    assert person is not None
    added, name = ProjectRepository(services.db).add_member(
        found.id,
        person,
        role=role,
        external=payload.external == "true",
        actor_id=me(request, services).id,
        now=services.clock.now(),
    )
    key = "project.member.added" if added else "project.member.already"
    return show_after_save(request, services, found.id, t(key, name=name, code=found.code))


# Phase ----------------------------------------------------------------------------------------------------------


@capability.command("phase", en=("phase", "change phase"), nl=("fase", "wijzig fase"))
def phase_form(request: Request, services: Services, rest: str) -> Reply:
    """`fase DT-042`, or `fase DT-042 uitvoering` (any spelling, a unique start): the form with that phase chosen,
    to confirm with one tap (closing a project asks for its retrospective, so it is not done by a typo)."""
    reference, chosen, problem = typed_phase(rest, request.t)
    found = _editable(request, services, reference, "phase")
    return Reply.card(build_phase_card(found.code, found.phase, request.t, error=problem or None, chosen=chosen))


def phase_names() -> dict[str, tuple[str, ...]]:
    """What a person may call each phase: its key and its name in both languages ("uitvoering", "execution"),
    whatever the reader's language (English Teams, Dutch words)."""
    return {p: (p, *(translator(language)(f"project.phase.{p}") for language in LANGUAGES)) for p in PHASES}


def typed_phase(rest: str, t: Translator) -> tuple[str, str | None, str]:
    """(project reference, phase named after it or None, why the words after a code name no phase or "")."""
    words = rest.split()
    for size in (2, 1):
        if len(words) > size and (phase := match_name(" ".join(words[-size:]), phase_names()).found):
            return " ".join(words[:-size]), phase, ""
    if len(words) > 1 and is_valid_code(words[0]):
        typed = " ".join(words[1:])[:40]
        match = match_name(typed, phase_names())
        if match.candidates:
            could_be = ", ".join(t(f"project.phase.{p}") for p in match.candidates)
            return words[0], None, t("project.phase.ambiguous", typed=typed, phases=could_be)
        if match.suggestion is not None:
            suggestion = t(f"project.phase.{match.suggestion}")
            return words[0], None, t("project.phase.did_you_mean", typed=typed, suggestion=suggestion)
        return words[0], None, t("project.phase.unknown", typed=typed)
    return rest, None, ""


@capability.verb(OpenPhaseForm)
def open_phase_form(request: Request, services: Services, payload: OpenPhaseForm) -> Reply:
    return phase_form(request, services, payload.code)


@capability.verb(SavePhase)
def save_phase(request: Request, services: Services, payload: SavePhase) -> Reply:
    t = request.t
    found = _editable(request, services, payload.code, "phase")
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
    reply = show_after_save(request, services, found.id, message)
    return reply.then(closing_answers(services, found.id, t)) if "state" in changed else reply
