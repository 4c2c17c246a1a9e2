"""The weekly digest a manager gets (updates, projects turning amber or red, stale updates, milestones due) and the
form of its settings, with the contract of its button."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Literal

from microsoft_teams.cards.core import Choice, ChoiceSetInput, TextBlock, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.capacity.notices import OverbookedLine, overbooked_digest_lines
from cards.i18n import Translator
from cards.payloads import Id, Payload
from cards.status.common import TREND_ICON, day_text, errors_header, rag_icon, rag_label
from cards.status.portfolio import PortfolioPage
from domain.status import DEFAULT_DIGEST_DAY, DEFAULT_DIGEST_TIME, DEFAULT_STALE_DAYS, WEEKDAYS


class DigestSave(Payload):
    """The digest settings' save."""

    VERB: ClassVar[str] = "digest.save"
    enabled: Literal["true", "false"] = "true"  # the card's toggle
    weekday: str = DEFAULT_DIGEST_DAY
    at_time: str = DEFAULT_DIGEST_TIME
    stale_days: str = str(DEFAULT_STALE_DAYS)
    owner: Id | None = None  # whose digest settings card it is


@dataclass(frozen=True)
class DigestItem:
    code: str
    name: str
    detail: str = ""  # overall RAG, a date (ISO) or a number of days, per section
    extra: str = ""


@dataclass(frozen=True)
class DigestView:
    week: str
    updated: list[DigestItem]  # detail: overall rag; extra: trend
    turned: list[DigestItem]  # detail: new overall rag; extra: previous
    stale: list[DigestItem]  # detail: days ('' = never)
    milestones: list[DigestItem]  # detail: ISO due date; extra: milestone title
    stale_days: int
    overbooked: list[OverbookedLine] = field(default_factory=list)  # people's over-booked weeks (capacity)


def _digest_section(title: str, lines: list[str], empty: str, t: Translator, limit: int = 15) -> list[Any]:
    items: list[Any] = [TextBlock(text=title, weight="Bolder", wrap=True, spacing="Medium")]
    if not lines:
        items.append(paragraph(empty, subtle=True))
    items += [paragraph(line) for line in lines[:limit]]
    if len(lines) > limit:
        items.append(paragraph(t("digest.more", count=len(lines) - limit), subtle=True))
    return items


def build_digest_card(view: DigestView, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("digest.title", week=view.week))]
    body += _digest_section(
        t("digest.turned"),
        [
            f"{rag_icon(i.detail)} **{i.code}** {i.name}: {rag_label(i.extra or None, t)} → {rag_label(i.detail, t)}"
            for i in view.turned
        ],
        t("digest.turned.none"),
        t,
    )
    body += _digest_section(
        t("digest.updated"),
        [f"{rag_icon(i.detail)}{TREND_ICON.get(i.extra, '')} **{i.code}** {i.name}" for i in view.updated],
        t("digest.updated.none"),
        t,
    )
    body += _digest_section(
        t("digest.stale", count=view.stale_days),
        [
            f"**{i.code}** {i.name} — " + (t("portfolio.age", count=i.detail) if i.detail else t("portfolio.never"))
            for i in view.stale
        ],
        t("digest.stale.none"),
        t,
    )
    body += _digest_section(
        t("digest.milestones"),
        [f"**{i.code}** {i.extra} — {day_text(date.fromisoformat(i.detail), t)}" for i in view.milestones],
        t("digest.milestones.none"),
        t,
    )
    if view.overbooked:  # no section at all when nobody is over-booked
        body += _digest_section(t("digest.overbooked"), overbooked_digest_lines(view.overbooked, t), "", t)
    return card(body, [submit(t("digest.open_portfolio"), PortfolioPage, page=1)])


@dataclass(frozen=True)
class DigestSettingsForm:
    weekday: str
    at_time: str
    enabled: bool
    stale_days: str
    errors: dict[str, str] = field(default_factory=dict)
    owner_id: int | None = None  # whose digest it is: only they save the card


def build_digest_settings_card(form: DigestSettingsForm, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("digest.settings.title")), paragraph(t("digest.settings.intro"), subtle=True)]
    errors_header(form.errors, body, t)
    body.append(
        ChoiceSetInput(
            id="enabled",
            label=t("digest.settings.enabled"),
            style="compact",
            value="true" if form.enabled else "false",
            choices=[
                Choice(title=t("digest.settings.on"), value="true"),
                Choice(title=t("digest.settings.off"), value="false"),
            ],
        )
    )
    body.append(
        ChoiceSetInput(
            id="weekday",
            label=t("digest.settings.weekday"),
            style="compact",
            value=form.weekday,
            choices=[Choice(title=t(f"weekday.{d}"), value=d) for d in WEEKDAYS],
        )
    )
    if "weekday" in form.errors:
        body.append(field_error(form.errors["weekday"]))
    body.append(TextInput(id="at_time", label=t("digest.settings.time"), value=form.at_time, placeholder="08:30"))
    if "at_time" in form.errors:
        body.append(field_error(form.errors["at_time"]))
    body.append(TextInput(id="stale_days", label=t("digest.settings.stale_days"), value=form.stale_days))
    if "stale_days" in form.errors:
        body.append(field_error(form.errors["stale_days"]))
    owner = {"owner": form.owner_id} if form.owner_id is not None else {}
    return card(body, [submit(t("digest.settings.save"), DigestSave, **owner)])
