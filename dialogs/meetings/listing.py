"""The upcoming meetings (of a project, of this conversation, or one's own) and what the list's buttons do: page
through it, move or cancel one meeting, and send a series' reminders to another conversation."""

from __future__ import annotations

from typing import Any

from cards.i18n import Translator
from cards.meetings import (
    CancelOnePayload,
    ConversationFormPayload,
    ListPayload,
    MoveForm,
    MoveFormPayload,
    MovePayload,
    RelinkPayload,
    build_meeting_conversation_card,
    build_meetings_card,
    build_occurrence_move_card,
    format_local,
    when_text,
)
from cards.menu import MenuSection
from cards.values import parse_id
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import Reply, Request, Services, Stop, conversation_here
from dialogs.kernel.who import find_project, me, refusal
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import (
    capability,
    conversation_label,
    lines,
    occurrence_of,
    saved_reply,
    series_card,
    series_for,
)
from dialogs.meetings.forms import FormErrors, read_new_start
from dialogs.meetings.reminders import sync_series
from storage.meetings import MeetingRepository, MeetingSeries, retarget_pending
from storage.projects import ProjectRepository


@capability.command(
    "meetings",
    takes_project=True,
    en=("meetings",),
    nl=("vergaderingen",),
    menu=MenuInfo(
        "menu.meetings.title",
        "menu.meetings.description",
        {"en": "meetings", "nl": "vergaderingen"},
        section=MenuSection.MEETINGS,
    ),
)
def list_meetings(request: Request, services: Services, rest: str) -> Reply:
    return _list(request, services, rest)


