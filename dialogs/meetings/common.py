"""What the meetings capability's modules share: its declaration (`capability`), the limits, a stored series' rule
and overrides, the series a card names (raising Stop when it is gone or not this person's to manage), the card of
a series' upcoming meetings and how a conversation reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from cards.i18n import Translator
from cards.meetings import OccurrenceLine, build_meetings_card
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Capability
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import me, refusal
from dialogs.meetings import recurrence as rec
from domain.meetings import Repeat
from domain.projects import ProjectFacts
from storage.db import Database
from storage.meetings import MeetingOccurrence, MeetingRepository, MeetingSeries
from storage.models import ConversationRef
from storage.projects import ProjectRepository

capability = Capability("meetings")

LIST_DAYS = 90
LIST_MAX = 100  # meetings listed at most (the card shows them a page at a time)


# Rules from stored rows -----------------------------------------------------------------------------------------


def rule_of(series: MeetingSeries) -> rec.Rule:
    return rec.Rule(
        first_start=series.first_start.replace(tzinfo=None),
        duration=timedelta(minutes=series.duration_minutes),
        timezone=series.timezone,
        repeat=Repeat(series.repeat),
        until=series.until,
        count=series.count,
        skip_holidays=series.skip_holidays,
    )


def overrides_of(rows: list[MeetingOccurrence]) -> dict[str, rec.Override]:
    return {
        row.occurrence_key: rec.Override(
            cancelled=row.cancelled, moved_to=row.moved_to.replace(tzinfo=None) if row.moved_to else None
        )
        for row in rows
    }


def series_overrides(db: Database, series: MeetingSeries) -> dict[str, rec.Override]:
    """The series' cancelled and moved occurrences, by key."""
    assert series.id is not None
    return overrides_of(MeetingRepository(db).overrides([series.id]).get(series.id, []))


def occurrence_of(db: Database, series: MeetingSeries, key: str) -> rec.Occurrence | None:
    """The occurrence with this key as it stands now (moved or not), or None: cancelled, or no meeting of the
    series at all (whatever date a card's data names)."""
    return rec.find_occurrence(rule_of(series), series_overrides(db, series), key)


# Who may do what with a series ----------------------------------------------------------------------------------


def can_manage(request: Request, services: Services, project: ProjectFacts) -> bool:
    return allowed(me(request, services).actor(project), Action.MANAGE_MEETINGS).allowed


def series_for(
    request: Request, services: Services, series_id: int, action: Action = Action.MANAGE_MEETINGS
) -> tuple[MeetingSeries, ProjectFacts]:
    """The series a card names and its project; raises Stop when it is gone or this person may not do `action`."""
    series = MeetingRepository(services.db).get(series_id)
    if series is None or series.cancelled_at is not None:
        raise Stop.saying(request.t("meeting.gone"))
    project = ProjectRepository(services.db).facts(series.project_id)
    if project is None:
        raise Stop.saying(request.t("meeting.gone"))
    decision = allowed(me(request, services).actor(project), action)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    return series, project


def form_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    """A form's data that is no form of ours (not what the card sends): said once, not field by field."""
    return Reply.text(request.t("meeting.form.unreadable"))


def taking_place(request: Request, services: Services, series: MeetingSeries, key: str) -> rec.Occurrence:
    """The occurrence a card names; raises Stop when the series has no such meeting (answers, agenda items and
    reports are kept only for real meetings)."""
    occurrence = occurrence_of(services.db, series, key)
    if occurrence is None:
        raise Stop.saying(request.t("meeting.occurrence.not_one", title=series.title))
    return occurrence


# A series' upcoming meetings ------------------------------------------------------------------------------------


def conversation_label(ref: ConversationRef, t: Translator) -> str:
    kind = (
        t("meeting.conversation.channel")
        if ref.conversation_type == "channel"
        else t("meeting.conversation.group_chat")
    )
    return f"{ref.team_name} ({kind})" if ref.team_name else kind


def lines(
    request: Request, services: Services, series_list: list[MeetingSeries], *, limit: int = LIST_MAX
) -> list[OccurrenceLine]:
    """The coming meetings of these series within the list's horizon, soonest first."""
    repository = MeetingRepository(services.db)
    now = services.clock.now()
    overrides = repository.overrides([s.id for s in series_list if s.id is not None])
    projects = {s.project_id: ProjectRepository(services.db).facts(s.project_id) for s in series_list}
    conversations: dict[int, str] = {}
    found: list[OccurrenceLine] = []
    for series in series_list:
        assert series.id is not None
        project = projects.get(series.project_id)
        if project is None:
            continue
        manage = can_manage(request, services, project)
        ref_id = series.conversation_ref_id
        if ref_id is not None and ref_id not in conversations:
            ref = repository.conversation(ref_id)
            conversations[ref_id] = conversation_label(ref, request.t) if ref is not None else ""
        for occurrence in rec.occurrences(
            rule_of(series),
            overrides_of(overrides.get(series.id, [])),
            start=now,
            end=now + timedelta(days=LIST_DAYS),
            limit=limit,
        ):
            found.append(
                OccurrenceLine(
                    series_id=series.id,
                    occurrence=occurrence.key,
                    code=project.code,
                    title=series.title,
                    start=occurrence.start,
                    end=occurrence.end,
                    timezone=series.timezone,
                    place=series.place,
                    moved=occurrence.moved,
                    conversation=conversations.get(ref_id) if ref_id is not None else None,
                    can_manage=manage,
                )
            )
    found.sort(key=lambda line: line.start)
    return found[:limit]


def series_card(request: Request, services: Services, series: MeetingSeries, *, page: int = 1) -> dict[str, Any]:
    """The upcoming meetings of one series (after it is saved, imported, moved or cancelled), paged."""
    project = ProjectRepository(services.db).facts(series.project_id)
    assert project is not None
    return build_meetings_card(
        lines(request, services, [series]),
        request.t,
        scope=f"{project.code} · {project.name}",
        page=page,
        paging={"series": series.id},
        show_code=False,
        reader_zone=request.timezone,
    )


def saved_reply(request: Request, services: Services, series: MeetingSeries, message: str) -> Reply:
    return Reply(texts=[message], replace_card=series_card(request, services, series))
