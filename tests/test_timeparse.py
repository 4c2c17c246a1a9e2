"""The time-entry parser: every duration and date form of PRODUCT.md in both languages, and its properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.kernel.timeparse import (
    BAD_DATE,
    ParsedEntry,
    format_duration,
    format_entry,
    format_hours,
    match_category,
    parse_duration,
    parse_entry,
)

MONDAY = date(2026, 11, 23)
WEDNESDAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2h", 120),
        ("2H", 120),
        ("2h30", 150),
        ("2h30m", 150),
        ("2h30min", 150),
        ("2:30", 150),
        ("0:45", 45),
        ("90m", 90),
        ("90min", 90),
        ("1.5h", 90),
        ("1,5u", 90),
        ("1,5h", 90),
        ("1.25h", 75),
        ("2u30", 150),
        ("2u", 120),
        ("2uur", 120),
        ("3uren", 180),
        ("1hour", 60),
        ("2hours", 120),
        ("30minuten", 30),
        ("-2h", -120),
        ("0h", 0),
        ("-0:30", -30),
    ],
)
def test_every_duration_form(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "h", "2", "2:75", "2h75", "abc", "2x", "1.5", "DT-042", "27/11", "2h30h"])
def test_not_a_duration(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45 min", 45),
        ("2 uur", 120),
        ("1,5 u", 90),
        ("2 h", 120),
        ("2h 30m", 150),
        ("2u 15min", 135),
        ("30 minuten", 30),
    ],
)
def test_durations_in_two_words(text: str, minutes: int) -> None:
    assert parse_entry(f"{text} DT-042", kind="performed", today=MONDAY).minutes == minutes


@pytest.mark.parametrize(
    ("minutes", "en", "nl"), [(150, "2h30", "2u30"), (120, "2h", "2u"), (45, "45m", "45m"), (-65, "-1h05", "-1u05")]
)
def test_format_duration(minutes: int, en: str, nl: str) -> None:
    assert format_duration(minutes, "en") == en
    assert format_duration(minutes, "nl") == nl
    assert parse_duration(en) == parse_duration(nl) == minutes


def test_format_hours_follows_the_language() -> None:
    assert format_hours(150, "nl") == "2,5"
    assert format_hours(150, "en") == "2.5"
    assert format_hours(120, "nl") == "2"
    assert format_hours(20, "en") == "0.33"


# Dates, seen from Wednesday 25 November 2026 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "performed", "planned"),
    [
        ("", WEDNESDAY, WEDNESDAY),
        ("today", WEDNESDAY, WEDNESDAY),
        ("vandaag", WEDNESDAY, WEDNESDAY),
        ("yesterday", date(2026, 11, 24), date(2026, 11, 24)),
        ("gisteren", date(2026, 11, 24), date(2026, 11, 24)),
        ("eergisteren", date(2026, 11, 23), date(2026, 11, 23)),
        ("tomorrow", date(2026, 11, 26), date(2026, 11, 26)),
        ("morgen", date(2026, 11, 26), date(2026, 11, 26)),
        # A weekday: the most recent one for performed time, the next one for planned time (today counts).
        ("monday", date(2026, 11, 23), date(2026, 11, 30)),
        ("maandag", date(2026, 11, 23), date(2026, 11, 30)),
        ("tuesday", date(2026, 11, 24), date(2026, 12, 1)),
        ("dinsdag", date(2026, 11, 24), date(2026, 12, 1)),
        ("wednesday", WEDNESDAY, WEDNESDAY),
        ("woensdag", WEDNESDAY, WEDNESDAY),
        ("thursday", date(2026, 11, 19), date(2026, 11, 26)),
        ("donderdag", date(2026, 11, 19), date(2026, 11, 26)),
        ("Friday", date(2026, 11, 20), date(2026, 11, 27)),
        ("vrijdag", date(2026, 11, 20), date(2026, 11, 27)),
        ("zaterdag", date(2026, 11, 21), date(2026, 11, 28)),
        ("sunday", date(2026, 11, 22), date(2026, 11, 29)),
        ("zondag", date(2026, 11, 22), date(2026, 11, 29)),
        ("on friday", date(2026, 11, 20), date(2026, 11, 27)),
        ("op vrijdag", date(2026, 11, 20), date(2026, 11, 27)),
        ("next tuesday", date(2026, 12, 1), date(2026, 12, 1)),
        ("volgende dinsdag", date(2026, 12, 1), date(2026, 12, 1)),
        ("next wednesday", date(2026, 12, 2), date(2026, 12, 2)),
        ("komende vrijdag", date(2026, 11, 27), date(2026, 11, 27)),
        ("last wednesday", date(2026, 11, 18), date(2026, 11, 18)),
        ("vorige maandag", date(2026, 11, 23), date(2026, 11, 23)),
        ("afgelopen vrijdag", date(2026, 11, 20), date(2026, 11, 20)),
        ("this friday", date(2026, 11, 20), date(2026, 11, 27)),
        ("deze vrijdag", date(2026, 11, 20), date(2026, 11, 27)),
        ("27/11", date(2026, 11, 27), date(2026, 11, 27)),
        ("27-11", date(2026, 11, 27), date(2026, 11, 27)),
        ("3/1", date(2027, 1, 3), date(2027, 1, 3)),  # the nearest 3 January
        ("1/6", date(2026, 6, 1), date(2026, 6, 1)),
        ("27-11-2026", date(2026, 11, 27), date(2026, 11, 27)),
        ("27/11/2026", date(2026, 11, 27), date(2026, 11, 27)),
        ("27.11.2026", date(2026, 11, 27), date(2026, 11, 27)),
        ("27/11/26", date(2026, 11, 27), date(2026, 11, 27)),
        ("2026-11-27", date(2026, 11, 27), date(2026, 11, 27)),
        ("2026-1-5", date(2026, 1, 5), date(2026, 1, 5)),
    ],
)
def test_every_date_form(words: str, performed: date, planned: date) -> None:
    for kind, expected in (("performed", performed), ("planned", planned)):
        entry = parse_entry(f"2h DT-042 {words}", kind=kind, today=WEDNESDAY)  # type: ignore[arg-type]
        assert entry.day == expected, (words, kind)
        assert entry.date_given == bool(words)
        assert entry.note == "" and entry.project == "DT-042"


@pytest.mark.parametrize("words", ["31/02", "2026-13-01", "30-02-2026", "0000-01-01", "32/1"])
def test_a_date_that_is_no_date_is_reported(words: str) -> None:
    entry = parse_entry(f"2h DT-042 {words}", kind="performed", today=WEDNESDAY)
    assert entry.problems == ((BAD_DATE, words),)
    assert entry.day is None and not entry.complete


def test_29_february_without_a_year_takes_the_nearest_leap_year_only_if_near() -> None:
    assert parse_entry("1h X-1 29/02", kind="performed", today=date(2028, 3, 1)).day == date(2028, 2, 29)
    assert parse_entry("1h X-1 29/02", kind="performed", today=date(2026, 3, 1)).problems == ((BAD_DATE, "29/02"),)


# Whole messages from PRODUCT.md ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("2h30 DT-042 analysis of the request", "performed", (150, MONDAY, "DT-042", "analysis of the request")),
        ("1.5h on DT-042 yesterday: workshop", "performed", (90, date(2026, 11, 22), "DT-042", "workshop")),
        ("2u30 DT-042 analyse aanvraag", "performed", (150, MONDAY, "DT-042", "analyse aanvraag")),
        ("1,5u DT-042 gisteren: workshop", "performed", (90, date(2026, 11, 22), "DT-042", "workshop")),
        ("4h DT-042 next tuesday workshop", "planned", (240, date(2026, 11, 24), "DT-042", "workshop")),
        ("4u DT-042 volgende maandag workshop", "planned", (240, date(2026, 11, 30), "DT-042", "workshop")),
        ("45 min dt-042", "performed", (45, MONDAY, "DT-042", "")),
        (
            "DT-042 2:30 27/11: call with 10:30 start",
            "planned",
            (150, date(2026, 11, 27), "DT-042", "call with 10:30 start"),
        ),
        ("90m digitaal loket", "performed", (90, MONDAY, "digitaal loket", "")),
        ("90m digitaal loket: intake", "performed", (90, MONDAY, "digitaal loket", "intake")),
        ("voor DT-042 1u gisteren", "performed", (60, date(2026, 11, 22), "DT-042", "")),
    ],
)
def test_product_examples(text: str, kind: str, expected: tuple[int, date, str, str]) -> None:
    entry = parse_entry(text, kind=kind, today=MONDAY)  # type: ignore[arg-type]
    assert (entry.minutes, entry.day, entry.project, entry.note) == expected
    assert not entry.problems


def test_what_is_missing_stays_empty() -> None:
    entry = parse_entry("DT-042 workshop", kind="performed", today=MONDAY)
    assert entry.minutes is None and entry.project == "DT-042" and entry.note == "workshop" and not entry.complete
    nothing = parse_entry("", kind="performed", today=MONDAY)
    assert nothing == ParsedEntry(minutes=None, day=MONDAY, project="", note="")
    no_project = parse_entry("2h gisteren", kind="performed", today=MONDAY)
    assert no_project.project == "" and no_project.minutes == 120 and not no_project.complete


def test_only_the_first_duration_and_date_count_the_rest_is_the_note() -> None:
    entry = parse_entry("2h DT-042 gisteren 3 people for 1h on friday", kind="performed", today=MONDAY)
    assert entry.minutes == 120 and entry.day == date(2026, 11, 22)
    assert entry.note == "3 people for 1h on friday"


# Activity tags --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "project", "note", "tags"),
    [
        ("2u30 DT-042 #analyse aanvraag", "DT-042", "aanvraag", ("analyse",)),
        ("2h30 DT-042 #Meeting with the vendor", "DT-042", "with the vendor", ("Meeting",)),
        ("#vergadering 1u DT-042 gisteren: stuurgroep", "DT-042", "stuurgroep", ("vergadering",)),
        # At the end of the note, as people write hashtags; a full stop after it ends the sentence.
        ("1,5u DT-042 gisteren: workshop #opleiding.", "DT-042", "workshop", ("opleiding",)),
        ("90m digitaal #coördinatie loket: intake", "digitaal loket", "intake", ("coördinatie",)),
        # A bare word is the note, never an activity: "analyse aanvraag" stays what was typed.
        ("2u30 DT-042 analyse aanvraag", "DT-042", "analyse aanvraag", ()),
        # '#12' (an issue number) and a lone '#' are no tags.
        ("1h DT-042 fix #12 and # more", "DT-042", "fix #12 and # more", ()),
        ("1h DT-042 #analysis #meeting", "DT-042", "", ("analysis", "meeting")),
    ],
)
def test_activity_tags_anywhere_and_only_tags(text: str, project: str, note: str, tags: tuple[str, ...]) -> None:
    entry = parse_entry(text, kind="performed", today=MONDAY)
    assert (entry.project, entry.note, entry.categories) == (project, note, tags)
    assert entry.minutes is not None and not entry.problems


NAMES = {
    "analysis": ("analysis", "Analyse", "Analysis"),
    "meeting": ("meeting", "Vergadering", "Meeting"),
    "coordination": ("coordination", "Coördinatie", "Coordination"),
    "documentation": ("documentation", "Documentatie", "Documentation"),
    "travel": ("travel", "Verplaatsing", "Travel"),
    "other": ("other", "Andere", "Other"),
}


@pytest.mark.parametrize(
    ("tag", "category"),
    [
        ("analyse", "analysis"),  # Dutch name
        ("Analysis", "analysis"),  # English name, any case
        ("VERGADERING", "meeting"),
        ("coördinatie", "coordination"),
        ("coordinatie", "coordination"),  # without the diaeresis
        ("doc", "documentation"),  # the start of one category's name
        ("verplaats", "travel"),
        ("ver", None),  # vergadering or verplaatsing
        ("an", None),  # too short to be a start
        ("vergaderen", None),  # no name starts with it
        ("lunch", None),
    ],
)
def test_match_category_by_name_in_either_language(tag: str, category: str | None) -> None:
    assert match_category(tag, NAMES) == category


# Properties -----------------------------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "2h",
        "2h30",
        "2:30",
        "90m",
        "1.5h",
        "1,5u",
        "2u30",
        "45",
        "min",
        "uur",
        "-1h",
        "0m",
        "DT-042",
        "dt-7",
        "ab-1",
        "yesterday",
        "gisteren",
        "maandag",
        "friday",
        "next",
        "volgende",
        "vorige",
        "last",
        "this",
        "deze",
        "27/11",
        "27-11-2026",
        "2026-11-27",
        "31/02",
        "29/02",
        "on",
        "op",
        "for",
        "voor",
        ":",
        "workshop",
        "analyse",
        "#analyse",
        "#Meeting.",
        "#12",
        "#",
        "10:30",
        "a:b",
        "::",
        "-",
        "ü",
        "",
    ]
)
_TEXT = st.one_of(st.text(max_size=80), st.lists(_WORDS, max_size=12).map(" ".join))
_DAY = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
_KIND = st.sampled_from(["performed", "planned"])


@settings(max_examples=400)
@given(text=_TEXT, today=_DAY, kind=_KIND)
def test_no_input_crashes_and_whatever_is_accepted_prints_back_to_the_same_entry(
    text: str, today: date, kind: str
) -> None:
    entry = parse_entry(text, kind=kind, today=today)  # type: ignore[arg-type]
    if entry.minutes is None or entry.day is None or entry.problems:
        return
    for language in ("en", "nl"):
        printed = format_entry(entry.minutes, entry.day, entry.project, entry.note, language, entry.categories)
        again = parse_entry(printed, kind=kind, today=today + timedelta(days=3))  # type: ignore[arg-type]
        assert (again.minutes, again.day, again.project, again.note, again.categories) == (
            entry.minutes,
            entry.day,
            entry.project,
            entry.note,
            entry.categories,
        ), printed


@given(minutes=st.integers(min_value=-100_000, max_value=100_000), language=st.sampled_from(["en", "nl"]))
def test_every_duration_prints_and_reads_back(minutes: int, language: str) -> None:
    assert parse_duration(format_duration(minutes, language)) == minutes
