"""The domains card: the policy domains projects belong to, added and renamed (in Dutch and English)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from cards.lists import DomainRow, DomainsForm, SaveDomain, build_domains_card
from cards.menu import MenuSection
from cards.values import parse_id
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.lists.common import lists_manager, said
from dialogs.lists.declaration import capability
from storage.lists import DOMAIN_NAME_MAX, ListChange, ListRepository
from storage.projects import ProjectRepository


def _domains_form(services: Services, **kwargs: dict[str, str]) -> DomainsForm:
    rows = [DomainRow(d.id or 0, d.name_nl, d.name_en) for d in ProjectRepository(services.db).domains()]
    return DomainsForm(domains=rows, **kwargs)


@capability.command(
    "domains",
    en=("domains",),
    nl=("domeinen",),
    menu=MenuInfo(
        "menu.domains.title", "menu.domains.description", {"en": "domains", "nl": "domeinen"},
        requires=Action.MANAGE_LISTS,
        section=MenuSection.ADMIN,
    ),
)  # fmt: skip
def show_domains(request: Request, services: Services, rest: str) -> Reply:
    lists_manager(request, services)
    return Reply.card(build_domains_card(_domains_form(services), request.t))


@capability.verb(SaveDomain)
def save_domain(request: Request, services: Services, payload: SaveDomain) -> Reply:
    t = request.t
    who = lists_manager(request, services)
    errors: dict[str, str] = {}
    name_nl, name_en = payload.name_nl.strip(), payload.name_en.strip()
    renaming = payload.operation == "rename"
    domain_id = parse_id(payload.domain)
    if renaming and domain_id is None:
        errors["domain"] = t("lists.domains.which.missing")
    if not renaming and not name_nl:
        errors["name_nl"] = t("lists.name.missing")
    if renaming and not name_nl and not name_en:
        errors["name_nl"] = t("lists.name.missing")
    for key, value in (("name_nl", name_nl), ("name_en", name_en)):
        if len(value) > DOMAIN_NAME_MAX:
            errors[key] = t("lists.name.too_long", limit=DOMAIN_NAME_MAX)
    if not errors:
        lists = ListRepository(services.db)
        now = services.clock.now()
        try:
            if renaming:
                assert domain_id is not None
                change = lists.rename_domain(domain_id, name_nl, name_en, actor_id=who, now=now)
            else:
                change = lists.add_domain(name_nl, name_en, actor_id=who, now=now)
        except IntegrityError:  # the same card submitted twice at once: the other submission added it
            change = ListChange("exists", name_nl, name_nl)
        if change.outcome == "unknown":
            errors["domain"] = t("lists.domains.which.missing")
        elif change.outcome == "exists" and not (not renaming and change.clash.lower() == name_nl.lower()):
            errors["name_nl"] = t("lists.name.taken", name=change.clash)
        else:
            fresh = build_domains_card(_domains_form(services), t)
            return Reply(texts=[said(change, t)], replace_card=fresh)
    values = payload.model_dump(exclude={"operation"})
    return Reply(replace_card=build_domains_card(_domains_form(services, values=values, errors=errors), t))
