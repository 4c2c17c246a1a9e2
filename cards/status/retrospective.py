"""The closing retrospective (what went well, what to improve, the lessons) and the lessons learned across
projects, with the contracts of their buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import ActionSet, Choice, ChoiceSetInput, Container, TextBlock, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Payload, StoredIn
from cards.status.common import Chosen, OnProject, errors_header, short

MAX_LESSONS = 12
RETRO_FIELDS = ("went_well", "to_improve", "lessons")


class RetroFormOpen(OnProject):
    """The retrospective form (also on the handover's notice that after-care ended)."""

    VERB: ClassVar[str] = "retro.form"


class RetroSave(OnProject):
    VERB: ClassVar[str] = "retro.save"
    went_well: Annotated[str, StoredIn("retrospective.went_well", 4000)] = ""
    to_improve: Annotated[str, StoredIn("retrospective.to_improve", 4000)] = ""
    lessons: Annotated[str, StoredIn("retrospective.lessons", 4000)] = ""


class LessonsFilter(Payload):
    """The lessons card's domain filter."""

    VERB: ClassVar[str] = "lessons.filter"
    domain: Chosen = None


@dataclass(frozen=True)
class RetroForm:
    code: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def build_retrospective_card(form: RetroForm, t: Translator) -> dict[str, Any]:
    v = form.values
    body: list[Any] = [
        heading(t("retro.title", code=form.code, name=form.name)),
        paragraph(t("retro.intro"), subtle=True),
    ]
    errors_header(form.errors, body, t)
    for name in RETRO_FIELDS:
        body.append(
            TextInput(
                id=name,
                label=t(f"retro.field.{name}"),
                value=v.get(name, ""),
                is_multiline=True,
                max_length=4000,
                placeholder=t(f"retro.placeholder.{name}"),
            )
        )
        if name in form.errors:
            body.append(field_error(form.errors[name]))
    return card(body, [submit(t("retro.save"), RetroSave, code=form.code)])


@dataclass(frozen=True)
class LessonLine:
    code: str
    name: str
    domain: str
    lessons: str
    to_improve: str
    went_well: str


def build_lessons_card(
    lines: list[LessonLine], domains: list[tuple[str, str]], selected: str, t: Translator
) -> dict[str, Any]:
    body: list[Any] = [heading(t("lessons.title"))]
    body.append(
        ChoiceSetInput(
            id="domain",
            label=t("lessons.filter.domain"),
            style="compact",
            value=selected or "",
            choices=[Choice(title=t("lessons.filter.all"), value="")]
            + [Choice(title=name, value=value) for value, name in domains],
        )
    )
    body.append(ActionSet(actions=[submit(t("lessons.filter.apply"), LessonsFilter)]))
    if not lines:
        body.append(paragraph(t("lessons.none")))
    for line in lines[:MAX_LESSONS]:
        items: list[Any] = [TextBlock(text=f"**{line.code}** · {line.name} ({line.domain})", wrap=True)]
        for key, text in (("lessons", line.lessons), ("to_improve", line.to_improve), ("went_well", line.went_well)):
            if text.strip():
                items.append(paragraph(f"**{t(f'retro.field.{key}')}** {short(text, 300)}"))
        body.append(Container(separator=True, items=items))
    return card(body)
