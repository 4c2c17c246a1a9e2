"""The admin's lists in the chat: domains and local governments, added and renamed from cards."""

from __future__ import annotations

import math
from typing import Annotated

from sqlalchemy.exc import IntegrityError

from cards.i18n import Translator
from cards.lists import (
    AUTO_KIND,
    DOMAIN_SAVE_VERB,
    GOVERNMENT_KINDS,
    GOVERNMENT_PAGE_VERB,
    GOVERNMENT_SAVE_VERB,
    DomainRow,
    DomainsForm,
    GovernmentsForm,
    build_domains_card,
    build_governments_card,
)
from cards.menu import MenuSection
from cards.payloads import Payload, StoredIn
from cards.values import parse_id
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Capability
from dialogs.kernel.router import MenuInfo, PagePayload, Router
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import me, refusal
from dialogs.project_import import guess_kind
from storage.lists import DOMAIN_NAME_MAX, GOVERNMENT_NAME_MAX, ListChange, ListRepository
from storage.projects import GovernmentKind, ProjectRepository

GOVERNMENTS_PAGE_SIZE = 25


def register(router: Router) -> None:
    router.command(
        "domains",
        en=("domains",),
        nl=("domeinen",),
        handler=show_domains,
        menu=MenuInfo(
            "menu.domains.title", "menu.domains.description", {"en": "domains", "nl": "domeinen"},
            requires=Action.MANAGE_LISTS,
            section=MenuSection.ADMIN,
        ),
    )  # fmt: skip
    router.command(
        "governments",
        en=("governments", "local governments"),
        nl=("besturen", "lokale besturen"),
        handler=show_governments,
        menu=MenuInfo(
            "menu.governments.title", "menu.governments.description", {"en": "governments", "nl": "besturen"},
            requires=Action.MANAGE_LISTS,
            section=MenuSection.ADMIN,
        ),
    )  # fmt: skip
    router.action(DOMAIN_SAVE_VERB, DomainPayload, save_domain)
    router.action(GOVERNMENT_SAVE_VERB, GovernmentPayload, save_government)
    router.action(GOVERNMENT_PAGE_VERB, PagePayload, lambda r, s, p: show_governments(r, s, "", page=p.page))


class DomainPayload(Payload):
    operation: str = "add"
    domain: str = ""
    name_nl: Annotated[str, StoredIn("domain.name_nl", 128)] = ""
    name_en: Annotated[str, StoredIn("domain.name_en", 128)] = ""


class GovernmentPayload(Payload):
    operation: str = "add"
    page: int = 1
    current: str = ""
    name: Annotated[str, StoredIn("government.name", 200)] = ""
    kind: str = AUTO_KIND


def _refused(request: Request, services: Services) -> Reply | None:
    decision = allowed(me(request, services).actor(), Action.MANAGE_LISTS)
    return None if decision.allowed else refusal(decision, request.t)


# Domains --------------------------------------------------------------------------------------------------------


def _domains_form(services: Services, **kwargs: dict[str, str]) -> DomainsForm:
    rows = [DomainRow(d.id or 0, d.name_nl, d.name_en) for d in ProjectRepository(services.db).domains()]
    return DomainsForm(domains=rows, **kwargs)


def show_domains(request: Request, services: Services, rest: str) -> Reply:
    refused = _refused(request, services)
    if refused is not None:
        return refused
    return Reply.card(build_domains_card(_domains_form(services), request.t))


def save_domain(request: Request, services: Services, payload: DomainPayload) -> Reply:
    t = request.t
    refused = _refused(request, services)
    if refused is not None:
        return refused
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
        who, now = me(request, services).id, services.clock.now()
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
            return Reply(texts=[_said(change, t)], replace_card=fresh)
    values = payload.model_dump(exclude={"operation"})
    return Reply(replace_card=build_domains_card(_domains_form(services, values=values, errors=errors), t))


# Local governments ----------------------------------------------------------------------------------------------


def _governments_form(services: Services, page: int, **kwargs: dict[str, str]) -> GovernmentsForm:
    governments = ProjectRepository(services.db).governments()
    pages = max(1, math.ceil(len(governments) / GOVERNMENTS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = governments[(page - 1) * GOVERNMENTS_PAGE_SIZE : page * GOVERNMENTS_PAGE_SIZE]
    return GovernmentsForm(
        governments=[(g.name, g.kind) for g in shown], page=page, pages=pages, total=len(governments), **kwargs
    )


def show_governments(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    refused = _refused(request, services)
    if refused is not None:
        return refused
    return Reply.card(build_governments_card(_governments_form(services, page), request.t))


def save_government(request: Request, services: Services, payload: GovernmentPayload) -> Reply:
    t = request.t
    refused = _refused(request, services)
    if refused is not None:
        return refused
    errors: dict[str, str] = {}
    changing = payload.operation == "change"
    name, current = payload.name.strip(), payload.current.strip()
    if payload.kind not in (AUTO_KIND, *GOVERNMENT_KINDS):
        errors["kind"] = t("lists.governments.kind.invalid")
    if len(name) > GOVERNMENT_NAME_MAX:
        errors["name"] = t("lists.name.too_long", limit=GOVERNMENT_NAME_MAX)
    lists = ListRepository(services.db)
    existing = lists.government_named(current) if changing and current else None
    if changing and not current:
        errors["current"] = t("lists.governments.current.missing")
    elif changing and existing is None:
        errors["current"] = t("lists.governments.current.unknown", name=current[:80])
    elif changing and not name and payload.kind == AUTO_KIND:
        errors["name"] = t("lists.governments.nothing_to_change")
    if not changing and not name:
        errors["name"] = t("lists.name.missing")
    if not errors:
        who, now = me(request, services).id, services.clock.now()
        chosen = GovernmentKind(payload.kind) if payload.kind != AUTO_KIND else None
        try:
            if changing:
                assert existing is not None and existing.id is not None
                change = lists.change_government(existing.id, name=name, kind=chosen, actor_id=who, now=now)
            else:
                change = lists.add_government(name, chosen or guess_kind(name), actor_id=who, now=now)
        except IntegrityError:
            change = ListChange("exists", name, name)
        if change.outcome == "exists" and not (not changing and change.clash.lower() == name.lower()):
            errors["name"] = t("lists.name.taken", name=change.clash)
        else:
            fresh = build_governments_card(_governments_form(services, payload.page), t)
            return Reply(texts=[_said(change, t)], replace_card=fresh)
    values = payload.model_dump(exclude={"operation", "page"})
    form = _governments_form(services, payload.page, values=values, errors=errors)
    return Reply(replace_card=build_governments_card(form, t))


def _said(change: ListChange, t: Translator) -> str:
    """Adding a name that is already there is no error: a card pressed twice has already done its work."""
    key = {
        "added": "lists.added",
        "changed": "lists.changed",
        "exists": "lists.already",
        "unchanged": "lists.unchanged",
    }
    name = change.clash if change.outcome == "exists" else change.name
    return t(key.get(change.outcome, "lists.unchanged"), name=name)


capability = Capability("lists", install=register)
