"""People in the chat: the admin's roles card, and each person's own data (GDPR): export and erasure."""

from __future__ import annotations

import hashlib

from cards.menu import MenuSection
from cards.payloads import Payload
from cards.people import (
    FORGET_CANCEL_VERB,
    FORGET_VERB,
    ROLES,
    ROLES_SAVE_VERB,
    RoleHolder,
    RolesForm,
    build_forget_card,
    build_my_data_card,
    build_roles_card,
)
from cards.values import parse_id
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Capability
from dialogs.kernel.router import MenuInfo, Router
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.kernel.who import me, refusal
from storage.directory import DirectoryRepository, Role
from storage.privacy import PrivacyRepository, export_csv, export_json
from storage.projects import ProjectRepository


def register(router: Router) -> None:
    router.command(
        "my data",
        en=("my data",),
        nl=("mijn gegevens",),
        handler=my_data,
        menu=MenuInfo(
            "menu.my_data.title",
            "menu.my_data.description",
            {"en": "my data", "nl": "mijn gegevens"},
            section=MenuSection.YOU,
        ),
    )
    router.command(
        "forget me",
        en=("forget me",),
        nl=("vergeet mij", "vergeet me"),
        handler=forget_me,
        menu=MenuInfo(
            "menu.forget_me.title",
            "menu.forget_me.description",
            {"en": "forget me", "nl": "vergeet mij"},
            section=MenuSection.YOU,
        ),
    )
    router.command(
        "roles",
        en=("roles",),
        nl=("rollen",),
        handler=show_roles,
        menu=MenuInfo(
            "menu.roles.title", "menu.roles.description", {"en": "roles", "nl": "rollen"},
            requires=Action.MANAGE_PEOPLE,
            section=MenuSection.ADMIN,
        ),
    )  # fmt: skip
    router.action(ROLES_SAVE_VERB, RolesPayload, save_roles)
    router.action(FORGET_VERB, ForgetPayload, confirm_forget)
    router.action(FORGET_CANCEL_VERB, CancelPayload, lambda r, s, p: Reply.text(r.t("forget.cancelled")))


class RolesPayload(Payload):
    operation: str = "grant"
    person: str = ""
    role: str = ""
    domains: str = ""


class ForgetPayload(Payload):
    token: str = ""


class CancelPayload(Payload):
    pass


# Roles ----------------------------------------------------------------------------------------------------------


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
    return RolesForm(holders=holders, domains=[(str(d.id), names[d.id]) for d in domains], **kwargs)  # type: ignore[arg-type]


def show_roles(request: Request, services: Services, rest: str) -> Reply:
    decision = allowed(me(request, services).actor(), Action.MANAGE_PEOPLE)
    if not decision.allowed:
        return refusal(decision, request.t)
    return Reply.card(build_roles_card(_roles_form(services, request), request.t))


def save_roles(request: Request, services: Services, payload: RolesPayload) -> Reply:
    t = request.t
    who = me(request, services)
    decision = allowed(who.actor(), Action.MANAGE_PEOPLE)
    if not decision.allowed:
        return refusal(decision, t)
    errors: dict[str, str] = {}
    directory = DirectoryRepository(services.db)
    people = directory.find(payload.person) if payload.person.strip() else []
    if not payload.person.strip():
        errors["person"] = t("roles.person.missing")
    elif not people:
        errors["person"] = t("roles.person.unknown", value=payload.person.strip()[:80])
    elif len(people) > 1:
        errors["person"] = t(
            "project.person.several", value=payload.person.strip()[:80], names=", ".join(p.name for p in people[:5])
        )
    if payload.role not in ROLES:
        errors["role"] = t("roles.role.invalid")
    domain_ids = {number for p in payload.domains.split(",") if (number := parse_id(p)) is not None}
    if errors:
        values = payload.model_dump(exclude={"operation"})
        return Reply(replace_card=build_roles_card(_roles_form(services, request, values=values, errors=errors), t))
    person = people[0]
    assert person.id is not None
    role = Role(payload.role)
    now = services.clock.now()
    name = person.name or person.email or "?"
    if payload.operation == "revoke":
        if role == Role.ADMIN and person.id == who.id:
            return Reply.text(t("roles.not_yourself"))
        changed = directory.revoke(person.id, role, actor_id=who.id, now=now)
        message = t("roles.revoked" if changed else "roles.not_held", name=name, role=t(f"role.{role.value}"))
    else:
        changed = directory.grant(person.id, role, actor_id=who.id, now=now)
        if role == Role.MANAGER:
            changed = directory.set_managed_domains(person.id, domain_ids, actor_id=who.id, now=now) or changed
        message = t("roles.granted" if changed else "roles.already", name=name, role=t(f"role.{role.value}"))
    return Reply(texts=[message], replace_card=build_roles_card(_roles_form(services, request), t))


# Own data -------------------------------------------------------------------------------------------------------


def my_data(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    assert request.person.id is not None
    data = PrivacyRepository(services.db).export(request.person.id)
    stem = t("mydata.file_stem")
    files = (f"{stem}.json", f"{stem}.csv")
    sections = [(name, len(rows)) for name, rows in data.items() if name != "bot_state"]
    return Reply(
        cards=[build_my_data_card(sections, t, files=files)],
        files=[
            OutgoingFile(files[0], "application/json", export_json(data).encode(), t("mydata.file.json")),
            # With a byte-order mark, so spreadsheet programs read the accented names as UTF-8.
            OutgoingFile(files[1], "text/csv", export_csv(data).encode("utf-8-sig"), t("mydata.file.csv")),
        ],
    )


def _forget_token(request: Request) -> str:
    """Ties the confirmation card to the person it was shown to, so nobody else's click can use it."""
    return hashlib.sha256(f"forget:{request.person.tenant_id}:{request.person.aad_object_id}".encode()).hexdigest()[:16]


def forget_me(request: Request, services: Services, rest: str) -> Reply:
    return Reply.card(build_forget_card(request.t, token=_forget_token(request)))


def confirm_forget(request: Request, services: Services, payload: ForgetPayload) -> Reply:
    t = request.t
    if payload.token != _forget_token(request):
        return Reply.text(t("forget.not_yours"))
    assert request.person.id is not None
    PrivacyRepository(services.db).forget(request.person.id, now=services.clock.now())
    return Reply(texts=[t("forget.done")], replace_card=None)


capability = Capability("people", install=register)
