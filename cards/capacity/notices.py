"""The weekly over-booking notices: the card the over-booked person gets (which weeks, planned against available,
the projects taking the time, what to do), the card each coordinator of an involved project gets (who, which week,
their project's share, the other projects' hours), and the lines of the managers' digest section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from microsoft_teams.cards.core import Container, TextBlock

from cards.base import card, heading, minutes_text, paragraph
from cards.capacity.common import planned_of_available, week_name
from cards.i18n import Translator
from domain.capacity import Load, WeekLoad


@dataclass(frozen=True)
class ProjectShare:
    code: str
    name: str
    minutes: int


@dataclass(frozen=True)
class OverbookedWeek:
    """One over-booked week as it was when the notice was queued. For a coordinator, `projects` are theirs and
    `others` the minutes the person's other projects take; for the person, `projects` are all of them."""

    monday: date
    planned: int
    available: int
    projects: tuple[ProjectShare, ...]
    others: int = 0

    def load(self) -> WeekLoad:
        return WeekLoad(self.monday, self.available, self.planned, (), Load.OVER)


@dataclass(frozen=True)
class OverbookedLine:
    """One line of the managers' digest: a person's over-booked week."""

    name: str
    monday: date
    planned: int
    available: int


def _week_title(week: OverbookedWeek, t: Translator) -> TextBlock:
    return TextBlock(
        text=f"{week_name(week.monday, t)}: {planned_of_available(week.load(), t)}",
        weight="Bolder",
        color="Attention",  # LOAD_COLOR's over-booked red, as a TextBlock spells it
        wrap=True,
        spacing="Medium",
    )


def _share_line(share: ProjectShare, t: Translator) -> TextBlock:
    return paragraph(
        t("capacity.notice.project", code=share.code, name=share.name, hours=minutes_text(share.minutes, t))
    )


def build_overbooked_card(weeks: Sequence[OverbookedWeek], t: Translator) -> dict[str, Any]:
    """To the person: each over-booked week with the projects that fill it, the largest first."""
    body: list[Any] = [heading(t("capacity.notice.title")), paragraph(t("capacity.notice.intro"))]
    for week in weeks:
        body.append(Container(items=[_week_title(week, t), *(_share_line(p, t) for p in week.projects)]))
    body.append(paragraph(t("capacity.notice.todo"), subtle=True))
    return card(body)


def build_team_overbooked_card(person: str, weeks: Sequence[OverbookedWeek], t: Translator) -> dict[str, Any]:
    """To a coordinator: when the person is over-booked, how much their projects take and how much the others."""
    body: list[Any] = [
        heading(t("capacity.team_notice.title", name=person)),
        paragraph(t("capacity.team_notice.intro", name=person)),
    ]
    for week in weeks:
        items: list[Any] = [_week_title(week, t), *(_share_line(p, t) for p in week.projects)]
        if week.others:
            items.append(paragraph(t("capacity.team_notice.others", hours=minutes_text(week.others, t)), subtle=True))
        body.append(Container(items=items))
    body.append(paragraph(t("capacity.team_notice.todo", name=person), subtle=True))
    return card(body)


def overbooked_digest_lines(lines: Sequence[OverbookedLine], t: Translator) -> list[str]:
    """'**An Peeters** — week 3 (18 jan.): 45 u van 38 u (118 %)', for the digest's section."""
    return [
        f"**{line.name}** — {week_name(line.monday, t)}: "
        + planned_of_available(WeekLoad(line.monday, line.available, line.planned, (), Load.OVER), t)
        for line in lines
    ]
