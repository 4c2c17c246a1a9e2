"""Reading a typed time entry (duration, date, project, activity, note) in Dutch and English, and printing one back
(pure).

`parse_entry("2h30 DT-042 gisteren #workshop: intake", kind="performed", today=...)` gives what was understood and
what was not; `format_entry` prints an entry so that parsing it again gives the same entry. The activity (category)
is a tag anywhere in the message, `#analyse`, `#meeting`: a tag cannot be mistaken for the first word of a note
("analyse aanvraag" stays the note); `match_category` says which category a tag names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

from domain.names import NameMatch, match_name

Kind = Literal["performed", "planned"]
KINDS: tuple[Kind, ...] = ("performed", "planned")

# Problems the parser can report (the dialog turns them into sentences in the user's language).
BAD_DATE = "bad_date"  # looked like a date but is none (31/02)
BAD_WEEK = "bad_week"  # named a week that does not exist (week 54, week 53 of 2027)

WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
_RELATIVE_DAYS: dict[str, int] = {
    "today": 0,
    "vandaag": 0,
    "yesterday": -1,
    "gisteren": -1,
    "eergisteren": -2,
    "tomorrow": 1,
    "morgen": 1,
    "overmorgen": 2,
}
_NEXT = frozenset({"next", "volgende", "komende"})
_LAST = frozenset({"last", "vorige", "afgelopen"})
_THIS = frozenset({"this", "deze"})
# Little words people put before a project or a date ("1.5h on DT-042", "op maandag"): dropped there only.
_FILLERS = frozenset({"on", "op", "for", "voor", "at", "aan", "in"})

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,5}$")
_NUMBER = r"[-+]?\d{1,6}(?:[.,]\d{1,6})?"
_HOUR_UNITS = r"(?:h|hr|hrs|hour|hours|u|uur|uren)"
_MINUTE_UNITS = r"(?:m|min|mins|minute|minutes|minuut|minuten)"
_HOURS = re.compile(rf"^(?P<n>{_NUMBER}){_HOUR_UNITS}$", re.IGNORECASE)
_MINUTES = re.compile(rf"^(?P<n>{_NUMBER}){_MINUTE_UNITS}$", re.IGNORECASE)
_HOURS_MINUTES = re.compile(
    rf"^(?P<sign>[-+]?)(?P<h>\d{{1,6}})(?:h|u)(?P<m>\d{{1,2}})(?:{_MINUTE_UNITS})?$", re.IGNORECASE
)
_CLOCK = re.compile(r"^(?P<sign>[-+]?)(?P<h>\d{1,6}):(?P<m>\d{2})$")
_BARE = re.compile(rf"^{_NUMBER}$")
_UNIT_H = re.compile(rf"^{_HOUR_UNITS}$", re.IGNORECASE)
_UNIT_M = re.compile(rf"^{_MINUTE_UNITS}$", re.IGNORECASE)
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{2}|\d{4}))?$")
# An activity tag: '#' and a word that starts with a letter ('#analyse', '#coördinatie'); a full stop or comma
# right after it ends the sentence, not the tag. '#12' (an issue number) is no tag and stays in the note.
_TAG = re.compile(r"^#(?P<tag>[^\W\d_][\w-]*?)[.,;!?]*$")
MIN_TAG_PREFIX = 3  # '#doc', '#coord': a shorter start names too much
# The note starts at the first colon that is not inside a clock time such as 2:30.
_NOTE_COLON = re.compile(r"(?<!\d):|:(?!\d)")


@dataclass(frozen=True)
class ParsedEntry:
    """What was understood. `minutes`/`day` None: not given (day None only when the date could not be read)."""

    minutes: int | None
    day: date | None
    project: str  # a project code, or the words that may name one; empty when none was given
    note: str
    date_given: bool = False
    categories: tuple[str, ...] = ()  # activity tags as typed, without '#' ('analyse'); see match_category
    problems: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (problem, the text concerned)
    # A whole week was given ('week 3', 'volgende week'): its Monday; `day` is that Monday too.
    week: date | None = None

    @property
    def project_is_code(self) -> bool:
        return bool(_CODE.match(self.project))

    @property
    def complete(self) -> bool:
        return self.minutes is not None and self.day is not None and bool(self.project) and not self.problems


# Durations ------------------------------------------------------------------------------------------------------


def _hours_to_minutes(text: str) -> int | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the patterns only let numbers through
        return None
    return int((value * 60).to_integral_value())


def parse_duration(text: str) -> int | None:
    """Minutes for one token ('2h30', '2:30', '90m', '1,5u', '2u30'); None when it is no duration."""
    token = text.strip()
    if match := _HOURS_MINUTES.match(token):
        minutes = int(match["h"]) * 60 + int(match["m"])
        if int(match["m"]) >= 60:
            return None
        return -minutes if match["sign"] == "-" else minutes
    if match := _CLOCK.match(token):
        if int(match["m"]) >= 60:
            return None
        minutes = int(match["h"]) * 60 + int(match["m"])
        return -minutes if match["sign"] == "-" else minutes
    if match := _HOURS.match(token):
        return _hours_to_minutes(match["n"])
    if match := _MINUTES.match(token):
        try:
            return int(Decimal(match["n"].replace(",", ".")).to_integral_value())
        except InvalidOperation:  # pragma: no cover
            return None
    return None


def _duration_at(words: list[str], i: int) -> tuple[int, int] | None:
    """(minutes, words used) for a duration starting at words[i]: one token, '45 min', '2 uur', '2h 30m'."""
    word = words[i]
    following = words[i + 1] if i + 1 < len(words) else ""
    minutes = parse_duration(word)
    if minutes is not None:
        # '2h 30m' / '2u 30min': hours then minutes as separate words.
        if _HOURS.match(word) and "." not in word and "," not in word:
            extra = _MINUTES.match(following)
            if extra and re.fullmatch(r"\d{1,2}", extra["n"]) and int(extra["n"]) < 60:
                sign = -1 if minutes < 0 else 1
                return minutes + sign * int(extra["n"]), 2
        return minutes, 1
    if _BARE.match(word):
        if _UNIT_H.match(following):
            return _hours_to_minutes(word) or 0, 2
        if _UNIT_M.match(following):
            return int(Decimal(word.replace(",", ".")).to_integral_value()), 2
    return None


def format_duration(minutes: int, language: str = "en") -> str:
    """'2h30' (en) or '2u30' (nl); '45m'; '-1h' — always readable by parse_duration."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    unit = "u" if language == "nl" else "h"
    if hours and rest:
        return f"{sign}{hours}{unit}{rest:02d}"
    if hours:
        return f"{sign}{hours}{unit}"
    return f"{sign}{rest}m"


