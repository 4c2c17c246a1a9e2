"""Who is asking and what they point at: the person's roles and managed domains (read once per turn), the
refusal that names who may, the project a typed reference means (raising Stop with the answer when it means none
or several), and the person a form field names."""

from __future__ import annotations

from dataclasses import dataclass

from cards.i18n import Translator
from cards.projects import build_project_choice_card
from dialogs.kernel.permissions import Actor, Decision, Relation, relations_to_project
from dialogs.kernel.turn import Reply, Request, Services, Stop, conversation_here
from domain.projects import ProjectFacts
from storage.directory import DirectoryRepository, Role, is_email
from storage.handover import HandoverRepository
from storage.meetings import MeetingRepository
from storage.projects import ProjectRepository, Visibility


@dataclass(frozen=True)
class Me:
    id: int
    roles: frozenset[Role]
    domains: frozenset[int]

    def actor(self, project: ProjectFacts | None = None) -> Actor:
        relations: frozenset[Relation] = frozenset()
        if project is not None:
            relations = relations_to_project(
                self.id,
                coordinator_id=project.coordinator_id,
                manager_id=project.manager_id,
                member_ids=project.member_ids(),
                project_domain_id=project.domain_id,
                managed_domain_ids=self.domains,
                is_manager=Role.MANAGER in self.roles,
            )
        return Actor(roles=self.roles, relations=relations)

    def visibility(self) -> Visibility:
        """The projects lookups may show this person (all of them for an administrator)."""
        domains = self.domains if Role.MANAGER in self.roles else frozenset()
        return Visibility(self.id, domains, everything=Role.ADMIN in self.roles)


def me(request: Request, services: Services) -> Me:
    """The person asking, read once per turn (kept in the request's memo)."""
    known = request.memo.get("me")
    if isinstance(known, Me):
        return known
    assert request.person.id is not None
    roles, domains = DirectoryRepository(services.db).standing(request.person.id)
    found = request.memo["me"] = Me(request.person.id, roles, domains)
    return found


def remember_standing(
    request: Request, *, roles: frozenset[Role], managed_domains: frozenset[int], named_manager_domains: frozenset[int]
) -> None:
    """What me() and managed_project_domains() would read, already read for this turn (storage.turns, in the
    transaction that recorded the person): the turn does not ask the database again."""
    assert request.person.id is not None
    request.memo["me"] = Me(request.person.id, roles, managed_domains)
    request.memo["managed_project_domains"] = named_manager_domains


def managed_project_domains(request: Request, services: Services) -> frozenset[int]:
    """The domains of the projects (not closed) the data names the asker manager of, empty when none; read once per
    turn, only by the turns that need it, and never kept longer (no grant outlives the project's manager field)."""
    known = request.memo.get("managed_project_domains")
    if isinstance(known, frozenset):
        return known
    assert request.person.id is not None
    found = request.memo["managed_project_domains"] = ProjectRepository(services.db).managed_project_domains(
        request.person.id
    )
    return found


def standing(request: Request, services: Services) -> Actor:
    """The asker as organisation-wide rules see them: their roles, and PROJECT_MANAGER when the data names them
    manager of a project that is not closed (what the portfolio and the digest follow besides the role)."""
    roles = me(request, services).roles
    named = managed_project_domains(request, services)
    return Actor(roles=roles, relations=frozenset({Relation.PROJECT_MANAGER}) if named else frozenset())


def refusal(decision: Decision, t: Translator) -> Reply:
    return Reply.text(t("permission.refused", who=t(decision.who_can)))


def find_project(request: Request, services: Services, reference: str, command: str) -> ProjectFacts:
    """The project a reference points at; raises Stop with the answer to give instead (which one? / not found).

    Only projects the person may see count, for the match and for the candidates and suggestions shown; a project
    they may not see reads exactly like one that does not exist. The one exception is a project this conversation or
    person is linked to without being on it (a working group's channel, the party taking a project over): there its
    existence is no secret, and the capability's own permission rule answers."""
    t = request.t
    if not reference.strip():
        raise Stop.saying(t("lookup.missing", example=f"{command} DT-042"))
    found = ProjectRepository(services.db).lookup(reference, visible_to=me(request, services).visibility())
    if found.found is not None:
        return found.found
    linked = _linked_project(request, services, reference)
    if linked is not None:
        return linked
    shown = reference.strip()[:60]
    if found.candidates:
        raise Stop(Reply.card(build_project_choice_card(shown, found.candidates, command, t)))
    if found.suggestions:
        names = ", ".join(f"**{code}** ({name})" for code, name in found.suggestions)
        raise Stop.saying(t("lookup.none_but", reference=shown, suggestions=names))
    raise Stop.saying(t("lookup.none", reference=shown))


def _linked_project(request: Request, services: Services, reference: str) -> ProjectFacts | None:
    """The project with this exact code when this conversation holds its meetings or takes it over, or this person
    is named as the receiving party of its handover."""
    project = ProjectRepository(services.db).by_code(reference.strip())
    if project is None:
        return None
    conversation_key = request.where.conversation_id.split(";", 1)[0]
    here = conversation_here(request, services)
    if here is not None and any(
        series.conversation_ref_id == here.id
        for series in MeetingRepository(services.db).active_series(project_ids=[project.id])
    ):
        return project
    handover = HandoverRepository(services.db).for_project(project.id)
    if handover is None:
        return None
    by_person = handover.receiver_person is not None and handover.receiver_person.id == request.person.id
    by_conversation = (handover.receiver_conversation_key or "").split(";", 1)[0] == conversation_key
    return project if by_person or by_conversation else None


def conversation_project_ids(request: Request, services: Services) -> list[int]:
    """The projects whose meetings this conversation holds (a working group's channel or chat): what a conversation
    is linked to. Empty in a personal chat or a conversation the bot does not know."""
    here = conversation_here(request, services)
    if here is None or here.id is None:
        return []
    series = MeetingRepository(services.db).series_in_conversation(here.id)
    return sorted({s.project_id for s in series})


@dataclass
class PersonPick:
    """Who a form field names: a known person, or an email that becomes a placeholder when the form is saved."""

    person_id: int | None = None
    email: str | None = None


def resolve_person(services: Services, text: str, t: Translator) -> PersonPick | str:
    """A PersonPick, or the error to show next to the field."""
    wanted = text.strip()
    if is_email(wanted):
        found = DirectoryRepository(services.db).find(wanted)
        return PersonPick(person_id=found[0].id) if found else PersonPick(email=wanted.lower())
    people = DirectoryRepository(services.db).find(wanted)
    if len(people) == 1:
        return PersonPick(person_id=people[0].id)
    if not people:
        return t("project.person.unknown", value=wanted[:80])
    return t("project.person.several", value=wanted[:80], names=", ".join(p.name for p in people[:5]))
