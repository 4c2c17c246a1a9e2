"""Units and time zones on the forms in the reader's language (issue 15, item 4): the meeting form pre-fills
"24u, 1u" and "Brussel" for a Dutch reader, "24h, 1h" and "Brussels" for an English one, and every form with hours
or minutes reads both languages' spellings ("24u"/"24h", "1 dag", "30 min"); what it cannot read it says, in the
reader's language, and stores nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import select

from cards.i18n import translator
from dialogs.handover.forms import PlanForm
from dialogs.meetings.recurrence import DEFAULT_LEADS_MINUTES, format_leads, parse_leads
from storage.db import Database
from storage.directory import Role
from storage.meetings import MeetingSeries
from storage.models import Person
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository
from tests.harness import TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver
from tests.test_meeting_turns import MEETING
from tests.test_people_settings_and_lists import error_under, field_value
from tests.test_project_turns import create_project, form_data, grant, shown_card

AN = TeamsUser.named("An Peeters", locale="nl-BE")
ANN = TeamsUser.named("Ann Peters", locale="en-GB")
CHANNEL = Conversation.channel(team_name="Digitaal loket")


@pytest.mark.parametrize(
    ("minutes", "nl", "en"),
    [
        (DEFAULT_LEADS_MINUTES, "24u, 1u", "24h, 1h"),
        ((90, 30), "1u30m, 30m", "1h30m, 30m"),
        ((2 * 24 * 60,), "48u", "48h"),
    ],
)
def test_lead_times_are_written_in_the_readers_units_and_read_back(minutes: tuple[int, ...], nl: str, en: str) -> None:
    assert (format_leads(minutes, "nl"), format_leads(minutes, "en")) == (nl, en)
    assert parse_leads(nl) == parse_leads(en) == sorted(set(minutes), reverse=True)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("24u, 1u", [1440, 60]),
        ("24h, 1h", [1440, 60]),
        ("1 dag, 30 min", [1440, 30]),
        ("1 day and 30 minutes", [1440, 30]),
        ("2 uren; 15 minuten", [120, 15]),
        ("1 dg en 1 uur", [1440, 60]),
    ],
)
def test_lead_times_are_read_in_either_language(typed: str, minutes: list[int]) -> None:
    assert parse_leads(typed) == minutes


def test_the_catalogs_default_lead_times_are_the_ones_the_form_reads() -> None:
    for language in ("nl", "en"):
        default = translator(language)("meeting.leads.default")
        assert default == format_leads(DEFAULT_LEADS_MINUTES, language)
        assert parse_leads(default) == list(DEFAULT_LEADS_MINUTES)


async def _meeting_form(bot: BotDriver, db: Database, user: TeamsUser) -> dict[str, Any]:
    await grant(bot, db, user, Role.COORDINATOR)
    await create_project(bot, user)
    typed = "nieuwe vergadering DT-042" if user.locale.startswith("nl") else "new meeting DT-042"
    return (await bot.say(user, typed, conversation=CHANNEL)).cards[0]


@pytest.mark.parametrize(("user", "leads", "zone"), [(AN, "24u, 1u", "Brussel"), (ANN, "24h, 1h", "Brussels")])
async def test_the_meeting_form_prefills_units_and_zone_in_the_readers_language(
    bot: BotDriver, db: Database, user: TeamsUser, leads: str, zone: str
) -> None:
    form = await _meeting_form(bot, db, user)
    assert field_value(form, "leads") == leads
    assert field_value(form, "timezone") == zone


async def test_the_meeting_form_reads_units_and_zones_of_either_language(bot: BotDriver, db: Database) -> None:
    form = await _meeting_form(bot, db, ANN)  # English Teams, Dutch words
    typed = {**MEETING, "leads": "1 dag, 30 min", "timezone": "Parijs", "duration": "1u30"}
    saved = await bot.submit(ANN, {**form_data(form), **typed}, conversation=CHANNEL)
    assert "planned" in saved.texts[0]
    with db.session() as session:
        [series] = session.exec(select(MeetingSeries)).all()
    assert (series.lead_minutes, series.timezone, series.duration_minutes) == ("1440,30", "Europe/Paris", 90)

    # Opened again to edit, the series is shown in the reader's units and names, which read back the same.
    edit = await bot.execute(ANN, "meeting.edit", {"series": series.id}, conversation=CHANNEL)
    [again] = edit.cards
    assert (field_value(again, "leads"), field_value(again, "timezone")) == ("24h, 30m", "Paris")


async def test_an_unknown_or_misspelt_zone_on_the_meeting_form_is_answered_with_suggestions(
    bot: BotDriver, db: Database
) -> None:
    form = await _meeting_form(bot, db, AN)
    refused = await bot.submit(AN, {**form_data(form), **MEETING, "timezone": "Brusel"}, conversation=CHANNEL)
    again = shown_card(refused)
    assert error_under(again, "timezone") == translator("nl")(
        "timezone.suggest", value="Brusel", options="Brussel (Europe/Brussels)"
    )
    with db.session() as session:
        assert session.exec(select(MeetingSeries)).all() == []


@pytest.mark.parametrize("typed", ["6u", "6h", "6 uur", "6 hours", "6"])
async def test_the_reminder_threshold_reads_hours_in_either_language(bot: BotDriver, db: Database, typed: str) -> None:
    form = form_data((await bot.say(AN, "instellingen")).cards[0])
    await bot.submit(AN, {**form, "nudge": "true", "nudge_at": "16:30", "nudge_hours": typed})
    with db.session() as session:
        person = session.exec(select(Person).where(Person.aad_object_id == AN.aad_object_id)).one()
    assert person.id is not None
    assert TimeEntryRepository(db).nudge(person.id).min_minutes == 360


@pytest.mark.parametrize(("user", "shown"), [(AN, "6u30"), (ANN, "6h30")])
async def test_the_reminder_threshold_is_shown_in_the_readers_units(
    bot: BotDriver, db: Database, user: TeamsUser, shown: str
) -> None:
    typed = "instellingen" if user.locale.startswith("nl") else "settings"
    form = form_data((await bot.say(user, typed)).cards[0])
    await bot.submit(user, {**form, "nudge": "true", "nudge_at": "16:30", "nudge_hours": "6,5"})
    assert field_value((await bot.say(user, typed)).cards[0], "nudge_hours") == shown


@pytest.mark.parametrize("typed", ["120u", "120 uur", "120 h", "120 hours", "120"])
async def test_budget_hours_may_be_typed_with_their_unit(bot: BotDriver, db: Database, typed: str) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN, budget_hours=typed)
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None and project.budget_hours == Decimal("120.00")


async def test_budget_euros_take_no_hour_unit(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    refused = await create_project(bot, AN, budget_euros="120u")
    assert error_under(shown_card(refused), "budget_euros") == translator("nl")("project.number.invalid", value="120u")
    assert ProjectRepository(db).by_code("DT-042") is None


PLAN = {
    "receiver_conversation": "",
    "receiver": "Jan Beheer",
    "planned": "2027-01-29",
    "after_care": "2 weken",
    "support": "",
    "stakeholders": "",
    "extra_items": "",
}


@pytest.mark.parametrize(
    ("typed", "days"), [("30", 30), ("30 dagen", 30), ("30 days", 30), ("4 weken", 28), ("4 weeks", 28), ("", 30)]
)
def test_the_handover_reads_the_days_to_inform_in_either_language(typed: str, days: int) -> None:
    assert PlanForm.model_validate({**PLAN, "inform_days": typed}).inform_days == days


@pytest.mark.parametrize("typed", ["30 maanden", "dertig", "-1", "400 dagen"])
def test_the_handover_refuses_days_it_cannot_read_or_too_many(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        PlanForm.model_validate({**PLAN, "inform_days": typed})
    assert [error["type"] for error in refused.value.errors()] == ["handover.inform_days.invalid"]