def format_hours(minutes: int, language: str = "en") -> str:
    """Minutes as decimal hours for tables: '2,5' (nl) or '2.5' (en); at most two decimals."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()
    text = format(value, "f")
    return text.replace(".", ",") if language == "nl" else text


# Dates ----------------------------------------------------------------------------------------------------------


def _weekday_date(weekday: int, today: date, *, kind: Kind, modifier: str | None) -> date:
    ahead = (weekday - today.weekday()) % 7
    behind = (today.weekday() - weekday) % 7
    if modifier in _NEXT:
        return today + timedelta(days=ahead or 7)
    if modifier in _LAST:
        return today - timedelta(days=behind or 7)
    # Plain weekday: performed time looks back (today included), planned time looks ahead (today included).
    return today + timedelta(days=ahead) if kind == "planned" else today - timedelta(days=behind)


def _nearest_year(day: int, month: int, today: date) -> date | None:
    """A day and month without a year: the occurrence nearest to today (27/11 in early January is last year's)."""
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None
    return min(options, key=lambda d: (abs((d - today).days), d))


def _numeric_date(word: str, today: date) -> date | Literal[False] | None:
    """A date, None when it looks like a date but is none (31/02), False when it does not look like one."""
    if match := _ISO.match(word):
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
    if match := _DAY_FIRST.match(word):
        day, month = int(match["d"]), int(match["m"])
        if match["y"] is None:
            if "." in word and not ("/" in word or "-" in word):
                # '1.5' is a number, not the first of May; a dotted date needs its year.
                return False
            return _nearest_year(day, month, today)
        year = int(match["y"])
        if len(match["y"]) == 2:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return False


def _date_at(words: list[str], i: int, today: date, kind: Kind) -> tuple[date | None, int] | None:
    """(date or None when unreadable, words used) for a date starting at words[i]; None when there is none."""
    word = words[i].lower()
    following = words[i + 1].lower() if i + 1 < len(words) else ""
    if word in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[word]), 1
    if word in WEEKDAYS:
        return _weekday_date(WEEKDAYS[word], today, kind=kind, modifier=None), 1
    if (word in _NEXT or word in _LAST or word in _THIS) and following in WEEKDAYS:
        modifier = None if word in _THIS else word
        return _weekday_date(WEEKDAYS[following], today, kind=kind, modifier=modifier), 2
    found = _numeric_date(word, today)
    if found is False:
        return None
    return found, 1


