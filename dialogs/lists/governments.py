"""The local governments card: the governments projects work with, paged, added (with a kind chosen or guessed
from the name) and changed."""

from __future__ import annotations

import math

from sqlalchemy.exc import IntegrityError

from cards.lists import (
    AUTO_KIND,
    GOVERNMENT_KINDS,
    GovernmentsForm,
    GovernmentsPage,
    SaveGovernment,
    build_governments_card,
)
from cards.menu import MenuSection
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.lists.common import lists_manager, said
from dialogs.lists.declaration import capability
from domain.governments import guess_kind
from storage.lists import GOVERNMENT_NAME_MAX, ListChange, ListRepository
from storage.projects import GovernmentKind, ProjectRepository

GOVERNMENTS_PAGE_SIZE = 25


def _governments_form(services: Services, page: int, **kwargs: dict[str, str]) -> GovernmentsForm:
    governments = ProjectRepository(services.db).governments()
    pages = max(1, math.ceil(len(governments) / GOVERNMENTS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = governments[(page - 1) * GOVERNMENTS_PAGE_SIZE : page * GOVERNMENTS_PAGE_SIZE]
    return GovernmentsForm(
        governments=[(g.name, g.kind) for g in shown], page=page, pages=pages, total=len(governments), **kwargs
    )


@capability.command(
    "governments",
    en=("governments", "local governments"),
    nl=("besturen", "lokale besturen"),
    menu=MenuInfo(
        "menu.governments.title", "menu.governments.description", {"en": "governments", "nl": "besturen"},
        requires=Action.MANAGE_LISTS,
        section=MenuSection.ADMIN,
    ),
)  # fmt: skip
def show_governments(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    lists_manager(request, services)
    return Reply.card(build_governments_card(_governments_form(services, page), request.t))


@capability.verb(GovernmentsPage)
def page_governments(request: Request, services: Services, payload: GovernmentsPage) -> Reply:
    return show_governments(request, services, "", page=payload.page)


@capability.verb(SaveGovernment)
def save_government(request: Request, services: Services, payload: SaveGovernment) -> Reply:
    t = request.t
    who = lists_manager(request, services)
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
        now = services.clock.now()
        chosen = GovernmentKind(payload.kind) if payload.kind != AUTO_KIND else None
        try:
            if changing:
                assert existing is not None and existing.id is not None
                change = lists.change_government(existing.id, name=name, kind=chosen, actor_id=who, now=now)
            else:
                kind = chosen or GovernmentKind(guess_kind(name))
                change = lists.add_government(name, kind, actor_id=who, now=now)
        except IntegrityError:
            change = ListChange("exists", name, name)
        if change.outcome == "exists" and not (not changing and change.clash.lower() == name.lower()):
            errors["name"] = t("lists.name.taken", name=change.clash)
        else:
            fresh = build_governments_card(_governments_form(services, payload.page), t)
            return Reply(texts=[said(change, t)], replace_card=fresh)
    values = payload.model_dump(exclude={"operation", "page"})
    form = _governments_form(services, payload.page, values=values, errors=errors)
    return Reply(replace_card=build_governments_card(form, t))
