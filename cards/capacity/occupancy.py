"""The occupancy card (`bezetting` / `capacity`): people x weeks at phone width. A summary line, the heatmap, then
one short row per person (the worst weeks) that unfolds to the person's weeks; filters by project and domain
folded under a button, and paging; with the contract of its buttons."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import (
    AdaptiveCard,
    Choice,
    ChoiceSetInput,
    Container,
    Image,
    ShowCardAction,
    TextBlock,
    ToggleVisibilityAction,
)
from pydantic import BeforeValidator, Field

from cards.base import CARD_VERSION, card, heading, minutes_text, paragraph, submit
from cards.capacity.common import planned_of_available, week_name
from cards.i18n import Translator
from cards.payloads import Day, Id, Payload
from cards.values import parse_id
from domain.capacity import Load, PersonLoad, WeekLoad

# Teams' card limit is 28 KB; a card that would pass this with the heatmap is sent without it.
CARD_BYTES_MAX = 27_500
# The longest span a card asks for (dialogs/kernel/timeparse.MAX_SPAN_WEEKS: cards do not import dialogs).
SPAN_WEEKS_MAX = 53
# How many of a person's worst weeks their folded row names.
WORST_SHOWN = 2
# A filter lists this many projects at most (an administrator's hundreds: typed, `bezetting DT-042`, or by domain).
CHOICES_MAX = 40
# A person's unfolded weeks: all of them up to a quarter; beyond, only the full ones, at most this many.
DETAIL_WEEKS_MAX = 13
# How many of the reader's projects a full week names (the rest: "other projects").
PROJECTS_SHOWN = 2
# A filter's choice (a project, a domain): its id, or None for all ("" or anything that is no id), as the
# portfolio's filters read it (cards.status.common.Chosen: not imported, cards.status imports this package).
Chosen = Annotated[int | None, BeforeValidator(parse_id)]
LOAD_ICON = {Load.OVER: "🔴", Load.AT_RISK: "🟠", Load.OK: "🟢", Load.UNKNOWN: "⚪"}
# The worse first: over-booked people, then those at risk, then the rest by name.
RANK = {Load.OVER: 0, Load.AT_RISK: 1, Load.OK: 2, Load.UNKNOWN: 2}


class OccupancyPage(Payload):
    """A page of the occupancy card: the span of weeks, the filters and whose card it is."""

    VERB: ClassVar[str] = "capacity.page"
    page: int = 1
    first: Day | None = None  # the span's first Monday (another day: the Monday of its week); None: this week
    weeks: Annotated[int, Field(ge=1, le=SPAN_WEEKS_MAX)] = 8
    project: Chosen = None
    domain: Chosen = None
    owner: Id | None = None  # whose card it is (dialogs/kernel/owned.py): only they filter and page it


@dataclass(frozen=True)
class OccupancyFilters:
    projects: list[tuple[str, str]]  # (id, "DT-042 · name") of the reader's projects
    domains: list[tuple[str, str]]  # (id, name) of their projects' domains
    project: str = ""
    domain: str = ""


@dataclass(frozen=True)
class OccupancyView:
    people: list[PersonLoad]  # this page's, in order
    total: int  # people in the (filtered) audience
    over: int  # people over-booked in at least one week of the span
    at_risk: int  # people at risk in a week and over-booked in none
    unknown: int  # people whose availability is not known
    first: date
    weeks: int
    page: int
    pages: int
    filters: OccupancyFilters
    project_codes: dict[int, str]  # to name what fills a full week
    owner_id: int | None = None
    chart_uri: str | None = None


def worst_load(person: PersonLoad) -> Load:
    """The person's worst week: over-booked before at risk before ok; unknown when their availability is."""
    loads = {week.load for week in person.weeks}
    return next((load for load in (Load.OVER, Load.AT_RISK, Load.OK) if load in loads), Load.UNKNOWN)