def _list(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    code = ""
    if rest.strip():
        project = find_project(request, services, rest, "meetings")
        decision = allowed(me(request, services).actor(project), Action.VIEW_PROJECT)
        if not decision.allowed:
            return refusal(decision, t)
        series_list = repository.active_series(project_ids=[project.id])
        scope, code = f"{project.code} · {project.name}", project.code
    elif (
        not request.where.is_personal
        and (here := conversation_here(request, services)) is not None
        and here.id is not None
    ):
        series_list = repository.series_in_conversation(here.id)
        scope = t("meeting.list.here")
    else:
        who = me(request, services)
        projects = ProjectRepository(services.db).for_person(who.id, who.domains)
        series_list = repository.active_series(project_ids=[p.id for p in projects])
        scope = t("meeting.list.mine")
    card = build_meetings_card(
        lines(request, services, series_list),
        t,
        scope=scope,
        page=page,
        paging={"code": code},
        show_code=not code,  # a project's list names it in the heading
        reader_zone=request.timezone,
    )
    return Reply.card(card)


@capability.verb(ListPayload)
def list_page(request: Request, services: Services, payload: ListPayload) -> Reply:
    """A button elsewhere opens the list anew; the list's own Previous/Next show another page in it."""
    page = payload.page or 1
    if payload.series is not None:
        series, _project = series_for(request, services, payload.series, Action.VIEW_PROJECT)
        reply = Reply.card(series_card(request, services, series, page=page))
    else:
        reply = _list(request, services, payload.code, page=page)
    if payload.page is None or not reply.cards:
        return reply
    return Reply(texts=reply.texts, replace_card=reply.cards[0])


# Cancelling and moving one meeting ------------------------------------------------------------------------------


def _still_planned(request: Request, services: Services, series: MeetingSeries, key: str) -> rec.Occurrence:
    occurrence = occurrence_of(services.db, series, key)
    if occurrence is None:
        raise Stop.saying(request.t("meeting.occurrence.already_cancelled"))
    return occurrence


@capability.verb(CancelOnePayload)
def cancel_occurrence(request: Request, services: Services, payload: CancelOnePayload) -> Reply:
    t = request.t
    series, _project = series_for(request, services, payload.series)
    assert series.id is not None
    occurrence = _still_planned(request, services, series, payload.occurrence)
    now = services.clock.now()
    MeetingRepository(services.db).set_override(series.id, occurrence.key, cancelled=True, moved_to=None, now=now)
    sync_series(services.db, series, now)
    when = format_local(occurrence.start, series.timezone, t)
    return saved_reply(request, services, series, t("meeting.occurrence.cancelled", title=series.title, when=when))


@capability.verb(MoveFormPayload)
def move_form(request: Request, services: Services, payload: MoveFormPayload) -> Reply:
    series, _project = series_for(request, services, payload.series)
    assert series.id is not None
    occurrence = _still_planned(request, services, series, payload.occurrence)
    local = occurrence.local_start
    values = {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}
    when = when_text(occurrence.start, occurrence.end, series.timezone, request.t)
    form = MoveForm(series.id, occurrence.key, series.title, values, when=when)
    return Reply.card(build_occurrence_move_card(form, request.t))


@capability.verb(MovePayload)
def move_occurrence(request: Request, services: Services, payload: MovePayload) -> Reply:
    t = request.t
    series, _project = series_for(request, services, payload.series)
    assert series.id is not None
    occurrence = _still_planned(request, services, series, payload.occurrence)
    now = services.clock.now()
    try:
        moved_to = read_new_start(payload, series.timezone, now, t)
    except FormErrors as refused:
        when = when_text(occurrence.start, occurrence.end, series.timezone, t)
        form = MoveForm(series.id, occurrence.key, series.title, payload.model_dump(), refused.errors, when=when)
        return Reply(replace_card=build_occurrence_move_card(form, t))
    MeetingRepository(services.db).set_override(series.id, occurrence.key, cancelled=False, moved_to=moved_to, now=now)
    sync_series(services.db, series, now)
    when = format_local(rec.to_utc(moved_to, series.timezone), series.timezone, t)
    return saved_reply(request, services, series, t("meeting.occurrence.moved", title=series.title, when=when))


# Sending a series' reminders to another conversation ------------------------------------------------------------


def _conversation_choices(
    services: Services, series: MeetingSeries, tenant_id: str, t: Translator
) -> list[tuple[int, str]]:
    repository = MeetingRepository(services.db)
    refs = {ref.id: ref for ref in repository.project_conversations(series.project_id) if ref.id is not None}
    for ref in repository.group_conversations(tenant_id):
        if ref.id is not None:
            refs.setdefault(ref.id, ref)
    return [(ref_id, conversation_label(ref, t)) for ref_id, ref in refs.items()]


@capability.verb(ConversationFormPayload)
def conversation_form(request: Request, services: Services, payload: ConversationFormPayload) -> Reply:
    series, _project = series_for(request, services, payload.series)
    assert series.id is not None
    choices = _conversation_choices(services, series, request.where.tenant_id, request.t)
    card = build_meeting_conversation_card(
        series.id, series.title, choices, request.t, current=series.conversation_ref_id
    )
    return Reply.card(card)


@capability.verb(RelinkPayload)
def relink_series(request: Request, services: Services, payload: RelinkPayload) -> Reply:
    t = request.t
    series, _project = series_for(request, services, payload.series)
    assert series.id is not None
    choices = _conversation_choices(services, series, request.where.tenant_id, t)
    wanted = parse_id(payload.conversation)
    if wanted is None or wanted not in {ref_id for ref_id, _ in choices}:
        card: dict[str, Any] = build_meeting_conversation_card(
            series.id,
            series.title,
            choices,
            t,
            current=series.conversation_ref_id,
            error=t("meeting.relink.invalid"),
        )
        return Reply(replace_card=card)
    now = services.clock.now()
    MeetingRepository(services.db).update(series.id, {"conversation_ref_id": wanted}, now=now)
    retarget_pending(services.db, f"reminder:{series.id}:", wanted, now=now)
    label = dict(choices)[wanted]
    updated = MeetingRepository(services.db).get(series.id)
    assert updated is not None
    sync_series(services.db, updated, now)
    return saved_reply(request, services, updated, t("meeting.relinked", title=series.title, where=label))