_WEEK_TOKEN = re.compile(r"^(?:week|wk)(?:(?P<n>\d{1,2})(?:[/-](?P<y>\d{4}))?)?$", re.IGNORECASE)
_WEEK_NUMBER_TOKEN = re.compile(r"^(?P<n>\d{1,2})(?:[/-](?P<y>\d{4}))?$")
_YEAR_TOKEN = re.compile(r"^\d{4}$")


def _week_at(words: list[str], i: int, today: date) -> tuple[date | None, int] | None:
    """(Monday or None when no such week exists, words used) for a week starting at words[i]: 'week 3', 'wk 3',
    'week3', 'week 3 2027', 'week 3/2027', 'deze week' / 'this week', 'volgende week' / 'next week'. A number
    without a year is the next week of that number (week_ahead: in December, week 3 is January's)."""
    word = words[i].lower()
    following = words[i + 1].lower() if i + 1 < len(words) else ""
    if following == "week" and (word in _THIS or word in _NEXT):
        return monday_of(today) + timedelta(days=0 if word in _THIS else 7), 2
    if (token := _WEEK_TOKEN.match(word)) is None:
        return None
    width = 1
    number, year = token["n"], token["y"]
    if number is None:
        if (numbered := _WEEK_NUMBER_TOKEN.match(following)) is None:
            return None
        number, year, width = numbered["n"], numbered["y"], 2
    if year is None and i + width < len(words) and _YEAR_TOKEN.match(words[i + width]):
        year, width = words[i + width], width + 1
    return week_ahead(int(number), today, int(year) if year else None), width


def format_date_token(day: date) -> str:
    return day.isoformat()


# Whole entries --------------------------------------------------------------------------------------------------


def split_note(text: str) -> tuple[str, str]:
    """(head, note): the note is what follows the first colon that is not part of a clock time."""
    match = _NOTE_COLON.search(text)
    if match is None:
        return text, ""
    return text[: match.start()], text[match.end() :]


def _take_tags(words: list[str], tags: list[str]) -> list[str]:
    """The words without the activity tags, which are added to `tags`."""
    kept = []
    for word in words:
        if match := _TAG.match(word):
            tags.append(match["tag"])
        else:
            kept.append(word)
    return kept