def by_attention(people: list[PersonLoad]) -> list[PersonLoad]:
    return sorted(people, key=lambda p: (RANK[worst_load(p)], p.name.casefold(), p.person_id))


def build_occupancy_card(view: OccupancyView, t: Translator) -> dict[str, Any]:
    built = _occupancy_card(view, t)
    if view.chart_uri and len(json.dumps(built, ensure_ascii=False).encode()) > CARD_BYTES_MAX:
        return _occupancy_card(replace(view, chart_uri=None), t)
    return built


def _occupancy_card(view: OccupancyView, t: Translator) -> dict[str, Any]:
    last = view.first + timedelta(weeks=view.weeks - 1)
    years = view.first.year != last.year
    span = (
        week_name(view.first, t)
        if view.weeks == 1
        else t(
            "capacity.occupancy.span",
            first=week_name(view.first, t, year=years),
            last=week_name(last, t, year=years),
        )
    )
    body: list[Any] = [
        heading(t("capacity.occupancy.title", span=span)),
        paragraph(
            t(
                "capacity.occupancy.summary",
                count=view.total,
                over=view.over,
                at_risk=view.at_risk,
                unknown=view.unknown,
            )
        ),
    ]
    filters, active = _filters(view.filters, t)
    if active:
        body.append(paragraph(t("portfolio.filter.active", filters=" · ".join(active)), subtle=True))
    if view.chart_uri:
        body.append(Image(url=view.chart_uri, alt_text=t("capacity.chart.alt"), size="Stretch"))
    if not view.people:
        body.append(paragraph(t("capacity.occupancy.nobody")))
    for person in view.people:
        body.extend(_person(person, view.project_codes, t))
    if view.pages > 1:
        body.append(paragraph(t("status.page", page=view.page, pages=view.pages), subtle=True))
    owner = {"owner": view.owner_id} if view.owner_id is not None else {}
    span_data = {"first": view.first.isoformat(), "weeks": view.weeks, **owner}
    actions: list[Any] = []
    if filters:
        filter_card = AdaptiveCard(
            version=CARD_VERSION,
            body=filters,
            actions=[submit(t("portfolio.filter.apply"), OccupancyPage, page=1, **span_data)],
        )
        actions.append(ShowCardAction(title=t("portfolio.filter.show"), card=filter_card))
    keep = {"project": view.filters.project, "domain": view.filters.domain, **span_data}
    if view.page > 1:
        actions.append(submit(t("status.previous"), OccupancyPage, page=view.page - 1, **keep))
    if view.page < view.pages:
        actions.append(submit(t("status.next"), OccupancyPage, page=view.page + 1, **keep))
    return card(body, actions or None)


def _person(person: PersonLoad, codes: dict[int, str], t: Translator) -> list[Any]:
    """The person's short row (tap: their weeks unfold below it, on the client)."""
    folded = f"capacity-person-{person.person_id}"
    worst = worst_load(person)
    row = Container(
        separator=True,
        spacing="Small",
        select_action=ToggleVisibilityAction(title=t("capacity.occupancy.weeks_toggle"), target_elements=[folded]),
        items=[
            TextBlock(text=f"{LOAD_ICON[worst]} **{short(person.name, 60)}**", wrap=True),
            TextBlock(
                text=_worst_weeks(person, worst, t),
                color="Attention" if worst is Load.OVER else "Warning" if worst is Load.AT_RISK else None,
                is_subtle=True if worst in (Load.OK, Load.UNKNOWN) else None,
                size="Small",
                spacing="None",
                wrap=True,
            ),
        ],
    )
    weeks = "\n\n".join(_week_lines(person, codes, t))
    details = Container(
        id=folded,
        is_visible=False,
        spacing="None",
        items=[TextBlock(text=weeks, size="Small", wrap=True)],
    )
    return [row, details]


