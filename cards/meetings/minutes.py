"""A meeting's report once it is saved (issue 18, item 4): the card posted in the meeting's own chat and its working
group's conversation, and the values its DOCX document (the "projectverslag", dialogs/meetings/report_document.py)
is written from. Kept as plain JSON in the outbox row between the two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from microsoft_teams.cards.core import TextBlock

from cards.base import card, heading, paragraph
from cards.i18n import Translator
from cards.meetings.common import short, when_text
from cards.meetings.report import action_text
from domain.meetings import ActionItemFacts


@dataclass(frozen=True)
class Minutes:
    code: str
    project: str
    title: str
    start: datetime  # aware
    end: datetime
    timezone: str
    decisions: str
    actions: tuple[ActionItemFacts, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "project": self.project,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
            "decisions": self.decisions,
            "actions": [
                {"text": a.text, "owner": a.owner, "due_on": a.due_on.isoformat() if a.due_on else None}
                for a in self.actions
            ],
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Minutes:
        actions = tuple(
            ActionItemFacts(
                id=0,
                project_id=0,
                text=str(action.get("text", "")),
                owner_id=None,
                owner=action.get("owner"),
                due_on=date.fromisoformat(action["due_on"]) if action.get("due_on") else None,
                done=False,
            )
            for action in stored.get("actions") or []
            if isinstance(action, dict)
        )
        return cls(
            code=str(stored.get("code", "")),
            project=str(stored.get("project", "")),
            title=str(stored.get("title", "")),
            start=datetime.fromisoformat(str(stored["start"])),
            end=datetime.fromisoformat(str(stored["end"])),
            timezone=str(stored.get("timezone") or "Europe/Brussels"),
            decisions=str(stored.get("decisions", "")),
            actions=actions,
        )


def build_minutes_card(minutes: Minutes, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("meeting.minutes.title", title=short(minutes.title, 150))),
        TextBlock(text=f"{minutes.code} · {short(minutes.project, 120)}", is_subtle=True, wrap=True, spacing="None"),
        paragraph(when_text(minutes.start, minutes.end, minutes.timezone, t), subtle=True),
        TextBlock(text=t("meeting.report.decisions"), weight="Bolder", wrap=True),
        paragraph(short(minutes.decisions, 2000) or t("meeting.minutes.no_decisions")),
        TextBlock(text=t("meeting.minutes.actions"), weight="Bolder", wrap=True),
    ]
    lines = [action_text(action, t) for action in minutes.actions[:20]]
    body.append(paragraph("\n".join(lines) if lines else t("meeting.minutes.no_actions")))
    return card(body)