def parse_entry(text: str, *, kind: Kind, today: date) -> ParsedEntry:
    """Read the words after `log`/`plan`; never raises."""
    head, colon_note = split_note(text)
    tags: list[str] = []
    words = _take_tags(head.split(), tags)
    colon_note = " ".join(_take_tags(colon_note.split(), tags))
    minutes: int | None = None
    day: date | None = None
    week: date | None = None
    date_given = False
    code = ""
    problems: list[tuple[str, str]] = []
    used = [False] * len(words)
    i = 0
    while i < len(words):
        if minutes is None and (duration := _duration_at(words, i)) is not None:
            minutes, width = duration
        elif not date_given and (whole := _week_at(words, i, today)) is not None:
            week, width = whole
            day, date_given = week, True
            if week is None:
                problems.append((BAD_WEEK, " ".join(words[i : i + width])))
        elif not date_given and (found := _date_at(words, i, today, kind)) is not None:
            day, width = found
            date_given = True
            if day is None:
                problems.append((BAD_DATE, " ".join(words[i : i + width])))
        elif not code and _CODE.match(words[i]):
            code, width = words[i].upper(), 1
        else:
            i += 1
            continue
        for j in range(i, i + width):
            used[j] = True
        if i > 0 and not used[i - 1] and words[i - 1].lower() in _FILLERS:
            used[i - 1] = True
        i += width
    rest = " ".join(w for w, taken in zip(words, used, strict=True) if not taken)
    note = " ".join(colon_note.split())
    if code:
        project = code
        note = " ".join(part for part in (rest, note) if part)
    else:
        project = rest
    if not date_given:
        day = today
    return ParsedEntry(
        minutes=minutes,
        day=day,
        project=project,
        note=note,
        date_given=date_given,
        problems=tuple(problems),
        categories=tuple(tags),
        week=week,
    )


def format_entry(
    minutes: int, day: date, project: str, note: str, language: str = "en", categories: Iterable[str] = ()
) -> str:
    """The words that parse back to this entry: '2h30 2026-11-27 DT-042 #workshop: intake'."""
    parts = [format_duration(minutes, language), format_date_token(day)]
    if project:
        parts.append(project)
    parts.extend(f"#{tag}" for tag in categories)
    text = " ".join(parts)
    return f"{text}: {note}" if note else text


# Activities (categories) ----------------------------------------------------------------------------------------


def category_match(tag: str, names: Mapping[str, Iterable[str]]) -> NameMatch[str]:
    """Which category a tag names, given each category's names (its key, its Dutch and English name), read by the
    one forgiving matcher (domain/names.py): a whole name, case and accents ignored ('#coordinatie'), or else the start
    of the names of exactly one category, at least MIN_TAG_PREFIX letters ('#doc'); ambiguous when it starts several
    ('#ver': vergadering, verplaatsing); else none, with the closest name to offer ('#vergaderen')."""
    return match_name(tag, names, min_prefix=MIN_TAG_PREFIX)


def match_category(tag: str, names: Mapping[str, Iterable[str]]) -> str | None:
    """The category a tag names (category_match), or None when it names none or several."""
    return category_match(tag, names).found


# Weeks (timesheet) ----------------------------------------------------------------------------------------------

_WEEK_NUMBER = re.compile(r"^(?:week|wk|w)?\s*(?P<n>\d{1,2})(?:\s*[/-]\s*(?P<y>\d{4}))?$", re.IGNORECASE)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str, today: date) -> date | None:
    """The Monday of the week meant: '' (this week), 'last week'/'vorige week', 'next week'/'volgende week',
    'week 48', '48/2026', or any date in it ('27/11', '2026-11-27'); None when it is no week."""
    words = " ".join(text.lower().split())
    if words in ("", "this week", "deze week"):
        return monday_of(today)
    if words in ("last week", "previous week", "vorige week", "afgelopen week"):
        return monday_of(today) - timedelta(days=7)
    if words in ("next week", "volgende week", "komende week"):
        return monday_of(today) + timedelta(days=7)
    if match := _WEEK_NUMBER.match(words):
        year = int(match["y"]) if match["y"] else today.isocalendar().year
        try:
            return date.fromisocalendar(year, int(match["n"]), 1)
        except ValueError:
            return None
    found = _date_at(words.split(), 0, today, "performed") if len(words.split()) <= 2 else None
    if found is not None and found[0] is not None and found[1] == len(words.split()):
        return monday_of(found[0])
    return None