def _worst_weeks(person: PersonLoad, worst: Load, t: Translator) -> str:
    """'wk 3 42/38 u · wk 5 40/38 u'; for the others the highest share, or that the availability is unknown."""
    if worst is Load.UNKNOWN:
        planned = sum(week.planned for week in person.weeks)
        return t("capacity.occupancy.unknown_row", planned=minutes_text(planned, t))
    if worst is Load.OK:
        most = max(week.percent or 0 for week in person.weeks)
        return t("capacity.occupancy.ok_row", percent=most) if most else t("capacity.occupancy.unplanned_row")
    full = sorted(person.weeks_with(worst), key=lambda week: (-(week.percent or 0), week.monday))[:WORST_SHOWN]
    shown = [
        t(
            "capacity.occupancy.worst",
            number=week.monday.isocalendar().week,
            planned=minutes_text(week.planned, t),
            available=minutes_text(week.available or 0, t),
        )
        for week in sorted(full, key=lambda week: week.monday)
    ]
    more = len(person.weeks_with(worst)) - len(full)
    return " · ".join(shown) + (" " + t("capacity.occupancy.more", count=more) if more else "")


def _week_lines(person: PersonLoad, codes: dict[int, str], t: Translator) -> list[str]:
    """Every week of a span up to a quarter; of a longer one only the full weeks (at most a quarter of them), so ten
    people over a year still fit the card (the heatmap shows every week)."""
    if len(person.weeks) <= DETAIL_WEEKS_MAX:
        return [_week_line(week, codes, t) for week in person.weeks]
    shown = person.weeks_with(Load.OVER, Load.AT_RISK)[:DETAIL_WEEKS_MAX]
    lines = [_week_line(week, codes, t) for week in shown]
    return [*lines, t("capacity.occupancy.weeks_left_out", count=len(person.weeks) - len(shown))]


def _week_line(week: WeekLoad, codes: dict[int, str], t: Translator) -> str:
    """'🔴 wk 3: 42 u van 38 u (111 %) · DT-042 24 u, DT-050 18 u': what fills a full week named (the week's date
    is in the card's title and the heatmap; ten people over a quarter must fit the card)."""
    number = week.monday.isocalendar().week
    line = f"{LOAD_ICON[week.load]} {t('capacity.chart.week', number=number)}: {planned_of_available(week, t)}"
    if week.load not in (Load.OVER, Load.AT_RISK) or not week.by_project:
        return line
    # The reader's own projects by code; what the person does elsewhere is theirs to know only as hours.
    named = [(codes[p], minutes) for p, minutes in week.by_project if p in codes][:PROJECTS_SHOWN]
    elsewhere = week.planned - sum(minutes for _, minutes in named)
    parts = [f"{code} {minutes_text(minutes, t)}" for code, minutes in named]
    if elsewhere > 0:
        parts.append(t("capacity.occupancy.elsewhere", hours=minutes_text(elsewhere, t)))
    return line + " · " + ", ".join(parts)


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _filters(f: OccupancyFilters, t: Translator) -> tuple[list[Any], list[str]]:
    """The filter inputs worth showing (a choice among two or more), and the filters in force, in words."""
    inputs: list[Any] = []
    active: list[str] = []
    for name, label_key, options in (
        ("project", "capacity.filter.project", f.projects),
        ("domain", "portfolio.filter.domain", f.domains),
    ):
        chosen = getattr(f, name) or ""
        label = next((label for value, label in options if value == chosen), "") if chosen else ""
        if label:
            active.append(f"{t(label_key).lower()} “{short(label, 60)}”")
        if len(options) > 1:
            inputs.append(
                ChoiceSetInput(
                    id=name,
                    label=t(label_key),
                    style="compact",
                    value=chosen,
                    choices=[Choice(title=t("portfolio.filter.all"), value="")]
                    + [Choice(title=short(label, 40), value=value) for value, label in options[:CHOICES_MAX]],
                )
            )
    return inputs, active
