"""Reminders to log time: the pure rules (Belgian working days, local moments across DST, the usual day), leave
days, the periodic job with a fake clock across both DST changes and public holidays, the send-time re-check
through the real sender, and the settings form and `leave` command over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from dialogs.kernel.workdays import (
    DEFAULT_DAY_MINUTES,
    due_day,
    end_of_day,
    is_public_holiday,
    is_working_day,
    local_moment,
    usual_day_minutes,
)
from dialogs.timelog.leave import parse_leave
from dialogs.timelog.nudges import NUDGE_KIND, enqueue_time_nudges, refresh_nudge
from storage.db import Database
from storage.models import Person
from storage.outbox import OutboxMessage, OutboxRepository, OutboxState
from storage.people import PersonRepository, PersonSeen
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository
from tests.harness import FakeClock, FakeConnector
from tests.harness.botdriver import BotDriver
from tests.outbox_support import TENANT, add_conversation, outbox_sender
from tests.test_project_turns import AN, BOB, shown_card
from tests.test_projects_privacy import seed
from tests.test_turns import card_texts

BRUSSELS = ZoneInfo("Europe/Brussels")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# Pure rules -----------------------------------------------------------------------------------------------------


def test_belgian_public_holidays_and_weekends_are_not_working_days() -> None:
    assert is_public_holiday(date(2026, 11, 11))  # Armistice, a Wednesday
    assert is_public_holiday(date(2026, 4, 6))  # Easter Monday
    assert is_public_holiday(date(2026, 7, 21)) and is_public_holiday(date(2026, 5, 14))  # national day, Ascension
    assert not is_working_day(date(2026, 11, 11)) and not is_working_day(date(2026, 4, 6))
    assert not is_working_day(date(2026, 11, 28)) and not is_working_day(date(2026, 11, 29))  # Saturday, Sunday
    assert is_working_day(date(2026, 11, 12))
    assert not is_working_day(date(2026, 11, 12), leave={date(2026, 11, 12)})


def test_local_moment_follows_the_wall_clock_across_dst() -> None:
    at = time(16, 30)
    assert local_moment(date(2026, 3, 27), at, BRUSSELS) == utc(2026, 3, 27, 15, 30)  # CET, UTC+1
    assert local_moment(date(2026, 3, 30), at, BRUSSELS) == utc(2026, 3, 30, 14, 30)  # CEST, UTC+2
    assert local_moment(date(2026, 10, 23), at, BRUSSELS) == utc(2026, 10, 23, 14, 30)
    assert local_moment(date(2026, 10, 26), at, BRUSSELS) == utc(2026, 10, 26, 15, 30)
    # The skipped hour: 02:30 on 29 March is read as 03:30 summer time.
    assert local_moment(date(2026, 3, 29), time(2, 30), BRUSSELS) == utc(2026, 3, 29, 1, 30)
    # Days of 23 and 25 hours end at the right instant.
    assert end_of_day(date(2026, 3, 29), BRUSSELS) - end_of_day(date(2026, 3, 28), BRUSSELS) == timedelta(hours=23)
    assert end_of_day(date(2026, 10, 25), BRUSSELS) - end_of_day(date(2026, 10, 24), BRUSSELS) == timedelta(hours=25)


def test_due_day_only_after_the_chosen_time_on_working_days() -> None:
    at = time(16, 30)
    assert due_day(utc(2026, 3, 30, 14, 29), at, BRUSSELS) is None
    assert due_day(utc(2026, 3, 30, 14, 30), at, BRUSSELS) == date(2026, 3, 30)
    assert due_day(utc(2026, 3, 29, 20, 0), at, BRUSSELS) is None  # Sunday
    assert due_day(utc(2026, 11, 11, 20, 0), at, BRUSSELS) is None  # holiday
    assert due_day(utc(2026, 11, 12, 20, 0), at, BRUSSELS, leave={date(2026, 11, 12)}) is None
    # 23:30 UTC on Thursday is Friday in Brussels, before 16:30 there: nothing yet.
    assert due_day(utc(2026, 11, 12, 23, 30), at, BRUSSELS) is None


def test_usual_day_is_the_median_once_there_is_enough_history() -> None:
    assert usual_day_minutes([]) == DEFAULT_DAY_MINUTES
    assert usual_day_minutes([420, 450, 0, 480]) == DEFAULT_DAY_MINUTES  # too few days
    assert usual_day_minutes([420, 456, 456, 456, 480, 300]) == 450  # 7h36 rounds to a quarter: 7h30
    assert usual_day_minutes([240] * 10) == 240


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.times(),
    st.sampled_from(["Europe/Brussels", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
)
def test_local_moment_is_on_that_local_day_and_before_its_end(day: date, at: time, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    moment = local_moment(day, at, zone)
    assert moment.tzinfo is not None
    assert moment < end_of_day(day, zone)
    assert moment.astimezone(zone).date() == day


@given(st.lists(st.integers(min_value=0, max_value=1440), max_size=40))
def test_usual_day_is_always_a_sensible_quarter(totals: list[int]) -> None:
    minutes = usual_day_minutes(totals)
    assert 15 <= minutes <= 1440 and minutes % 15 == 0


def test_parse_leave_days_and_ranges() -> None:
    today = date(2026, 11, 23)
    one = parse_leave("24/12", today)
    assert one is not None and one.days == [date(2026, 12, 24)] and not one.cancel
    span = parse_leave("24/12 tot 2/1", today)
    assert span is not None and span.start == date(2026, 12, 24) and span.end == date(2027, 1, 2)
    assert len(span.days) == 10
    assert parse_leave("24/12 - 26/12", today) is not None
    assert parse_leave("2027-01-05", today) == parse_leave("5/1/2027", today)
    earlier = parse_leave("1/2", today)
    assert earlier is not None and earlier.start == date(2027, 2, 1)  # the next one
    cancel = parse_leave("weg 24/12", today)
    assert cancel is not None and cancel.cancel and cancel.days == [date(2026, 12, 24)]
    for bad in ("", "morgen", "31/02", "24/12 tot 1/12/2026", "1/1/2026 tot 1/1/2028", "cancel"):
        assert parse_leave(bad, today) is None, bad


@given(st.text(max_size=40))
def test_parse_leave_never_crashes(text: str) -> None:
    found = parse_leave(text, date(2026, 11, 23))
    assert found is None or found.start <= found.end


# The job with a fake clock ---------------------------------------------------------------------------------------


def setup_person(db: Database, *, zone: str = "Europe/Brussels", at: time = time(16, 30), minutes: int = 480) -> int:
    seed(db)
    person = PersonRepository(db).record_seen(
        PersonSeen(TENANT, "aad-an", "29:an", "An", "nl-BE", zone), utc(2026, 1, 1)
    )
    assert person.id is not None
    TimeEntryRepository(db).set_nudge(person.id, enabled=True, at_time=at, min_minutes=minutes, now=utc(2026, 1, 1))
    return person.id


def log(db: Database, person_id: int, day: date, minutes: int) -> None:
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None
    TimeEntryRepository(db).add(
        person_id=person_id,
        project_id=project.id,
        day=day,
        minutes=minutes,
        kind="performed",
        category="other",
        note="",
        request_key=None,
        now=utc(2026, 1, 1),
    )


def nudges(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == NUDGE_KIND))
        return sorted(rows, key=lambda r: r.dedup_key)


def days_nudged(db: Database, clock: FakeClock, instants: list[datetime]) -> list[str]:
    for instant in instants:
        clock.set(instant)
        enqueue_time_nudges(db, clock.now())
    return [row.dedup_key.rsplit(":", 1)[1] for row in nudges(db)]


def test_spring_forward_keeps_the_local_time(db: Database) -> None:
    person = setup_person(db)
    clock = FakeClock(utc(2026, 3, 27, 15, 25))
    # Friday before the change (CET): due at 15:30 UTC; Monday after (CEST): due at 14:30 UTC.
    assert enqueue_time_nudges(db, utc(2026, 3, 27, 15, 25)) == 0
    assert enqueue_time_nudges(db, utc(2026, 3, 27, 15, 31)) == 1
    (friday,) = nudges(db)
    assert friday.dedup_key == f"time.nudge:{person}:2026-03-27"
    assert friday.not_after == utc(2026, 3, 27, 23, 0)  # midnight in Brussels
    assert friday.target_aad_object_id == "aad-an" and friday.payload["args"]["wanted"] == 480
    # The weekend of the change: nothing.
    assert days_nudged(db, clock, [utc(2026, 3, 28, 16, 0), utc(2026, 3, 29, 16, 0)]) == ["2026-03-27"]
    assert enqueue_time_nudges(db, utc(2026, 3, 30, 14, 25)) == 0
    assert enqueue_time_nudges(db, utc(2026, 3, 30, 14, 31)) == 1
    monday = nudges(db)[-1]
    assert monday.dedup_key.endswith("2026-03-30") and monday.not_after == utc(2026, 3, 30, 22, 0)


def test_fall_back_keeps_the_local_time(db: Database) -> None:
    setup_person(db)
    assert enqueue_time_nudges(db, utc(2026, 10, 23, 14, 31)) == 1  # Friday, CEST
    assert enqueue_time_nudges(db, utc(2026, 10, 26, 14, 31)) == 0  # Monday, CET: 15:31 local
    assert enqueue_time_nudges(db, utc(2026, 10, 26, 15, 31)) == 1
    assert [row.not_after for row in nudges(db)] == [utc(2026, 10, 23, 22, 0), utc(2026, 10, 26, 23, 0)]


def test_holidays_weekends_leave_and_enough_hours_get_nothing(db: Database) -> None:
    person = setup_person(db)
    clock = FakeClock(utc(2026, 4, 6, 18, 0))
    TimeEntryRepository(db).set_leave(person, [date(2026, 11, 13)])
    log(db, person, date(2026, 11, 12), 300)
    log(db, person, date(2026, 11, 12), 180)  # 8 h in two entries: enough
    log(db, person, date(2026, 11, 10), 240)  # 4 h: not enough
    evenings = [
        utc(2026, 4, 6, 18, 0),  # Easter Monday
        utc(2026, 11, 10, 18, 0),  # Tuesday, 4 h logged
        utc(2026, 11, 11, 18, 0),  # Armistice
        utc(2026, 11, 12, 18, 0),  # Thursday, 8 h logged
        utc(2026, 11, 13, 18, 0),  # Friday, on leave
        utc(2026, 11, 14, 18, 0),  # Saturday
    ]
    assert days_nudged(db, clock, evenings) == ["2026-11-10"]
    assert nudges(db)[0].payload["args"]["person_id"] == person


def test_each_day_once_and_in_the_persons_own_zone(db: Database) -> None:
    setup_person(db, zone="America/New_York", at=time(17, 0))
    # 17:00 in New York on Monday 23 November is 22:00 UTC; several runs (instances, restarts) make one row.
    assert enqueue_time_nudges(db, utc(2026, 11, 23, 21, 55)) == 0
    for minute in (1, 6, 11):
        enqueue_time_nudges(db, utc(2026, 11, 23, 22, minute))
    (row,) = nudges(db)
    assert row.dedup_key.endswith(":2026-11-23") and row.not_after == utc(2026, 11, 24, 5, 0)


def test_the_usual_day_is_read_from_recent_history(db: Database) -> None:
    person = setup_person(db, minutes=0)
    for offset in range(1, 8):
        log(db, person, date(2026, 11, 23) - timedelta(days=offset), 360)
    log(db, person, date(2026, 11, 23), 300)
    assert enqueue_time_nudges(db, utc(2026, 11, 23, 16, 0)) == 1
    assert nudges(db)[0].payload["args"]["wanted"] == 360


def test_switched_off_or_forgotten_people_get_nothing(db: Database) -> None:
    person = setup_person(db)
    TimeEntryRepository(db).set_nudge(person, enabled=False, at_time=time(16, 30), min_minutes=480, now=utc(2026, 1, 1))
    assert enqueue_time_nudges(db, utc(2026, 11, 23, 16, 0)) == 0


# Send time ------------------------------------------------------------------------------------------------------


def test_refresh_rechecks_the_hours_and_leave(db: Database) -> None:
    person = setup_person(db)
    args = {"person_id": person, "day": "2026-11-23", "wanted": 480}
    assert refresh_nudge(db, args, utc(2026, 11, 23, 16, 0)) == {**args, "logged": 0}
    log(db, person, date(2026, 11, 23), 120)
    assert refresh_nudge(db, args, utc(2026, 11, 23, 16, 0)) == {**args, "logged": 120}
    TimeEntryRepository(db).set_leave(person, [date(2026, 11, 23)])
    assert refresh_nudge(db, args, utc(2026, 11, 23, 16, 0)) is None
    assert refresh_nudge(db, {"person_id": "x"}, utc(2026, 11, 23, 16, 0)) is None


async def test_the_sender_sends_with_fresh_hours_or_cancels(db: Database, connector: FakeConnector) -> None:
    person = setup_person(db)
    add_conversation(db, connector.url, "a:personal-an", utc(2026, 1, 1), user="aad-an")
    clock = FakeClock(utc(2026, 11, 23, 15, 40))
    log(db, person, date(2026, 11, 23), 90)
    assert enqueue_time_nudges(db, clock.now()) == 1
    log(db, person, date(2026, 11, 23), 60)  # logged some more before it went out
    async with outbox_sender(db, clock) as sender:
        assert (await sender.dispatch_once()).sent == 1
    (activity,) = connector.sent_to("a:personal-an")
    texts = card_texts(activity["attachments"][0]["content"])
    assert "Tijd om je uren te registreren?" in texts and "2,5 u" in texts and "8 u" in texts
    # The next day it is enqueued, then the person logs a full day: nothing is sent, the row is cancelled.
    clock.set(utc(2026, 11, 24, 15, 40))
    assert enqueue_time_nudges(db, clock.now()) == 1
    log(db, person, date(2026, 11, 24), 480)
    async with outbox_sender(db, clock) as sender:
        report = await sender.dispatch_once()
    assert report.sent == 0 and report.cancelled == 1
    assert len(connector.sent_to("a:personal-an")) == 1
    row = OutboxRepository(db).get(nudges(db)[-1].id or 0)
    assert row is not None and row.state == OutboxState.CANCELLED


# Over HTTP: the settings form and the leave command --------------------------------------------------------------


async def test_settings_switch_the_reminder_on_with_field_errors_kept(bot: BotDriver, db: Database) -> None:
    shown = await bot.say(AN, "instellingen")
    texts = card_texts(shown.cards[0])
    assert "Herinnering om uren te registreren" in texts and "nu 8 u (" in texts
    form = {"verb": "settings.save", "language": "auto", "timezone": "", "nudge": "true"}
    bad = await bot.submit(AN, {**form, "nudge_at": "25:00", "nudge_hours": "lang"})
    card = shown_card(bad)
    bad_texts = card_texts(card)
    assert "“25:00” is geen uur. Gebruik bv. 16:30." in bad_texts and "“lang” is geen aantal uren" in bad_texts
    assert TimeEntryRepository(db).nudge(_person_id(db)).enabled is False
    saved = await bot.submit(AN, {**form, "nudge_at": "17:15", "nudge_hours": "7,5"})
    assert any("om 17:15 een herinnering" in text for text in saved.texts)
    setting = TimeEntryRepository(db).nudge(_person_id(db))
    assert (setting.enabled, setting.at_time, setting.min_minutes) == (True, time(17, 15), 450)
    again = await bot.submit(AN, {**form, "nudge_at": "17:15", "nudge_hours": ""})
    assert TimeEntryRepository(db).nudge(_person_id(db)).min_minutes == 0  # back to the usual day
    assert again.texts
    off = await bot.submit(AN, {**form, "nudge": "false", "nudge_at": "17:15", "nudge_hours": ""})
    assert any("geen herinneringen meer" in text for text in off.texts)


async def test_leave_command_in_both_languages(bot: BotDriver, db: Database) -> None:
    none = await bot.say(AN, "verlof")
    assert none.texts[0].startswith("Je hebt geen verlofdagen gepland.")
    saved = await bot.say(AN, "verlof 24/12 tot 2/1")
    assert "werkdagen" in saved.texts[0] and "Feestdagen tellen niet mee" in saved.texts[0]
    days = TimeEntryRepository(db).leave_days(_person_id(db), date(2026, 1, 1), date(2027, 12, 31))
    assert days[0] == date(2026, 12, 24) and days[-1] == date(2027, 1, 2) and len(days) == 10
    listed = await bot.say(AN, "verlof")
    assert "do 24 december 2026" in listed.texts[0]
    cancelled = await bot.say(AN, "verlof weg 24/12")
    assert cancelled.texts == ["Niet langer verlof: do 24 december 2026."]
    english = await bot.say(BOB, "leave 3/3")
    assert english.texts[0].startswith("Marked as leave: Wed 3 March 2027 (1 working day).")
    unclear = await bot.say(AN, "verlof morgen misschien")
    assert "Ik begrijp niet welke dag" in unclear.texts[0]
    assert len(TimeEntryRepository(db).leave_days(_person_id(db), date(2026, 1, 1), date(2027, 12, 31))) == 9


def _person_id(db: Database) -> int:
    with db.session() as session:
        found = session.exec(select(Person).where(Person.aad_object_id == AN.aad_object_id)).one()
    assert found.id is not None
    return found.id
