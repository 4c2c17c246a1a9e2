"""The portfolio: a manager's projects, those that need attention first, filtered by domain, coordinator and
government and paged; with the contract of its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from microsoft_teams.cards.core import AdaptiveCard, Choice, ChoiceSetInput, Container, ShowCardAction, TextBlock

from cards.base import CARD_VERSION, card, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Id, Payload
from cards.status.common import TREND_ICON, Chosen, rag_icon, short
from cards.status.summary import StatusOpen
from domain.status import DIMENSIONS


class PortfolioPage(Payload):
    """A page of the portfolio with its filters."""

    VERB: ClassVar[str] = "portfolio.page"
    page: int = 1
    domain: Chosen = None
    coordinator: Chosen = None
    government: Chosen = None
    owner: Id | None = None  # whose overview it is (dialogs/kernel/owned.py)


@dataclass(frozen=True)
class PortfolioLine:
    code: str
    name: str
    coordinator: str | None
    overall: str | None
    schedule: str | None
    budget: str | None
    scope: str | None
    trend: str | None
    burn: Decimal | None
    burn_level: str
    late_milestones: int
    age_days: int | None
    stale: bool


@dataclass(frozen=True)
class PortfolioFilters:
    domains: list[tuple[str, str]]
    coordinators: list[tuple[str, str]]
    governments: list[tuple[str, str]]
    domain: str = ""
    coordinator: str = ""
    government: str = ""


@dataclass(frozen=True)
class PortfolioView:
    lines: list[PortfolioLine]
    page: int
    pages: int
    total: int
    counts: dict[str, int]  # red, amber, green, none
    filters: PortfolioFilters
    owner_id: int | None = None  # whose overview (it shows their domains): only they filter and page it


def age_text(days: int | None, t: Translator) -> str:
    if days is None:
        return t("portfolio.never")
    return t("portfolio.age.today") if days == 0 else t("portfolio.age", count=days)


def _portfolio_line(line: PortfolioLine, t: Translator) -> Container:
    dims = "".join(rag_icon(getattr(line, d)) for d in DIMENSIONS)
    trend = TREND_ICON.get(line.trend or "", "")
    bits = [f"{t('portfolio.dims')} {dims}"]
    if line.burn is not None:
        bits.append(t("portfolio.burn", percent=line.burn))
    if line.late_milestones:
        bits.append(t("portfolio.late", count=line.late_milestones))
    bits.append(age_text(line.age_days, t))
    attention = line.stale or line.late_milestones > 0 or line.burn_level == "over"
    return Container(
        separator=True,
        spacing="Small",
        select_action=submit(line.code, StatusOpen, code=line.code),
        items=[
            TextBlock(
                text=f"{rag_icon(line.overall)}{trend} **{line.code}** {short(line.name, 60)}"
                + (f" · {line.coordinator}" if line.coordinator else ""),
                wrap=True,
            ),
            TextBlock(
                text=" · ".join(bits),
                is_subtle=None if attention else True,
                color="Warning" if attention else None,
                size="Small",
                spacing="None",
                wrap=True,
            ),
        ],
    )


def build_portfolio_card(view: PortfolioView, t: Translator) -> dict[str, Any]:
    c = view.counts
    counts = t(
        "portfolio.counts", red=c.get("red", 0), amber=c.get("amber", 0), green=c.get("green", 0), none=c.get("none", 0)
    )
    body: list[Any] = [heading(t("portfolio.title", count=view.total)), paragraph(counts, subtle=True)]
    f = view.filters
    filters, active = _filters(f, t)
    if active:
        body.append(paragraph(t("portfolio.filter.active", filters=" · ".join(active)), subtle=True))
    if not view.lines:
        body.append(paragraph(t("portfolio.none")))
    for line in view.lines:
        body.append(_portfolio_line(line, t))
    if view.pages > 1:
        body.append(paragraph(t("status.page", page=view.page, pages=view.pages), subtle=True))
    actions: list[Any] = []
    owner = {"owner": view.owner_id} if view.owner_id is not None else {}
    if filters:
        # The results come first; the filters fold into a button (they took a third of a phone screen above them).
        # Their submit posts the same payload as before: the verb, page 1 and the three choices.
        filter_card = AdaptiveCard(
            version=CARD_VERSION,
            body=filters,
            actions=[submit(t("portfolio.filter.apply"), PortfolioPage, page=1, **owner)],
        )
        actions.append(ShowCardAction(title=t("portfolio.filter.show"), card=filter_card))
    keep = {"domain": f.domain, "coordinator": f.coordinator, "government": f.government, **owner}
    if view.page > 1:
        actions.append(submit(t("status.previous"), PortfolioPage, page=view.page - 1, **keep))
    if view.page < view.pages:
        actions.append(submit(t("status.next"), PortfolioPage, page=view.page + 1, **keep))
    return card(body, actions or None)


def _filters(f: PortfolioFilters, t: Translator) -> tuple[list[Any], list[str]]:
    """The filter inputs worth showing (a choice among several; the domain only when there are two or more), and
    the filters in force, in words."""
    inputs: list[Any] = []
    active: list[str] = []
    for name, options in (("domain", f.domains), ("coordinator", f.coordinators), ("government", f.governments)):
        chosen = getattr(f, name) or ""
        label = next((label for value, label in options if value == chosen), "") if chosen else ""
        if label:
            active.append(f"{t(f'portfolio.filter.{name}').lower()} “{short(label, 60)}”")
        if len(options) > 1 or (name != "domain" and options):
            inputs.append(
                ChoiceSetInput(
                    id=name,
                    label=t(f"portfolio.filter.{name}"),
                    style="compact",
                    value=chosen,
                    choices=[Choice(title=t("portfolio.filter.all"), value="")]
                    + [Choice(title=short(label, 60), value=value) for value, label in options[:150]],
                )
            )
    return inputs, active
