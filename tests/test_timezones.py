"""Time zones as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from cards.i18n import translator
from dialogs.kernel.timezones import find_timezone, resolve_timezone, zone_label, zone_name, zone_problem
from storage.db import Database
from storage.models import Person
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver
from tests.test_people_settings_and_lists import error_under, field_value
from tests.test_project_turns import shown_card


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Brussels", "Europe/Brussels"),
        ("europe/brussels", "Europe/Brussels"),
        ("  Brussels ", "Europe/Brussels"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        # Dutch, English, French and German city names, case and accents forgiving (issue 15, item 4).
        ("Brussel", "Europe/Brussels"),
        ("BRUSSEL", "Europe/Brussels"),
        ("Bruxelles", "Europe/Brussels"),
        ("Brüssel", "Europe/Brussels"),
        ("Parijs", "Europe/Paris"),
        ("paris", "Europe/Paris"),
        ("Londen", "Europe/London"),
        ("London", "Europe/London"),
        ("Lissabon", "Europe/Lisbon"),
        ("Kopenhagen", "Europe/Copenhagen"),
        ("Calcutta", "Asia/Kolkata"),
        ("St Johns", "America/St_Johns"),
        # A country with one zone, by its name in either language.
        ("België", "Europe/Brussels"),
        ("belgie", "Europe/Brussels"),
        ("Verenigd Koninkrijk", "Europe/London"),
        ("Frankrijk", "Europe/Paris"),
        # A unique beginning of a name.
        ("Amster", "Europe/Amsterdam"),
    ],
)
def test_understood(typed: str, zone: str) -> None:
    assert resolve_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "Mars/Phobos", "Europe", "Brusel", "Bru"])
def test_not_understood(typed: str) -> None:
    assert resolve_timezone(typed) is None


def test_a_misspelling_gets_the_closest_zone_as_a_suggestion_in_the_readers_language() -> None:
    assert find_timezone("Brusel").candidates == ("Europe/Brussels",)
    key, values = zone_problem("Brusel", "nl", "settings.timezone.invalid") or ("", {})
    assert (key, values) == ("timezone.suggest", {"value": "Brusel", "options": "Brussel (Europe/Brussels)"})
    key, values = zone_problem("Parjis", "en", "settings.timezone.invalid") or ("", {})
    assert (key, values["options"]) == ("timezone.suggest", "Paris (Europe/Paris)")


def test_a_name_several_zones_share_is_not_guessed_but_listed() -> None:
    assert set(find_timezone("Samoa").candidates) == {"Pacific/Apia", "Pacific/Pago_Pago"}  # Samoa, American Samoa
    found = find_timezone("Santa")  # the start of several names: Santarém, and Tijuana's old name Santa Isabel
    assert found.zone is None and found.ambiguous
    assert len(found.candidates) > 1
    key, values = zone_problem("Santa", "nl", "settings.timezone.invalid") or ("", {})
    assert key == "timezone.ambiguous"
    assert all(zone in values["options"] for zone in found.candidates)


def test_nothing_near_gets_the_forms_own_message() -> None:
    assert zone_problem("Mars/Phobos", "nl", "meeting.timezone.invalid") == (
        "meeting.timezone.invalid",
        {"value": "Mars/Phobos"},
    )
    assert zone_problem("Parijs", "nl", "meeting.timezone.invalid") is None


@pytest.mark.parametrize(
    ("zone", "nl", "en"),
    [
        ("Europe/Brussels", "Brussel", "Brussels"),
        ("Europe/Paris", "Parijs", "Paris"),
        ("Europe/London", "Londen", "London"),
        ("America/New_York", "New York", "New York"),
        ("UTC", "UTC", "UTC"),
    ],
)
def test_a_zone_is_named_in_the_readers_language(zone: str, nl: str, en: str) -> None:
    assert (zone_name(zone, "nl"), zone_name(zone, "en")) == (nl, en)
    assert zone_label(zone, "nl") == (nl if nl == zone else f"{nl} ({zone})")


def test_every_zone_name_shown_is_understood_again_as_that_zone() -> None:
    """A form shows the name; saving the form reads it back: it must lead to the same zone (or an alias of it)."""
    from zoneinfo import ZoneInfo, available_timezones

    from dialogs.kernel.timezones import _canonical

    for zone in available_timezones():
        for language in ("nl", "en"):
            shown = zone_name(zone, language)  # type: ignore[arg-type]
            meant = resolve_timezone(shown)
            assert meant is not None, (zone, language, shown)
            assert _canonical(meant) == _canonical(zone) or ZoneInfo(meant).key == shown, (zone, language, shown)


@given(st.text(max_size=60))
def test_never_crashes_and_only_returns_real_zones(typed: str) -> None:
    from zoneinfo import ZoneInfo

    zone = resolve_timezone(typed)
    if zone is not None:
        ZoneInfo(zone)


# The settings form (issue 15, item 4) -----------------------------------------------------------------------------

AN = TeamsUser.named("An Peeters", locale="nl-BE")
ANN = TeamsUser.named("Ann Peters", locale="en-GB")


def _stored_zone(db: Database, user: TeamsUser) -> str | None:
    with db.session() as session:
        person = session.exec(select(Person).where(Person.aad_object_id == user.aad_object_id)).one()
        return person.preferred_timezone


async def test_settings_take_a_dutch_city_name_and_show_it_in_each_readers_language(
    bot: BotDriver, db: Database
) -> None:
    saved = await bot.submit(AN, {"verb": "settings.save", "language": "auto", "timezone": "parijs"})
    assert saved.texts == [translator("nl")("settings.saved", language="Nederlands", timezone="Parijs (Europe/Paris)")]
    assert field_value(shown_card(saved), "timezone") == "Parijs"
    assert _stored_zone(db, AN) == "Europe/Paris"
    shown = await bot.say(AN, "instellingen")
    assert field_value(shown.cards[0], "timezone") == "Parijs"

    await bot.submit(ANN, {"verb": "settings.save", "language": "auto", "timezone": "Europe/Paris"})
    assert field_value((await bot.say(ANN, "settings")).cards[0], "timezone") == "Paris"


async def test_settings_answer_a_shared_or_misspelt_name_with_choices_and_keep_the_stored_zone(
    bot: BotDriver, db: Database
) -> None:
    await bot.submit(AN, {"verb": "settings.save", "language": "auto", "timezone": "Londen"})
    assert _stored_zone(db, AN) == "Europe/London"

    shared = shown_card(await bot.submit(AN, {"verb": "settings.save", "language": "auto", "timezone": "Samoa"}))
    assert error_under(shared, "timezone") == translator("nl")(
        "timezone.ambiguous", value="Samoa", options="Apia (Pacific/Apia), Pago Pago (Pacific/Pago_Pago)"
    )
    assert field_value(shared, "timezone") == "Samoa", "the form keeps what was typed"

    misspelt = shown_card(await bot.submit(AN, {"verb": "settings.save", "language": "auto", "timezone": "Brusel"}))
    assert error_under(misspelt, "timezone") == translator("nl")(
        "timezone.suggest", value="Brusel", options="Brussel (Europe/Brussels)"
    )
    assert _stored_zone(db, AN) == "Europe/London"
