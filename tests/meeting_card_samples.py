"""Samples of the meeting cards (added to tests/card_samples.py's SAMPLES), including the largest ones we send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cards.i18n import Translator
from cards.meetings import (
    LIST_PAGE,
    MeetingForm,
    MoveForm,
    OccurrenceLine,
    ReminderView,
    ReportForm,
    build_action_items_card,
    build_meeting_conversation_card,
    build_meeting_form_card,
    build_meeting_reminder_card,
    build_meeting_report_card,
    build_meetings_card,
    build_occurrence_move_card,
)
from cards.status.summary import StatusOpen
from dialogs.meetings.common import LIST_MAX
from domain.meetings import ActionItemFacts

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
LONG = "Lorem ipsum dolor sit amet " * 40


def _reminder(first: bool, big: bool = False) -> Callable[[Translator], dict[str, Any]]:
    def build(t: Translator) -> dict[str, Any]:
        n = 15 if big else 2
        view = ReminderView(
            series_id=1,
            occurrence="2026-11-24",
            lead_minutes=1440 if first else 60,
            first=first,
            code="DT-042",
            project="Digitaal loket" + (LONG if big else ""),
            title="Werkgroep digitaal loket" + (LONG if big else ""),
            kind="working_group",
            start=START,
            end=END,
            timezone="Europe/Brussels",
            place="Zaal 2, Stadhuis" + (LONG if big else ""),
            link="https://teams.microsoft.com/l/meetup-join/abc",
            agenda=[f"Punt {i} {LONG if big else ''}" for i in range(n)],
            status_line="🟢 On track — " + ("demo ready" if not big else LONG),
            actions=[
                ActionItemFacts(i, 1, f"Action {i} {LONG if big else ''}", None, "An Peeters", date(2026, 12, 1))
                for i in range(n)
            ],
            attending=[f"Person {i}" for i in range(40 if big else 2)],
            absent=[f"Other {i}" for i in range(40 if big else 1)],
            moved=big,
            notice="Noted" if big else None,
            open_status=StatusOpen,
        )
        return build_meeting_reminder_card(view, t)

    return build


def _form(errors: bool) -> Callable[[Translator], dict[str, Any]]:
    def build(t: Translator) -> dict[str, Any]:
        fields = ("title", "kind", "date", "time", "duration", "timezone", "repeat", "until", "count", "place")
        form = MeetingForm(
            code="DT-042",
            form_id="f" * 32,
            series_id=3 if errors else None,
            values={"title": "Werkgroep", "date": "2026-11-24", "time": "10:00", "duration": "60"},
            errors={name: f"error {name}" for name in (*fields, "link", "leads")} if errors else {},
        )
        return build_meeting_form_card(form, t)

    return build


def _lines(t: Translator, *, series: int = 1, page: int = 1) -> dict[str, Any]:
    """LIST_MAX meetings; `series` different series among them (each with a long title, place and conversation)."""
    lines = [
        OccurrenceLine(
            1 + i % series,
            f"2026-11-{24 + i % 5}",
            f"DT-{40 + i % series:03d}",
            "Werkgroep " + LONG[:150],
            START + timedelta(days=i),
            END + timedelta(days=i),
            "Europe/Brussels" if i % 3 else "Europe/London",
            "Zaal 2, " + LONG[:100],
            moved=i % 2 == 0,
            conversation="Project Team " + LONG[:60] + " (kanaal)",
            can_manage=i % series != 1,  # the second series is someone else's
        )
        for i in range(LIST_MAX)
    ]
    paging = {"code": ""} if series > 1 else {"series": 1}
    return build_meetings_card(
        lines, t, scope="DT-042 · Digitaal loket", page=page, paging=paging, show_code=series > 1,
        reader_zone="Europe/Brussels",
    )  # fmt: skip


def _report(errors: bool) -> Callable[[Translator], dict[str, Any]]:
    def build(t: Translator) -> dict[str, Any]:
        values = {"decisions": LONG if errors else ""}
        values.update({f"action_{i}": LONG[:1000] for i in range(1, 5)} if errors else {})
        form = ReportForm(
            1,
            "2026-11-24",
            "DT-042",
            "Werkgroep",
            START,
            END,
            "Europe/Brussels",
            "r" * 40,
            values,
            {f"owner_{i}": "Unknown person" for i in range(1, 5)} if errors else {},
        )
        return build_meeting_report_card(form, t)

    return build


def _actions(t: Translator) -> dict[str, Any]:
    lines = [ActionItemFacts(i, 1, LONG[:300], None, "An Peeters", date(2026, 12, 1), i % 3 == 0) for i in range(30)]
    markable = {line.id for line in lines}
    return build_action_items_card("DT-042", "Digitaal loket", lines, t, markable=markable, notice="Marked done")


MEETING_SAMPLES: list[tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]] = [
    ("meeting reminder, first", build_meeting_reminder_card, _reminder(True)),
    ("meeting reminder, second", build_meeting_reminder_card, _reminder(False)),
    ("meeting reminder, largest", build_meeting_reminder_card, _reminder(True, big=True)),
    ("meeting form, new", build_meeting_form_card, _form(False)),
    ("meeting form, every error", build_meeting_form_card, _form(True)),
    ("meetings list, one series, first page", build_meetings_card, _lines),
    (
        "meetings list, a different series on every line, a middle page",
        build_meetings_card,
        lambda t: _lines(t, series=LIST_PAGE, page=2),
    ),
    ("meetings list, last page", build_meetings_card, lambda t: _lines(t, series=3, page=99)),
    ("meetings list, empty", build_meetings_card, lambda t: build_meetings_card([], t, scope="x")),
    (
        "meeting move form",
        build_occurrence_move_card,
        lambda t: build_occurrence_move_card(
            MoveForm(
                1, "2026-11-24", "Werkgroep", {"date": "x"}, {"date": "bad", "time": "bad"}, when="di 24 nov 2026"
            ),
            t,
        ),
    ),
    (
        "meeting conversation choice",
        build_meeting_conversation_card,
        lambda t: build_meeting_conversation_card(1, "Werkgroep", [(1, "Team A (kanaal)"), (2, "chat")], t, current=1),
    ),
    (
        "meeting conversation choice, none",
        build_meeting_conversation_card,
        lambda t: build_meeting_conversation_card(1, "Werkgroep", [], t, error="x"),
    ),
    ("meeting report form", build_meeting_report_card, _report(False)),
    ("meeting report form, errors", build_meeting_report_card, _report(True)),
    ("action items", build_action_items_card, _actions),
]