# Weeks ahead (planning, capacity) -------------------------------------------------------------------------------

_WEEK_WORD = r"(?:weken|weeks|week|wk|w)"
_AHEAD_WEEK = re.compile(rf"^(?:{_WEEK_WORD}\s*)?(?P<n>\d{{1,2}})(?:\s*(?:[/-]\s*|\s)(?P<y>\d{{4}}))?$")
_WEEK_SPAN = re.compile(
    rf"^(?:(?:van|from)\s+)?{_WEEK_WORD}\s*(?P<a>\d{{1,2}})\s*(?:-|–|tot|to|t/m|until|till)\s*"
    rf"(?:{_WEEK_WORD}\s*)?(?P<b>\d{{1,2}})(?:\s+(?P<y>\d{{4}}))?$"
)
_COMING_WEEKS = re.compile(r"^(?:de\s+|the\s+)?(?:komende|volgende|next|coming)\s+(?P<n>\d{1,2})\s+(?:weken|weeks)$")
MAX_SPAN_WEEKS = 53


def week_ahead(number: int, today: date, year: int | None = None) -> date | None:
    """The Monday of ISO week `number`: of `year` when given, else the first one that has not ended yet (in
    December, 'week 3' is next January's). None when that year has no such week (week 53 of most years)."""
    if year is None:
        year = today.isocalendar().year
        try:
            if date.fromisocalendar(year, number, 7) < today:
                year += 1
        except ValueError:
            year += 1
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        return None


def _month_weeks(first: date) -> tuple[date, int]:
    """The weeks that hold a day of the month starting at `first`."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    start, end = monday_of(first), monday_of(following - timedelta(days=1))
    return start, (end - start).days // 7 + 1


def parse_week_span(text: str, today: date, *, default_weeks: int = 8) -> tuple[date, int] | None:
    """(first Monday, number of weeks) for a span of weeks ahead: '' (this week and the next default_weeks - 1),
    'deze week' / 'this week', 'volgende week' / 'next week', 'week 3' (the next week 3, or 'week 3 2027'),
    'van week 1 tot week 13' / 'week 1-13' / 'from week 1 to week 13', 'volgende maand' / 'next month' (the
    weeks holding its days), 'deze maand' / 'this month', 'komende 4 weken' / 'next 4 weeks'. None when it is no
    span, names a week that does not exist, or runs over MAX_SPAN_WEEKS."""
    words = " ".join(text.lower().split())
    this_monday = monday_of(today)
    if words == "":
        return this_monday, default_weeks
    if words in ("this week", "deze week"):
        return this_monday, 1
    if words in ("next week", "volgende week", "komende week"):
        return this_monday + timedelta(days=7), 1
    if words in ("this month", "deze maand"):
        return _month_weeks(today.replace(day=1))
    if words in ("next month", "volgende maand", "komende maand"):
        return _month_weeks((today.replace(day=28) + timedelta(days=4)).replace(day=1))
    if (coming := _COMING_WEEKS.match(words)) is not None:
        count = int(coming["n"])
        return (this_monday, count) if 1 <= count <= MAX_SPAN_WEEKS else None
    if (one := _AHEAD_WEEK.match(words)) is not None:
        monday = week_ahead(int(one["n"]), today, int(one["y"]) if one["y"] else None)
        return (monday, 1) if monday is not None else None
    if (span := _WEEK_SPAN.match(words)) is not None:
        year = int(span["y"]) if span["y"] else None
        first = week_ahead(int(span["a"]), today, year)
        if first is None:
            return None
        same_year = year is not None and int(span["b"]) >= int(span["a"])
        last = week_ahead(int(span["b"]), first, year if same_year else None)
        if last is None or last < first:
            return None
        count = (last - first).days // 7 + 1
        return (first, count) if count <= MAX_SPAN_WEEKS else None
    return None
