"""The meeting itself (issue 18, item 4): a Teams meeting's own chat linked to a project's meeting series, and what
the bot posts there when Teams says the meeting started or ended.

- `vergadering koppelen DT-042 [titel]` / `link meeting DT-042 [title]`, typed in the meeting chat by whoever may
  manage the project's meetings, links that chat to the project's series (the one named by its title when the
  project has several). A series imported from Outlook needs no link: its Teams join URL (the series' link) names
  the meeting chat, and the first event from that chat links it.
- `application/vnd.microsoft.meetingStart`: the agenda card of the occurrence that meeting is (the reminder card
  of dialogs/meetings/reminders.py, read now: agenda items, open action items, the project's status line).
- `application/vnd.microsoft.meetingEnd`: the meeting-report form (dialogs/meetings/reports.py saves it) for the
  coordinator to complete; the personal reminder to write it is then no longer sent. Once saved, the report is
  posted in the meeting chat and the working group's conversation, and offered as a DOCX (report_saved).

Events from chats linked to nothing, or at a moment no occurrence of the series is near, are ignored without a
word; each start and end is answered once per occurrence (Teams retries an event, a meeting may start again after
everyone left), whoever's client sent it. Teams sends these events only to apps with the resource-specific
permissions named in docs/deploy.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from cards.i18n import Translator
from cards.meetings import ReportForm, build_meeting_report_card
from cards.meetings.minutes import Minutes, build_minutes_card
from cards.menu import MenuSection
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.search import matches, team_choices
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services, Stop
from dialogs.kernel.who import find_project, me, refusal
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import capability, rule_of, series_overrides
from dialogs.meetings.reminders import reminder_args, render_reminder
from dialogs.meetings.report_document import DOCX_TYPE, file_name, minutes_docx
from storage.meetings import MeetingRepository, MeetingSeries
from storage.outbox import OutboxRepository, Target, builder_payload

MEETING_START = "application/vnd.microsoft.meetingStart"
MEETING_END = "application/vnd.microsoft.meetingEnd"
# How far from the moment Teams names an occurrence of the series may start (or end) and still be the one meant:
# a meeting started early or late, or in another zone's evening, but not last week's.
NEAR = timedelta(hours=12)
_MEETING_THREAD = re.compile(r"19:meeting_[^/?#\s]+@thread\.v2", re.IGNORECASE)
_FRACTION = re.compile(r"(\.\d{6})\d+")


def meeting_chat_id(conversation_id: str) -> str:
    """The meeting chat's own id, without a thread's message suffix."""
    return conversation_id.split(";", 1)[0]


def is_meeting_chat(request: Request) -> bool:
    return request.where.conversation_type == "groupChat" and bool(
        _MEETING_THREAD.fullmatch(meeting_chat_id(request.where.conversation_id))
    )


# Linking --------------------------------------------------------------------------------------------------------


@capability.command(
    "link meeting",
    takes_project=True,
    en=("link meeting",),
    nl=("vergadering koppelen", "koppel vergadering"),
    menu=MenuInfo(
        "menu.link_meeting.title",
        "menu.link_meeting.description",
        {"en": "link meeting DT-042", "nl": "vergadering koppelen DT-042"},
        requires=Action.MANAGE_MEETINGS,
        section=MenuSection.MEETINGS,
    ),
)
def link_meeting(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    if not is_meeting_chat(request):
        return Reply.text(t("meeting.live.not_a_meeting_chat"))
    reference, _, title = rest.strip().partition(" ")
    typed = "link meeting" if request.language == "en" else "vergadering koppelen"
    project = find_project(request, services, reference, typed)
    decision = allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS)
    if not decision.allowed:
        return refusal(decision, t)
    series = _series_named(request, services, project.id, project.code, title)
    assert series.id is not None
    MeetingRepository(services.db).link_chat(
        series.id,
        meeting_chat_id(request.where.conversation_id),
        person_id=request.person.id,
        now=services.clock.now(),
    )
    return Reply.text(t("meeting.live.linked", title=series.title, code=project.code))


def _series_named(request: Request, services: Services, project_id: int, code: str, title: str) -> MeetingSeries:
    """The project's one active series, or the one whose title the typed words name; else Stop saying which."""
    t = request.t
    active = MeetingRepository(services.db).active_series(project_ids=[project_id])
    if not active:
        raise Stop.saying(t("meeting.live.no_series", code=code))
    named = [series for series in active if matches(title, series.title)] if title.strip() else active
    if len(named) == 1:
        return named[0]
    titles = ", ".join(f"“{series.title}”" for series in (named or active)[:10])
    raise Stop.saying(t("meeting.live.which_series", code=code, titles=titles))


