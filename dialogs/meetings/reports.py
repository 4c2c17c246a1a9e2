"""After a meeting: the coordinator's report (decisions and action items, asked for by the report prompt), a
project's open action items ("actions DT-042") and marking one done."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cards.i18n import Translator
from cards.meetings import (
    REPORT_ACTION_ROWS,
    ActionDonePayload,
    ActionsPayload,
    ReportForm,
    ReportPayload,
    build_action_items_card,
    build_meeting_report_card,
)
from cards.payloads import length_errors
from cards.values import parse_date
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.search import team_choices
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from dialogs.meetings import live
from dialogs.meetings.common import (
    can_manage,
    capability,
    form_unreadable,
    occurrence_of,
    series_for,
    taking_place,
)
from dialogs.meetings.forms import FormErrors
from domain.projects import ProjectFacts
from storage.meetings import Duplicate, MeetingRepository, MeetingSeries, ReportAction, ReportInput
from storage.outbox import OutboxRepository
from storage.projects import ProjectRepository


@capability.verb(ReportPayload, on_invalid=form_unreadable)
def save_report(request: Request, services: Services, payload: ReportPayload) -> Reply:
    t = request.t
    series, project = series_for(request, services, payload.series)
    assert series.id is not None
    taking_place(request, services, series, payload.occurrence)
    repository = MeetingRepository(services.db)
    if repository.report_exists(series.id, payload.occurrence):
        return Reply.text(t("meeting.report.already", title=series.title))
    try:
        actions = _read_actions(services, payload, t)
    except FormErrors as refused:
        return Reply(replace_card=_report_again(services, series, project.code, payload, refused.errors, t))
    now = services.clock.now()
    try:
        repository.save_report(
            series,
            payload.occurrence,
            ReportInput(decisions=payload.decisions.strip()[:4000], actions=actions),
            person_id=request.person.id,
            now=now,
        )
    except Duplicate:
        return Reply.text(t("meeting.report.already", title=series.title))
    OutboxRepository(services.db).cancel(key=f"meeting-report:{series.id}:{payload.occurrence}", now=now)
    count = len(actions)
    items = t("meeting.report.actions", count=count)
    saved = _actions_reply(request, services, project, t("meeting.report.saved", title=series.title, actions=items))
    return saved.then(live.report_saved(request, services, series, payload.occurrence))


def _read_actions(services: Services, payload: ReportPayload, t: Translator) -> list[ReportAction]:
    """The report's action items, row by row (a row without a text is none, unless it names an owner or a due
    date); raises FormErrors with the message for each field that needs the person."""
    errors: dict[str, str] = length_errors(payload, t)
    actions: list[ReportAction] = []
    for i in range(1, REPORT_ACTION_ROWS + 1):
        text = " ".join(str(getattr(payload, f"action_{i}")).split())[:1000]
        # An address typed under the picker wins (cards.base.person_fields).
        owner_text = (str(getattr(payload, f"owner_{i}_new")) or str(getattr(payload, f"owner_{i}"))).strip()
        due_text = str(getattr(payload, f"due_{i}")).strip()
        if not text:
            if owner_text or due_text:
                errors[f"action_{i}"] = t("meeting.report.action_missing")
            continue
        owner = resolve_person(services, owner_text, t) if owner_text else PersonPick()
        if isinstance(owner, str):
            errors[f"owner_{i}"], owner = owner, PersonPick()
        due = parse_date(due_text) if due_text else None
        if due_text and due is None:
            errors[f"due_{i}"] = t("meeting.date.invalid", value=due_text[:20])
        actions.append(ReportAction(text, owner.person_id, owner.email, due))
    if errors:
        raise FormErrors(errors)
    return actions


def _report_again(
    services: Services,
    series: MeetingSeries,
    code: str,
    payload: ReportPayload,
    errors: dict[str, str],
    t: Translator,
) -> dict[str, Any]:
    """The report form as typed, with the errors under their fields."""
    assert series.id is not None
    occurrence = occurrence_of(services.db, series, payload.occurrence)
    start = occurrence.start if occurrence else services.clock.now()
    form = ReportForm(
        series.id,
        payload.occurrence,
        code,
        series.title,
        start,
        start + timedelta(minutes=series.duration_minutes),
        series.timezone,
        payload.form_id,
        {k: str(v) for k, v in payload.model_dump().items()},
        errors,
        tuple(team_choices(services.db, series.project_id)),
    )
    return build_meeting_report_card(form, t)


# Action items ---------------------------------------------------------------------------------------------------


@capability.command("actions", takes_project=True, en=("actions",), nl=("acties",))
def list_actions(request: Request, services: Services, rest: str) -> Reply:
    project = find_project(request, services, rest, "actions")
    decision = allowed(me(request, services).actor(project), Action.VIEW_PROJECT)
    if not decision.allowed:
        return refusal(decision, request.t)
    return _actions_reply(request, services, project, None)


@capability.verb(ActionsPayload)
def actions_from_card(request: Request, services: Services, payload: ActionsPayload) -> Reply:
    return list_actions(request, services, payload.code)


def _actions_reply(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> Reply:
    manage = can_manage(request, services, project)
    actions = MeetingRepository(services.db).actions(project.id)
    markable = {a.id for a in actions if manage or a.owner_id == request.person.id}
    card = build_action_items_card(project.code, project.name, actions, request.t, markable=markable)
    if notice is None:
        return Reply.card(card)
    return Reply(texts=[notice], replace_card=card)


@capability.verb(ActionDonePayload)
def mark_action_done(request: Request, services: Services, payload: ActionDonePayload) -> Reply:
    t = request.t
    repository = MeetingRepository(services.db)
    action = repository.action(payload.action)
    project = ProjectRepository(services.db).facts(action.project_id) if action else None
    if action is None or project is None:
        return Reply.text(t("meeting.gone"))
    decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
    if not decision.allowed and action.owner_id != request.person.id:
        return Reply.text(t("meeting.actions.not_yours"))
    changed = repository.mark_done(action.id, now=services.clock.now())
    key = "meeting.actions.marked" if changed else "meeting.actions.already"
    return _actions_reply(request, services, project, t(key, text=action.text[:100]))
