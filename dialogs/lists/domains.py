"""The domains card: the policy domains projects belong to, added and renamed (in Dutch and English)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from cards.i18n import Translator
from cards.lists import DomainRow, DomainsForm, SaveDomain, build_domains_card
from cards.menu import MenuSection
from cards.payloads import field_errors
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.lists.common import lists_manager, said
from dialogs.lists.declaration import capability
from dialogs.lists.fields import DomainFields
from domain.names import same_name
from storage.lists import ListChange, ListRepository
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
    try:
        fields = DomainFields.model_validate(payload.model_dump())
    except ValidationError as invalid:
        return _again(services, payload, field_errors(invalid, t), t)
    change = _saved(services, fields, who)
    if change.outcome == "unknown":
        return _again(services, payload, {"domain": t("lists.domains.which.missing")}, t)
    if change.outcome == "exists" and not (not fields.renaming and same_name(change.clash, fields.name_nl)):
        return _again(services, payload, {"name_nl": t("lists.name.taken", name=change.clash)}, t)
    return Reply(texts=[said(change, t)], replace_card=build_domains_card(_domains_form(services), t))


def _saved(services: Services, fields: DomainFields, who: int) -> ListChange:
    lists = ListRepository(services.db)
    now = services.clock.now()
    try:
        if fields.renaming:
            assert fields.domain is not None
            return lists.rename_domain(fields.domain, fields.name_nl, fields.name_en, actor_id=who, now=now)
        return lists.add_domain(fields.name_nl, fields.name_en, actor_id=who, now=now)
    except IntegrityError:  # the same card submitted twice at once: the other submission added it
        return ListChange("exists", fields.name_nl, fields.name_nl)


def _again(services: Services, payload: SaveDomain, errors: dict[str, str], t: Translator) -> Reply:
    """The card as filled in, with the errors under their fields."""
    values = payload.model_dump(exclude={"operation"})
    return Reply(replace_card=build_domains_card(_domains_form(services, values=values, errors=errors), t))