# Events ---------------------------------------------------------------------------------------------------------


@capability.event(MEETING_START)
def meeting_started(request: Request, services: Services, value: dict[str, Any]) -> Reply | None:
    found = _occurrence_here(request, services, value, "StartTime", ending=False)
    if found is None:
        return None
    series, occurrence = found
    wanted = {"series": series.id, "occurrence": occurrence.key, "lead": 0}
    args = reminder_args(services.db, wanted, services.clock.now(), for_invoke=True)
    if args is None:
        return None
    card = render_reminder(args, request.t)
    # The reminder card as the agenda of a meeting under way: its heading says so instead of "Reminder".
    card["body"][0]["text"] = request.t("meeting.live.agenda_title", title=series.title)
    return Reply.card(card)


@capability.event(MEETING_END)
def meeting_ended(request: Request, services: Services, value: dict[str, Any]) -> Reply | None:
    found = _occurrence_here(request, services, value, "EndTime", ending=True)
    if found is None:
        return None
    series, occurrence = found
    assert series.id is not None
    repository = MeetingRepository(services.db)
    if repository.report_exists(series.id, occurrence.key):
        return None
    # The same form and form id as the personal reminder to write the report, which is no longer needed.
    key = f"meeting-report:{series.id}:{occurrence.key}"
    OutboxRepository(services.db).cancel(key=key, now=services.clock.now())
    project = repository.project_codes([series.project_id]).get(series.project_id)
    form = ReportForm(
        series_id=series.id,
        occurrence=occurrence.key,
        code=project[0] if project else "",
        title=series.title,
        start=occurrence.start,
        end=occurrence.end,
        timezone=series.timezone,
        form_id=key[-64:],
        people=tuple(team_choices(services.db, series.project_id)),
    )
    return Reply(texts=[request.t("meeting.live.report_asked")], cards=[build_meeting_report_card(form, request.t)])


def _occurrence_here(
    request: Request, services: Services, value: dict[str, Any], moment: str, *, ending: bool
) -> tuple[MeetingSeries, rec.Occurrence] | None:
    """The linked series' occurrence this event is about, claimed for this kind of event; None: not linked, no
    occurrence near, or answered before."""
    series = _linked_series(request, services, value)
    if series is None or series.id is None:
        return None
    instant = _instant(value.get(moment)) or services.clock.now()
    occurrence = _nearest(services, series, instant, ending=ending)
    if occurrence is None:
        return None
    kind = "end" if ending else "start"
    claimed = MeetingRepository(services.db).claim_chat_event(
        f"{series.id}:{occurrence.key}:{kind}", series.id, now=services.clock.now()
    )
    return (series, occurrence) if claimed else None


def _linked_series(request: Request, services: Services, value: dict[str, Any]) -> MeetingSeries | None:
    """The active series this meeting chat is linked to; or, the first time, the one imported from Outlook whose
    join URL names this chat or is the event's (then linked, so later events find it at once)."""
    repository = MeetingRepository(services.db)
    chat_id = meeting_chat_id(request.where.conversation_id)
    linked = repository.chat(chat_id)
    if linked is not None:
        series = repository.get(linked.series_id)
        return series if series is not None and series.cancelled_at is None else None
    join_url = value.get("JoinUrl") if isinstance(value.get("JoinUrl"), str) else ""
    meeting_id = value.get("Id") if isinstance(value.get("Id"), str) else ""
    wanted = {chat_id.lower(), _thread_of(str(join_url))} - {""}
    for series in repository.active_series():
        if series.link and series.id is not None and _thread_of(series.link) in wanted:
            repository.link_chat(
                series.id,
                chat_id,
                join_url=str(join_url),
                teams_meeting_id=str(meeting_id),
                person_id=None,
                now=services.clock.now(),
            )
            return series
    return None


