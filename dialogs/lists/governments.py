"""The local governments card: the governments projects work with, paged, added (with a kind chosen or guessed
from the name) and changed."""

from __future__ import annotations

import math

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from cards.i18n import Translator
from cards.lists import (
    AUTO_KIND,
    GovernmentsForm,
    GovernmentsPage,
    SaveGovernment,
    build_governments_card,
)
from cards.menu import MenuSection
from cards.payloads import field_errors
from dialogs.kernel.permissions import Action
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.lists.common import lists_manager, said
from dialogs.lists.declaration import capability
from dialogs.lists.fields import GovernmentFields
from domain.governments import guess_kind
from domain.names import match_name, same_name
from storage.lists import ListChange, ListRepository
from storage.projects import Government, GovernmentKind, ProjectRepository

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
    lists = ListRepository(services.db)
    current = payload.current.strip()
    existing, unclear = _named(services, current, t) if payload.operation == "change" and current else (None, "")
    if unclear:
        return _again(services, payload, {"current": unclear}, t)
    try:
        fields = GovernmentFields.model_validate(payload.model_dump(), context={"current_known": existing is not None})
    except ValidationError as invalid:
        return _again(services, payload, field_errors(invalid, t), t)
    now = services.clock.now()
    chosen = GovernmentKind(fields.kind) if fields.kind != AUTO_KIND else None
    try:
        if existing is not None:
            assert existing.id is not None
            change = lists.change_government(existing.id, name=fields.name, kind=chosen, actor_id=who, now=now)
        else:
            kind = chosen or GovernmentKind(guess_kind(fields.name))
            change = lists.add_government(fields.name, kind, actor_id=who, now=now)
    except IntegrityError:
        change = ListChange("exists", fields.name, fields.name)
    if change.outcome == "exists" and not (not fields.changing and same_name(change.clash, fields.name)):
        return _again(services, payload, {"name": t("lists.name.taken", name=change.clash)}, t)
    fresh = build_governments_card(_governments_form(services, payload.page), t)
    return Reply(texts=[said(change, t)], replace_card=fresh)


def _named(services: Services, typed: str, t: Translator) -> tuple[Government | None, str]:
    """The government a person typed to change, in any spelling or by a unique start ("gem zott"): (it, ""), or
    (None, why not): the governments it could be, or the one it looks like. (None, "") when it names none at all:
    the form then says it knows no such government."""
    governments = {g.id: g for g in ProjectRepository(services.db).governments() if g.id is not None}
    match = match_name(typed, {government_id: (g.name,) for government_id, g in governments.items()})
    if match.found is not None:
        return governments[match.found], ""
    if match.candidates:
        names = ", ".join(f"“{governments[c].name}”" for c in match.candidates[:5])
        return None, t("lists.governments.current.ambiguous", name=typed[:80], names=names)
    if match.suggestion is not None:
        suggestion = governments[match.suggestion].name
        return None, t("lists.governments.current.did_you_mean", name=typed[:80], suggestion=suggestion)
    return None, ""


def _again(services: Services, payload: SaveGovernment, errors: dict[str, str], t: Translator) -> Reply:
    """The card as filled in, with the errors under their fields."""
    values = payload.model_dump(exclude={"operation", "page"})
    form = _governments_form(services, payload.page, values=values, errors=errors)
    return Reply(replace_card=build_governments_card(form, t))
