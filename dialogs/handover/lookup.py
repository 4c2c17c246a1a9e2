"""What a request points at and who the person is to it: the project and its handover (raising Stop with the
answer when it is not there or not theirs), the receiving party's place, the reader's zone and day."""

from __future__ import annotations

from cards.handover import receiver_label
from dialogs.kernel.permissions import Action, Actor, Relation, allowed
from dialogs.kernel.turn import Request, Services, Stop
from dialogs.kernel.who import find_project, me, refusal
from domain.handover import OPEN_STATES, HandoverFacts
from domain.projects import ProjectFacts
from storage.handover import HandoverRepository
from storage.projects import ProjectRepository


def _conversation_key(conversation_id: str) -> str:
    """A channel's reply chain (`<channel>;messageid=<root>`) is the channel itself."""
    return conversation_id.split(";", 1)[0]


def handover_actor(request: Request, services: Services, project: ProjectFacts, row: HandoverFacts | None) -> Actor:
    actor = me(request, services).actor(project)
    if row is None:
        return actor
    person_id = request.person.id
    receiving = row.receiver_person is not None and row.receiver_person.id == person_id
    if (
        row.receiver_conversation_key is not None
        and _conversation_key(request.where.conversation_id) == _conversation_key(row.receiver_conversation_key)
        and person_id != project.coordinator_id  # the coordinator does not accept their own handover
    ):
        receiving = True
    if receiving:
        return Actor(roles=actor.roles, relations=actor.relations | {Relation.RECEIVING_PARTY})
    return actor


def found(request: Request, services: Services, reference: str) -> tuple[ProjectFacts, HandoverFacts | None]:
    """The project a reference means and its handover, if planned."""
    project = find_project(request, services, reference, "handover" if request.language == "en" else "overdracht")
    return project, HandoverRepository(services.db).for_project(project.id)


def manageable(request: Request, services: Services, reference: str) -> tuple[ProjectFacts, HandoverFacts | None]:
    """As found(), for someone who may plan the handover; else Stop with the refusal."""
    project, row = found(request, services, reference)
    decision = allowed(handover_actor(request, services, project, row), Action.MANAGE_HANDOVER)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return project, row


def editable_plan(request: Request, services: Services, code: str) -> tuple[ProjectFacts, HandoverFacts]:
    """A plan that may still change, for someone who may plan it; else Stop with why not."""
    project, row = manageable(request, services, code)
    if row is None:
        raise Stop.saying(request.t("handover.none", code=project.code))
    if row.state not in OPEN_STATES:
        raise Stop.saying(request.t("handover.already_accepted", code=project.code))
    return project, row


def acceptance_row(request: Request, services: Services, handover_id: int) -> tuple[ProjectFacts, HandoverFacts]:
    """The handover an acceptance card is about, for someone who may see it; else Stop ("gone")."""
    row = HandoverRepository(services.db).get(handover_id)
    if row is None:
        raise Stop.saying(request.t("handover.gone"))
    project = ProjectRepository(services.db).facts(row.project_id)
    # Ids are sequential: someone who may not see this handover is told exactly what a wrong id tells them.
    if project is None or not allowed(handover_actor(request, services, project, row), Action.VIEW_HANDOVER).allowed:
        raise Stop.saying(request.t("handover.gone"))
    return project, row


def acceptable(request: Request, services: Services, handover_id: int) -> tuple[ProjectFacts, HandoverFacts]:
    """As acceptance_row(), for the receiving party (who may accept); else Stop naming them."""
    project, row = acceptance_row(request, services, handover_id)
    if not allowed(handover_actor(request, services, project, row), Action.ACCEPT_HANDOVER).allowed:
        raise Stop.saying(request.t("handover.accept.refused", receiver=receiver_label(row, request.t)))
    return project, row