def _thread_of(url: str) -> str:
    """The meeting chat a Teams join URL names ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_...")."""
    found = _MEETING_THREAD.search(unquote(url))
    return found.group(0).lower() if found else ""


def _instant(value: object) -> datetime | None:
    """A moment as Teams writes it ("2026-11-23T09:00:02.1234567Z"), aware; None when there is none to read."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _nearest(services: Services, series: MeetingSeries, instant: datetime, *, ending: bool) -> rec.Occurrence | None:
    window = rec.occurrences(
        rule_of(series),
        series_overrides(services.db, series),
        start=instant - NEAR - timedelta(minutes=series.duration_minutes),
        end=instant + NEAR,
    )

    def distance(occurrence: rec.Occurrence) -> timedelta:
        return abs((occurrence.end if ending else occurrence.start) - instant)

    near = [occurrence for occurrence in window if distance(occurrence) <= NEAR]
    return min(near, key=distance) if near else None


# The saved report -----------------------------------------------------------------------------------------------

MINUTES_BUILDER = "meeting.minutes"
MINUTES_KIND = "meeting.minutes"
MINUTES_WINDOW = timedelta(days=3)  # a report not delivered within this time is no news any more


def report_saved(request: Request, services: Services, series: MeetingSeries, key: str) -> Reply:
    """After a meeting's report is saved (dialogs/meetings/reports.py), for a series whose meeting has its own chat:
    the report posted (through the outbox) in that chat and in the working group's conversation, and the DOCX
    "projectverslag" offered to whoever saved it. Nothing for a series without a meeting chat."""
    assert series.id is not None
    repository = MeetingRepository(services.db)
    chats = repository.chats_of(series.id)
    minutes = _minutes(services, series, key) if chats else None
    if minutes is None:
        return Reply()
    now = services.clock.now()
    targets = [services.conversations.get("msteams", chat.conversation_id) for chat in chats]
    if series.conversation_ref_id is not None:
        targets.append(repository.conversation(series.conversation_ref_id))
    outbox = OutboxRepository(services.db)
    for ref in {ref.id: ref for ref in targets if ref is not None and ref.active and ref.id is not None}.values():
        outbox.enqueue(
            dedup_key=f"meeting-minutes:{series.id}:{key}:{ref.id}",
            kind=MINUTES_KIND,
            target=Target(tenant_id=ref.tenant_id, conversation_ref_id=ref.id),
            payload=builder_payload(MINUTES_BUILDER, **minutes.as_json()),
            due_at=now,
            not_after=now + MINUTES_WINDOW,
            now=now,
        )
    t = request.t
    document = services.renderer.render(minutes_docx, minutes, t)  # off the database path
    file = OutgoingFile(
        name=file_name(minutes, t),
        content_type=DOCX_TYPE,
        data=document,
        description=t("meeting.minutes.file_description", title=series.title),
    )
    return Reply(files=[file])


def _minutes(services: Services, series: MeetingSeries, key: str) -> Minutes | None:
    assert series.id is not None
    repository = MeetingRepository(services.db)
    saved = repository.report_of(series.id, key)
    occurrence = rec.find_occurrence(rule_of(series), series_overrides(services.db, series), key)
    project = repository.project_codes([series.project_id]).get(series.project_id)
    if saved is None or occurrence is None or project is None:
        return None
    decisions, actions = saved
    return Minutes(
        code=project[0],
        project=project[1],
        title=series.title,
        start=occurrence.start,
        end=occurrence.end,
        timezone=series.timezone,
        decisions=decisions,
        actions=tuple(actions),
    )


@capability.proactive(MINUTES_BUILDER)
def render_minutes(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    return build_minutes_card(Minutes.from_json(args), t)
