"""Meetings imported from Outlook through a local fake Microsoft Graph (msal with an injected http_client): a weekly
series in Romance Standard Time (Europe/Brussels, across the March DST change), a monthly "second Tuesday", an
unsupported pattern refused, Graph not configured, a refused token; and the sync following a moved invitation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.settings import Settings
from dialogs.meetings import recurrence as rec
from dialogs.meetings.common import overrides_of, rule_of
from dialogs.meetings.graph_recurrence import (
    ImportedSeries,
    Unsupported,
    iana_zone,
    overrides_from_instances,
    series_from_event,
)
from dialogs.meetings.outlook import sync_imported_meetings
from domain.meetings import Repeat
from storage.db import Database
from storage.directory import Role
from storage.meetings import MeetingRepository, MeetingSeries
from storage.outbox import OutboxMessage
from tests.fake_graph import FakeGraph, fake_graph, instances_at, utc_time
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver
from tests.harness.connector import FakeConnector
from tests.test_meeting_turns import valid
from tests.test_project_turns import create_project, grant
from tests.test_turns import card_texts

CHANNEL = Conversation.channel(team_name="Digitaal loket")
BRUSSELS = "Europe/Brussels"


def weekly_event(**changes: Any) -> dict[str, Any]:
    start = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(BRUSSELS))  # a Tuesday, 10:00 in Brussels
    event = {
        "id": "evt-weekly",
        "type": "seriesMaster",
        "subject": "Werkgroep loket",
        "isAllDay": False,
        "isCancelled": False,
        "start": utc_time(start),
        "end": utc_time(start + timedelta(hours=1)),
        "originalStartTimeZone": "Romance Standard Time",
        "originalEndTimeZone": "Romance Standard Time",
        "location": {"displayName": "Zaal 2"},
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/x"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"], "firstDayOfWeek": "monday"},
            "range": {
                "type": "numbered",
                "startDate": "2026-11-24",
                "numberOfOccurrences": 20,
                "recurrenceTimeZone": "Romance Standard Time",
            },
        },
    }
    event.update(changes)
    return event


def weekly_instances() -> list[dict[str, Any]]:
    starts = [datetime(2026, 11, 24, 10, 0) + timedelta(weeks=i) for i in range(20)]
    return instances_at(starts, BRUSSELS, 60, event_id="evt-weekly")


def monthly_event() -> dict[str, Any]:
    start = datetime(2026, 12, 8, 14, 0, tzinfo=ZoneInfo(BRUSSELS))  # the second Tuesday of December
    return {
        "id": "evt-steering",
        "type": "seriesMaster",
        "subject": "Stuurgroep",
        "start": utc_time(start),
        "end": utc_time(start + timedelta(minutes=90)),
        "originalStartTimeZone": "Romance Standard Time",
        "location": {"displayName": "Raadzaal"},
        "recurrence": {
            "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["tuesday"], "index": "second"},
            # The range starts before the first meeting, as Outlook allows.
            "range": {"type": "noEnd", "startDate": "2026-12-01", "recurrenceTimeZone": "Romance Standard Time"},
        },
    }


def daily_event() -> dict[str, Any]:
    start = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo(BRUSSELS))
    return {
        "id": "evt-daily",
        "type": "seriesMaster",
        "subject": "Daily standup",
        "start": utc_time(start),
        "end": utc_time(start + timedelta(minutes=15)),
        "originalStartTimeZone": "Romance Standard Time",
        "recurrence": {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "noEnd", "startDate": "2026-11-24", "recurrenceTimeZone": "Romance Standard Time"},
        },
    }


# The pure mapping --------------------------------------------------------------------------------------------


def test_windows_zones_map_to_iana_preferring_the_organisations_zone() -> None:
    assert iana_zone("Romance Standard Time") == BRUSSELS
    assert iana_zone("Romance Standard Time", "Europe/Amsterdam") == "Europe/Paris"
    assert iana_zone("W. Europe Standard Time", "Europe/Amsterdam") == "Europe/Amsterdam"
    assert iana_zone("Pacific Standard Time") == "America/Los_Angeles"
    assert iana_zone("Europe/Brussels") == BRUSSELS
    assert iana_zone("UTC") in {"UTC", "Etc/UTC"}
    assert iana_zone("tzone://Microsoft/Custom") is None
    assert iana_zone("") is None


def test_weekly_series_in_romance_standard_time() -> None:
    mapped = series_from_event(weekly_event())
    assert isinstance(mapped, ImportedSeries)
    assert mapped.timezone == BRUSSELS
    assert mapped.first_start == datetime(2026, 11, 24, 10, 0)
    assert (mapped.repeat, mapped.count, mapped.until) == (Repeat.WEEKLY, 20, None)
    assert (mapped.duration_minutes, mapped.place) == (60, "Zaal 2")
    assert mapped.link == "https://teams.microsoft.com/l/meetup-join/x"


def test_monthly_second_tuesday_and_last_friday() -> None:
    mapped = series_from_event(monthly_event())
    assert isinstance(mapped, ImportedSeries)
    assert (mapped.repeat, mapped.first_start) == (Repeat.MONTHLY, datetime(2026, 12, 8, 14, 0))
    days = [
        o.local_start.date() for o in rec.occurrences(mapped.rule(), {}, start=START, end=START + timedelta(days=120))
    ]
    assert days == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]
    last = monthly_event()
    last["start"] = utc_time(datetime(2026, 12, 25, 9, 0, tzinfo=ZoneInfo(BRUSSELS)))
    last["end"] = utc_time(datetime(2026, 12, 25, 10, 0, tzinfo=ZoneInfo(BRUSSELS)))
    last["recurrence"]["pattern"].update(daysOfWeek=["friday"], index="last")
    last["recurrence"]["range"] = {"type": "endDate", "startDate": "2026-12-01", "endDate": "2027-06-30"}
    mapped = series_from_event(last)
    assert isinstance(mapped, ImportedSeries)
    assert (mapped.repeat, mapped.until) == (Repeat.MONTHLY_LAST, date(2027, 6, 30))


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ({"type": "daily", "interval": 1}, "daily"),
        ({"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "thursday"]}, "several_days"),
        ({"type": "weekly", "interval": 3, "daysOfWeek": ["tuesday"]}, "interval"),
        ({"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["tuesday"], "index": "first"}, "interval"),
        ({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 15}, "absolute_monthly"),
        ({"type": "relativeYearly", "interval": 1, "daysOfWeek": ["tuesday"], "month": 3}, "yearly"),
        ({"type": "hourly"}, "unreadable"),
    ],
)
def test_patterns_we_cannot_represent_are_refused(pattern: dict[str, Any], reason: str) -> None:
    event = weekly_event()
    event["recurrence"]["pattern"] = pattern
    mapped = series_from_event(event)
    assert isinstance(mapped, Unsupported)
    assert mapped.reason == reason


def test_every_seven_days_is_weekly_and_all_day_is_refused() -> None:
    event = weekly_event()
    event["recurrence"]["pattern"] = {"type": "daily", "interval": 14}
    mapped = series_from_event(event)
    assert isinstance(mapped, ImportedSeries) and mapped.repeat is Repeat.BIWEEKLY
    refused = series_from_event(weekly_event(isAllDay=True))
    assert isinstance(refused, Unsupported) and refused.reason == "all_day"
    refused = series_from_event(weekly_event(originalStartTimeZone="Nowhere", start={"dateTime": "x", "timeZone": "?"}))
    assert isinstance(refused, Unsupported)


START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_cancelled_and_moved_instances_become_overrides() -> None:
    mapped = series_from_event(weekly_event())
    assert isinstance(mapped, ImportedSeries)
    instances = weekly_instances()
    del instances[1]  # 1 December cancelled
    moved = instances[1]  # 8 December moved to 14:00, keeping its original start
    moved.update(
        type="exception",
        start=utc_time(datetime(2026, 12, 8, 14, 0, tzinfo=ZoneInfo(BRUSSELS))),
        end=utc_time(datetime(2026, 12, 8, 15, 0, tzinfo=ZoneInfo(BRUSSELS))),
    )
    found = overrides_from_instances(mapped, instances, start=START, end=START + timedelta(days=150))
    assert found["2026-12-01"] == rec.Override(cancelled=True)
    assert found["2026-12-08"] == rec.Override(moved_to=datetime(2026, 12, 8, 14, 0))
    assert found["2026-11-24"] == rec.Override()
    # Across the March change the instances are an hour earlier in UTC, and still not "moved".
    assert found["2027-03-30"] == rec.Override()
    assert all(o == rec.Override() for k, o in found.items() if k not in {"2026-12-01", "2026-12-08"})


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    interval=st.sampled_from([1, 2]),
    zone=st.sampled_from(["Romance Standard Time", "GMT Standard Time", "Pacific Standard Time", "UTC"]),
)
def test_regular_weekly_instances_never_look_cancelled_or_moved(
    first: date, hour: int, minute: int, interval: int, zone: str
) -> None:
    """Instances Outlook lists for a plain weekly series (its local time every week, whatever DST does) map back to
    the rule with no overrides."""
    iana = iana_zone(zone)
    assert iana is not None
    local = datetime(first.year, first.month, first.day, hour, minute)
    start = rec.to_utc(local, iana)
    day = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][first.weekday()]
    event = weekly_event(
        start=utc_time(start),
        end=utc_time(start + timedelta(minutes=45)),
        originalStartTimeZone=zone,
        recurrence={
            "pattern": {"type": "weekly", "interval": interval, "daysOfWeek": [day]},
            "range": {"type": "noEnd", "startDate": first.isoformat(), "recurrenceTimeZone": zone},
        },
    )
    mapped = series_from_event(event, BRUSSELS)
    assert isinstance(mapped, ImportedSeries)
    # What Outlook lists: the local time each (other) week, including the spring gap moved forward as clocks do.
    starts = [
        o.local_start.replace(tzinfo=None)
        for o in rec.occurrences(mapped.rule(), {}, start=start, end=start + timedelta(days=200))
    ]
    instances = instances_at(starts, iana, 45, event_id="e")
    window_start = start - timedelta(days=1)
    found = overrides_from_instances(mapped, instances, start=window_start, end=start + timedelta(days=180))
    assert found and all(o == rec.Override() for o in found.values())


# In the chat -------------------------------------------------------------------------------------------------


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, Any]]:
    async with fake_graph() as pair:
        yield pair


async def _bot(db: Database, clock: FakeClock, connector: FakeConnector, calendar: Any, lang: str) -> Any:
    locale = "en-US" if lang == "en" else "nl-BE"
    settings_ = Settings(dev=True, database_url="sqlite://", default_locale=locale)
    return BotDriver.start(db=db, clock=clock, connector=connector, settings=settings_, calendar=calendar)


async def _coordinator_in_channel(bot: BotDriver, db: Database, lang: str) -> TeamsUser:
    an = TeamsUser.named("An Peeters" if lang == "nl" else "Ann Peters", locale="nl-BE" if lang == "nl" else "en-GB")
    await grant(bot, db, an, Role.COORDINATOR)
    await create_project(bot, an)
    await bot.say(an, "help", conversation=CHANNEL)  # the bot is in the channel
    return an


def _series(db: Database) -> list[MeetingSeries]:
    with db.session() as session:
        return list(session.exec(select(MeetingSeries).order_by(MeetingSeries.id)).all())  # type: ignore[arg-type]


def _pending_reminders(db: Database, series_id: int) -> dict[str, datetime]:
    with db.session() as session:
        rows = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.state == "pending",  # type: ignore[arg-type]
                OutboxMessage.dedup_key.startswith(f"reminder:{series_id}:"),  # type: ignore[union-attr]
            )
        ).all()
        return {row.dedup_key: row.due_at for row in rows}


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_import_a_weekly_and_a_monthly_series_and_refuse_a_daily_one(
    db: Database, clock: FakeClock, connector: FakeConnector, graph: tuple[FakeGraph, Any], lang: str
) -> None:
    fake, calendar = graph
    fake.add(weekly_event(), weekly_instances())
    steering = [
        datetime(2026, 12, 8, 14, 0),
        datetime(2027, 1, 12, 14, 0),
        datetime(2027, 2, 9, 14, 0),
        datetime(2027, 3, 9, 14, 0),
    ]
    fake.add(monthly_event(), instances_at(steering, BRUSSELS, 90, event_id="evt-steering"))
    fake.add(daily_event(), [])
    async with await _bot(db, clock, connector, calendar, lang) as bot:
        an = await _coordinator_in_channel(bot, db, lang)
        command = "vergadering importeren DT-042" if lang == "nl" else "import meeting DT-042"
        listed = await bot.say(an, command, conversation=CHANNEL)
        [card] = listed.cards
        texts = card_texts(valid(card))
        assert fake.mailboxes == [an.aad_object_id]  # the coordinator's own calendar
        assert fake.discovery_requests == 1 and fake.token_requests == 1
        if lang == "nl":
            assert "Wekelijks op dinsdag om 10:00 (Europe/Brussels) (20 keer)" in texts
            assert "Maandelijks op de tweede dinsdag om 14:00 (Europe/Brussels)" in texts
            assert "ze herhaalt dagelijks" in texts
        else:
            assert "Weekly on Tuesday at 10:00 (Europe/Brussels) (20 times)" in texts
            assert "Monthly on the second Tuesday at 14:00 (Europe/Brussels)" in texts
            assert "it repeats daily" in texts
        buttons = [a for c in card["body"] for s in c.get("items", []) for a in s.get("actions", [])]
        assert {b["data"]["event"] for b in buttons} == {"evt-weekly", "evt-steering"}  # none for the daily one

        weekly = next(b for b in buttons if b["data"]["event"] == "evt-weekly")["data"]
        imported = await bot.submit(an, weekly, conversation=CHANNEL)
        assert "Werkgroep loket" in imported.texts[0]
        assert ("geïmporteerd" if lang == "nl" else "imported") in imported.texts[0]
        [series] = _series(db)
        assert (series.graph_event_id, series.graph_mailbox) == ("evt-weekly", an.aad_object_id)
        assert (series.timezone, series.repeat, series.count) == (BRUSSELS, "weekly", 20)
        assert series.first_start.replace(tzinfo=None) == datetime(2026, 11, 24, 10, 0)
        assert (series.place, series.duration_minutes) == ("Zaal 2", 60)
        assert series.conversation_ref_id is not None  # linked to this channel
        assert series.id is not None
        # Reminders at 24 h and 1 h for the coming 14 days are queued (the first at 10:00 Brussels = 09:00 UTC).
        assert _pending_reminders(db, series.id)[f"reminder:{series.id}:2026-11-24:60"] == datetime(
            2026, 11, 24, 8, 0, tzinfo=UTC
        )
        # Pressed again (or imported again later): the same series is updated, not a second one made.
        again = await bot.submit(an, weekly, conversation=CHANNEL)
        assert ("bijgewerkt" if lang == "nl" else "updated") in again.texts[0]
        assert len(_series(db)) == 1

        steering_button = next(b for b in buttons if b["data"]["event"] == "evt-steering")["data"]
        await bot.submit(an, steering_button, conversation=CHANNEL)
        monthly = _series(db)[1]
        assert (monthly.repeat, monthly.first_start.replace(tzinfo=None)) == ("monthly", datetime(2026, 12, 8, 14, 0))
        # A hand-made press for the daily series gets the reason, and nothing is stored.
        refused = await bot.submit(an, {**weekly, "event": "evt-daily"}, conversation=CHANNEL)
        assert "Daily standup" in refused.texts[0]
        assert ("dagelijks" if lang == "nl" else "daily") in refused.texts[0]
        assert len(_series(db)) == 2
        # The msal token was cached: one token request for all of the above.
        assert fake.token_requests == 1 and not fake.unauthorised


async def test_without_graph_the_command_says_so(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    async with await _bot(db, clock, connector, None, "nl") as bot:
        an = await _coordinator_in_channel(bot, db, "nl")
        answer = await bot.say(an, "vergadering importeren DT-042", conversation=CHANNEL)
        assert "niet ingesteld" in answer.texts[0] and "nieuwe vergadering DT-042" in answer.texts[0]
        # The new-meeting form offers no import button then.
        form = (await bot.say(an, "nieuwe vergadering DT-042", conversation=CHANNEL)).cards[0]
        assert all(a["data"]["verb"] != "meeting.import_list" for a in form["actions"])
    assert _series(db) == []


async def test_a_refused_token_gives_a_clear_message(
    db: Database, clock: FakeClock, connector: FakeConnector, graph: tuple[FakeGraph, Any]
) -> None:
    fake, calendar = graph
    fake.fail_token = True
    fake.add(weekly_event(), weekly_instances())
    async with await _bot(db, clock, connector, calendar, "en") as bot:
        an = await _coordinator_in_channel(bot, db, "en")
        # The form offers the import when Graph is configured; the button lists the series.
        form = (await bot.say(an, "new meeting DT-042", conversation=CHANNEL)).cards[0]
        button = next(a for a in form["actions"] if a["data"]["verb"] == "meeting.import_list")
        answer = await bot.submit(an, button["data"], conversation=CHANNEL)
        assert "Could not sign in to Microsoft Graph" in answer.texts[0]
        assert "Nothing was changed" in answer.texts[0]
        assert fake.mailboxes == []  # Graph was never called without a token
    assert _series(db) == []


async def test_import_is_refused_in_a_personal_chat_and_for_non_coordinators(
    db: Database, clock: FakeClock, connector: FakeConnector, graph: tuple[FakeGraph, Any]
) -> None:
    fake, calendar = graph
    fake.add(weekly_event(), weekly_instances())
    async with await _bot(db, clock, connector, calendar, "en") as bot:
        an = await _coordinator_in_channel(bot, db, "en")
        personal = await bot.say(an, "import meeting DT-042")
        assert "channel or group chat" in personal.texts[0]
        stranger = TeamsUser.named("Sam Stranger", locale="en-US")
        refused = await bot.say(stranger, "import meeting DT-042", conversation=CHANNEL)
        assert refused.texts and not refused.cards
        assert fake.mailboxes == []


async def test_the_sync_follows_the_invitation(
    db: Database, clock: FakeClock, connector: FakeConnector, graph: tuple[FakeGraph, Any]
) -> None:
    fake, calendar = graph
    fake.add(weekly_event(), weekly_instances())
    async with await _bot(db, clock, connector, calendar, "en") as bot:
        an = await _coordinator_in_channel(bot, db, "en")
        await bot.submit(an, {"verb": "meeting.import", "code": "DT-042", "event": "evt-weekly"}, conversation=CHANNEL)
    [series] = _series(db)
    assert series.id is not None
    before = _pending_reminders(db, series.id)
    assert f"reminder:{series.id}:2026-12-01:1440" in before

    # Nothing changed in Outlook: the sync changes nothing.
    assert await sync_imported_meetings(db, calendar, clock.now(), BRUSSELS) == 0

    # The organiser moves the whole series to 14:00, cancels 1 December and moves 24 November to Wednesday.
    clock.advance(timedelta(hours=2))
    moved_start = datetime(2026, 11, 24, 14, 0, tzinfo=ZoneInfo(BRUSSELS))
    fake.events["evt-weekly"].update(start=utc_time(moved_start), end=utc_time(moved_start + timedelta(hours=1)))
    starts = [datetime(2026, 11, 24, 14, 0) + timedelta(weeks=i) for i in range(20)]
    instances = instances_at(starts, BRUSSELS, 60, event_id="evt-weekly")
    del instances[1]
    wednesday = datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo(BRUSSELS))
    instances[0].update(type="exception", start=utc_time(wednesday), end=utc_time(wednesday + timedelta(hours=1)))
    fake.instances["evt-weekly"] = instances

    assert await sync_imported_meetings(db, calendar, clock.now(), BRUSSELS) == 1
    [series] = _series(db)
    assert series.first_start.replace(tzinfo=None) == datetime(2026, 11, 24, 14, 0)
    assert series.id is not None
    overrides = overrides_of(MeetingRepository(db).overrides([series.id])[series.id])
    assert overrides["2026-12-01"].cancelled
    assert overrides["2026-11-24"].moved_to == datetime(2026, 11, 25, 11, 0)
    assert "2026-12-08" not in overrides  # at the series' new time: nothing special
    after = _pending_reminders(db, series.id)
    # The reminders follow: the moved one is due 1 hour before Wednesday 11:00 Brussels (10:00 UTC); the cancelled
    # one is gone.
    assert after[f"reminder:{series.id}:2026-11-24:60"] == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert after[f"reminder:{series.id}:2026-11-24:1440"] == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert not any(key.startswith(f"reminder:{series.id}:2026-12-01:") for key in after)
    assert MeetingRepository(db).get(series.id) is not None
    rule_start = rec.find_occurrence(rule_of(series), {}, "2026-12-08")
    assert rule_start is not None and rule_start.start == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
    # Synced again without change: nothing to do.
    assert await sync_imported_meetings(db, calendar, clock.now(), BRUSSELS) == 0

    # The invitation is cancelled (deleted from the calendar): the series and its pending reminders go.
    del fake.events["evt-weekly"]
    assert await sync_imported_meetings(db, calendar, clock.now(), BRUSSELS) == 1
    [series] = _series(db)
    assert series.cancelled_at is not None
    assert _pending_reminders(db, series.id) == {}


async def test_sync_with_a_refused_token_leaves_everything_as_it_was(
    db: Database, clock: FakeClock, connector: FakeConnector, graph: tuple[FakeGraph, Any]
) -> None:
    fake, calendar = graph
    fake.add(weekly_event(), weekly_instances())
    async with await _bot(db, clock, connector, calendar, "en") as bot:
        an = await _coordinator_in_channel(bot, db, "en")
        await bot.submit(an, {"verb": "meeting.import", "code": "DT-042", "event": "evt-weekly"}, conversation=CHANNEL)
    [series] = _series(db)
    assert series.id is not None
    before = _pending_reminders(db, series.id)
    fake.fail_token = True
    calendar._app = None  # a fresh process: no cached token
    del fake.events["evt-weekly"]
    assert await sync_imported_meetings(db, calendar, clock.now(), BRUSSELS) == 0
    assert _series(db)[0].cancelled_at is None
    assert _pending_reminders(db, series.id) == before


def test_graph_settings_reuse_the_bots_registration_unless_given() -> None:
    assert Settings(dev=True).graph_credentials() is None
    own = Settings(dev=True, app_id="bot-id", app_password="bot-secret", app_tenant_id="tenant-1")
    assert own.graph_credentials() == ("tenant-1", "bot-id", "bot-secret")
    separate = Settings(
        dev=True,
        app_id="bot-id",
        app_password="bot-secret",
        app_tenant_id="tenant-1",
        graph_client_id="graph-id",
        graph_client_secret="graph-secret",
        graph_tenant_id="tenant-2",
        graph_url="http://127.0.0.1:9/",
    )
    assert separate.graph_credentials() == ("tenant-2", "graph-id", "graph-secret")
    assert separate.graph_url == "http://127.0.0.1:9"
    assert Settings(dev=True, app_id="x", app_password="y", app_tenant_id="common").graph_credentials() is None
