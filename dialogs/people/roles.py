"""The administrator's roles card: who holds which role (and which domains a manager manages), granting and
revoking; and setting someone's availability (hours per week over working days), audited like a grant."""

from __future__ import annotations

from cards.base import minutes_text
from cards.i18n import Translator
from cards.menu import MenuSection
from cards.people import ROLES, RoleHolder, RolesForm, SaveRoles, SetAvailability, build_roles_card
from cards.values import parse_id
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.search import colleague_choices
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import Me, me, refusal
from dialogs.people.declaration import capability
from domain.availability import read_availability
from domain.capacity import working_days_text
from storage.availability import change_availability
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import ProjectRepository


def _roles_form(services: Services, request: Request, **kwargs: object) -> RolesForm:
    t = request.t
    directory = DirectoryRepository(services.db)
    domains = ProjectRepository(services.db).domains()
    names = {d.id: d.name(t.language) for d in domains}
    holders = []
    for person, roles in directory.people_with_roles():
        assert person.id is not None
        managed = directory.managed_domains(person.id) if Role.MANAGER in roles else frozenset()
        holders.append(
            RoleHolder(
                name=person.name,
                email=person.email,
                roles=tuple(r.value for r in Role if r in roles),
                domains=tuple(sorted(names[d] for d in managed if d in names)),
            )
        )
    values = kwargs.get("values")
    current = (
        {str(values.get(key, "")) for key in ("person", "availability_person")} if isinstance(values, dict) else set()
    )
    people = colleague_choices(services, keep=current)
    return RolesForm(holders=holders, domains=[(str(d.id), names[d.id]) for d in domains], people=people, **kwargs)  # type: ignore[arg-type]


def _administrator(request: Request, services: Services) -> Me:
    """The person asking, when they may manage people; raises Stop with the refusal otherwise."""
    who = me(request, services)
    decision = allowed(who.actor(), Action.MANAGE_PEOPLE)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return who


@capability.command(
    "roles",
    en=("roles",),
    nl=("rollen",),
    menu=MenuInfo(
        "menu.roles.title", "menu.roles.description", {"en": "roles", "nl": "rollen"},
        requires=Action.MANAGE_PEOPLE,
        section=MenuSection.ADMIN,
    ),
)  # fmt: skip
def show_roles(request: Request, services: Services, rest: str) -> Reply:
    _administrator(request, services)
    return Reply.card(build_roles_card(_roles_form(services, request), request.t))


def _named(services: Services, typed: str, t: Translator) -> Person | str:
    """The one person the roles card names, or the error to show next to the field."""
    wanted = typed.strip()
    if not wanted:
        return t("roles.person.missing")
    people = DirectoryRepository(services.db).find(typed)
    if not people:
        return t("roles.person.unknown", value=wanted[:80])
    if len(people) > 1:
        return t("project.person.several", value=wanted[:80], names=", ".join(p.name for p in people[:5]))
    return people[0]


@capability.verb(SaveRoles)
def save_roles(request: Request, services: Services, payload: SaveRoles) -> Reply:
    t = request.t
    who = _administrator(request, services)
    errors: dict[str, str] = {}
    person = _named(services, payload.person_new.strip() or payload.person, t)  # an address typed wins
    if isinstance(person, str):
        errors["person"] = person
    if payload.role not in ROLES:
        errors["role"] = t("roles.role.invalid")
    if errors or isinstance(person, str):
        values = payload.model_dump(exclude={"operation"})
        return Reply(replace_card=build_roles_card(_roles_form(services, request, values=values, errors=errors), t))
    role = Role(payload.role)
    if payload.operation == "revoke":
        message = _revoke(services, person, role, who.id, t)
    else:
        message = _grant(services, person, role, payload.domains, who.id, t)
    return Reply(texts=[message], replace_card=build_roles_card(_roles_form(services, request), t))


def _revoke(services: Services, person: Person, role: Role, who: int, t: Translator) -> str:
    assert person.id is not None
    if role == Role.ADMIN and person.id == who:
        raise Stop.saying(t("roles.not_yourself"))
    changed = DirectoryRepository(services.db).revoke(person.id, role, actor_id=who, now=services.clock.now())
    name = person.name or person.email or "?"
    return t("roles.revoked" if changed else "roles.not_held", name=name, role=t(f"role.{role.value}"))


def _grant(services: Services, person: Person, role: Role, domains: str, who: int, t: Translator) -> str:
    """A role granted; a manager's domains set to those chosen on the card."""
    assert person.id is not None
    directory, now = DirectoryRepository(services.db), services.clock.now()
    changed = directory.grant(person.id, role, actor_id=who, now=now)
    if role == Role.MANAGER:
        domain_ids = {number for part in domains.split(",") if (number := parse_id(part)) is not None}
        changed = directory.set_managed_domains(person.id, domain_ids, actor_id=who, now=now) or changed
    name = person.name or person.email or "?"
    return t("roles.granted" if changed else "roles.already", name=name, role=t(f"role.{role.value}"))


@capability.verb(SetAvailability)
def set_availability(request: Request, services: Services, payload: SetAvailability) -> Reply:
    """An admin sets someone's hours per week and working days; empty hours make them unknown again."""
    t = request.t
    who = _administrator(request, services)  # checked here: a forged press by anyone else is refused
    errors: dict[str, str] = {}
    person = _named(services, payload.availability_person_new.strip() or payload.availability_person, t)
    if isinstance(person, str):
        errors["availability_person"] = person
    read = read_availability(payload.hours, payload.days)
    if "hours" in read.wrong:
        errors["hours"] = t("availability.hours.invalid", value=payload.hours.strip()[:20])
    if "days" in read.wrong:
        errors["days"] = t("availability.days.missing")
    if errors or isinstance(person, str):
        form = _roles_form(services, request, values=payload.model_dump(), errors=errors)
        return Reply(replace_card=build_roles_card(form, t))
    assert person.id is not None
    changed = change_availability(services.db, person.id, read.availability, now=services.clock.now(), by=who.id)
    name = person.name or person.email or "?"
    if not changed:
        message = t("roles.availability.unchanged", name=name)
    elif read.availability is None:
        message = t("roles.availability.removed", name=name)
    else:
        hours = minutes_text(read.availability.minutes_per_week, t)
        days = working_days_text(read.availability.working_days, t.language)
        message = t("roles.availability.saved", name=name, hours=hours, days=days)
    return Reply(texts=[message], replace_card=build_roles_card(_roles_form(services, request), t))
