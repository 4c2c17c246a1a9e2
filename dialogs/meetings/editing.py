"""A meeting series created or edited with the series form, in its working group's conversation: the "new meeting"
command, the list's Edit, and the form's Save (checked field by field; nothing is written until all is right)."""

from __future__ import annotations

import uuid
from typing import Any

from cards.meetings import (
    FORM_FIELDS,
    EditPayload,
    MeetingForm,
    SeriesPayload,
    build_meeting_form_card,
)
from cards.menu import MenuSection
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import zone_name
from dialogs.kernel.turn import Reply, Request, Services, Stop, conversation_here
from dialogs.kernel.who import find_project, me, refusal
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import capability, form_unreadable, saved_reply, series_for
from dialogs.meetings.forms import FormErrors, read_series
from dialogs.meetings.reminders import sync_series
from domain.projects import ProjectFacts
from storage.meetings import Duplicate, MeetingRepository, MeetingSeries
from storage.projects import ProjectRepository


@capability.command(
    "new meeting",
    takes_project=True,
    en=("new meeting",),
    nl=("nieuwe vergadering",),
    menu=MenuInfo(
        "menu.new_meeting.title",
        "menu.new_meeting.description",
        {"en": "new meeting DT-042", "nl": "nieuwe vergadering DT-042"},
        section=MenuSection.MEETINGS,
    ),
)
def new_meeting(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    if request.where.is_personal:
        return Reply.text(t("meeting.new.personal"))
    project = find_project(request, services, rest, "new meeting")
    _may_manage(request, services, project)
    values = {
        "timezone": zone_name(request.timezone or services.default_timezone, t.language),
        "duration": "60",
        "leads": rec.format_leads(rec.DEFAULT_LEADS_MINUTES, t.language),
    }
    form = MeetingForm(
        code=project.code, form_id=uuid.uuid4().hex, values=values, can_import=services.calendar is not None
    )
    return Reply.card(build_meeting_form_card(form, t))


@capability.verb(EditPayload)
def edit_series(request: Request, services: Services, payload: EditPayload) -> Reply:
    series, project = series_for(request, services, payload.series)
    values = {
        "title": series.title,
        "kind": series.kind,
        "date": series.first_start.date().isoformat(),
        "time": series.first_start.strftime("%H:%M"),
        "duration": str(series.duration_minutes),
        "timezone": zone_name(series.timezone, request.language),
        "repeat": series.repeat,
        "until": series.until.isoformat() if series.until else "",
        "count": str(series.count) if series.count else "",
        "place": series.place,
        "link": series.link,
        "leads": rec.format_leads(series.leads, request.language),
        "skip_holidays": "true" if series.skip_holidays else "false",
    }
    form = MeetingForm(code=project.code, form_id=uuid.uuid4().hex, series_id=series.id, values=values)
    return Reply.card(build_meeting_form_card(form, request.t))


def _may_manage(request: Request, services: Services, project: ProjectFacts) -> None:
    decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))


# Saving ---------------------------------------------------------------------------------------------------------


@capability.verb(SeriesPayload, on_invalid=form_unreadable)
def save_series(request: Request, services: Services, payload: SeriesPayload) -> Reply:
    t = request.t
    if payload.series:
        editing, project = series_for(request, services, payload.series)
    else:
        editing, project = None, _project_for_new(request, services, payload)
    try:
        values = read_series(payload, t).columns()
    except FormErrors as refused:
        typed = {name: str(getattr(payload, name)) for name in FORM_FIELDS}
        form = MeetingForm(
            code=project.code, form_id=payload.form_id, series_id=payload.series, values=typed, errors=refused.errors
        )
        return Reply(replace_card=build_meeting_form_card(form, t))
    if editing is not None:
        return _update(request, services, editing, values)
    return _create(request, services, project, payload.form_id, values)


def _project_for_new(request: Request, services: Services, payload: SeriesPayload) -> ProjectFacts:
    """The project a new series is for, if this person may plan its meetings; raises Stop otherwise, and when this
    person saved this very form before."""
    project = ProjectRepository(services.db).by_code(payload.code)
    if project is None:
        raise Stop.saying(request.t("lookup.none", reference=payload.code[:60]))
    _may_manage(request, services, project)
    # A shared form (anyone who organises the project's meetings may fill in one shown in the channel): each
    # person's submission is stored once, and never answered with someone else's series.
    _not_saved_before(request, services, submission_key(request, payload.form_id[:64]))
    return project


def _not_saved_before(request: Request, services: Services, form_key: str | None) -> None:
    done = MeetingRepository(services.db).by_form(form_key) if form_key else None
    if done is not None:
        raise Stop(saved_reply(request, services, done, request.t("meeting.already_saved", title=done.title)))


def _update(request: Request, services: Services, editing: MeetingSeries, values: dict[str, Any]) -> Reply:
    assert editing.id is not None
    repository = MeetingRepository(services.db)
    now = services.clock.now()
    repository.update(editing.id, values, now=now)
    series = repository.get(editing.id)
    assert series is not None
    sync_series(services.db, series, now)
    return saved_reply(request, services, series, request.t("meeting.saved", title=series.title))


def _create(request: Request, services: Services, project: ProjectFacts, form_id: str, values: dict[str, Any]) -> Reply:
    t = request.t
    if request.where.is_personal:
        return Reply.text(t("meeting.new.personal"))
    form_key = submission_key(request, form_id[:64])
    here = conversation_here(request, services)
    now = services.clock.now()
    series = MeetingSeries(
        project_id=project.id,
        conversation_ref_id=here.id if here is not None else None,
        coordinator_id=request.person.id,
        form_id=form_key,
        created_at=now,
        updated_at=now,
        **values,
    )
    try:
        series = MeetingRepository(services.db).create(series)
    except Duplicate:
        _not_saved_before(request, services, form_key)  # saved by a retry of this very submission meanwhile
        raise
    sync_series(services.db, series, now)
    return saved_reply(request, services, series, t("meeting.created", title=series.title, code=project.code))
