"""What people add to a coming meeting: agenda items (typed, "agenda DT-042 …", or from the reminder card) and
their answers to the reminder (attending or not); the reminder card is drawn again with them, for everyone."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from cards.i18n import translator
from cards.meetings import AGENDA_MAX, AgendaPayload, AttendPayload, DeclinePayload, ReminderRef, format_local
from cards.outbox import OptOutFooter, with_opt_out_footer
from dialogs.kernel.owned import submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.turn import Reply, Request, Services, Stop, conversation_here
from dialogs.kernel.who import find_project, me, refusal
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import capability, overrides_of, rule_of, taking_place
from dialogs.meetings.reminders import REMINDER_KIND, reminder_args, render_reminder
from storage.meetings import MeetingRepository, MeetingSeries
from storage.projects import ProjectRepository


def _next_occurrence(
    services: Services, series_list: list[MeetingSeries]
) -> tuple[MeetingSeries, rec.Occurrence] | None:
    now = services.clock.now()
    repository = MeetingRepository(services.db)
    overrides = repository.overrides([s.id for s in series_list if s.id is not None])
    best: tuple[MeetingSeries, rec.Occurrence] | None = None
    for series in series_list:
        assert series.id is not None
        found = rec.occurrences(
            rule_of(series),
            overrides_of(overrides.get(series.id, [])),
            start=now,
            end=now + timedelta(days=400),
            limit=1,
        )
        if found and (best is None or found[0].start < best[1].start):
            best = (series, found[0])
    return best


@capability.command("agenda", takes_project=True, en=("agenda",), nl=("agenda",))
def add_agenda_typed(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    parts = rest.split(maxsplit=1)
    if len(parts) < 2:
        return Reply.text(t("meeting.agenda.usage"))
    project = find_project(request, services, parts[0], "agenda")
    decision = allowed(me(request, services).actor(project), Action.VIEW_PROJECT)
    here = conversation_here(request, services)
    repository = MeetingRepository(services.db)
    series_list = repository.active_series(project_ids=[project.id])
    in_its_conversation = here is not None and any(s.conversation_ref_id == here.id for s in series_list)
    if not decision.allowed and not in_its_conversation:
        return refusal(decision, t)
    upcoming = _next_occurrence(services, series_list)
    if upcoming is None:
        return Reply.text(t("meeting.agenda.no_meeting", code=project.code))
    series, occurrence = upcoming
    assert series.id is not None
    text = " ".join(parts[1].split())
    if len(text) > AGENDA_MAX:
        return Reply.text(t("meeting.agenda.too_long", limit=AGENDA_MAX, length=len(text)))
    # Teams retries a message: one item per message, keyed on who sent it where (message ids are not unique
    # across conversations, and a key without the sender could swallow another person's item).
    where = request.where.conversation_id
    form_id = submission_key(request, f"{where}|{request.activity_id}", "a:") if request.activity_id else None
    repository.add_agenda(
        series.id, occurrence.key, text, person_id=request.person.id, form_id=form_id, now=services.clock.now()
    )
    when = format_local(occurrence.start, series.timezone, t)
    return Reply.text(t("meeting.agenda.added", text=text, title=series.title, when=when))


def _answerable(request: Request, services: Services, series_id: int) -> MeetingSeries:
    """The series a reminder names, if this person may answer it: anyone in the meeting's conversation (a working
    group has external members), or who may see the project; raises Stop otherwise (as if it were gone)."""
    series = MeetingRepository(services.db).get(series_id)
    if series is None or series.id is None or not _may_answer(request, services, series):
        raise Stop.saying(request.t("meeting.gone"))
    return series


def _may_answer(request: Request, services: Services, series: MeetingSeries) -> bool:
    here = conversation_here(request, services)
    if here is not None and here.id == series.conversation_ref_id:
        return True
    project = ProjectRepository(services.db).facts(series.project_id)
    return project is not None and allowed(me(request, services).actor(project), Action.VIEW_PROJECT).allowed


@capability.verb(AgendaPayload)
def add_agenda_from_card(request: Request, services: Services, payload: AgendaPayload) -> Reply:
    t = request.t
    series = _answerable(request, services, payload.series)
    assert series.id is not None
    taking_place(request, services, series, payload.occurrence)
    text = " ".join(payload.agenda_text.split())
    if len(text) > AGENDA_MAX:
        return Reply.text(t("meeting.agenda.too_long", limit=AGENDA_MAX, length=len(text)))
    if text:
        # Teams retries an invoke: the same person adding the same text to the same occurrence is one item.
        digest = hashlib.sha256(f"{series.id}|{payload.occurrence}|{request.person.id}|{text}".encode()).hexdigest()
        MeetingRepository(services.db).add_agenda(
            series.id,
            payload.occurrence,
            text,
            person_id=request.person.id,
            form_id=f"c:{digest[:60]}",
            now=services.clock.now(),
        )
    notice = t("meeting.agenda.added_card", text=text) if text else t("meeting.agenda.empty")
    return _reminder_reply(request, services, payload, notice)


# Answers --------------------------------------------------------------------------------------------------------


@capability.verb(AttendPayload)
def attend(request: Request, services: Services, payload: AttendPayload) -> Reply:
    return _answer(request, services, payload, attending=True)


@capability.verb(DeclinePayload)
def decline(request: Request, services: Services, payload: DeclinePayload) -> Reply:
    return _answer(request, services, payload, attending=False)


def _answer(request: Request, services: Services, payload: ReminderRef, *, attending: bool) -> Reply:
    t = request.t
    series = _answerable(request, services, payload.series)
    assert series.id is not None
    if request.person.id is None:
        return Reply.text(t("meeting.gone"))
    taking_place(request, services, series, payload.occurrence)
    MeetingRepository(services.db).answer(
        series.id, payload.occurrence, request.person.id, attending=attending, now=services.clock.now()
    )
    notice = t("meeting.rsvp.yes") if attending else t("meeting.rsvp.no")
    return _reminder_reply(request, services, payload, notice)


def _reminder_reply(request: Request, services: Services, payload: ReminderRef, notice: str) -> Reply:
    """The reminder card as it stands now, to replace the pressed one (Action.Execute) for everyone."""
    t = request.t
    args = reminder_args(
        services.db,
        {"series": payload.series, "occurrence": payload.occurrence, "lead": payload.lead, "first": payload.first},
        services.clock.now(),
        for_invoke=True,
    )
    if args is None:
        return Reply.text(t("meeting.occurrence.already_cancelled"))
    # The card is the conversation's, shown to everyone there: in its language, as the reminder was sent.
    shared = not request.where.is_personal
    card_t = translator(services.default_language) if shared else t
    content = render_reminder(args, card_t)
    footer = OptOutFooter(
        kind=REMINDER_KIND,
        why=card_t(f"outbox.why.{REMINDER_KIND}"),
        kind_name=card_t(f"outbox.kind.{REMINDER_KIND}"),
        conversation_scope=shared,
    )
    return Reply(texts=[notice], replace_card=with_opt_out_footer(content, footer, card_t), update_for_everyone=shared)
