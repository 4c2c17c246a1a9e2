"""The portfolio: the projects of the domains a manager oversees (all of them for an administrator) and those the
data names the reader manager of (with or without the role), those that need attention first, filtered and paged."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cards.menu import MenuSection
from cards.status.portfolio import PortfolioFilters, PortfolioLine, PortfolioPage, PortfolioView, build_portfolio_card
from dialogs.kernel.hours import hours_source
from dialogs.kernel.owned import not_yours
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import request_zone
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import managed_project_domains, me, refusal, standing
from dialogs.status import rules
from dialogs.status.common import capability
from domain.names import match_name
from domain.status import DEFAULT_STALE_DAYS, DIMENSIONS
from storage.directory import Role
from storage.projects import ProjectRepository
from storage.status import PortfolioRow, StatusRepository

PORTFOLIO_PAGE = 20


@capability.command(
    "portfolio",
    en=("portfolio",),
    nl=("overzicht", "portfolio"),
    menu=MenuInfo(
        "menu.portfolio.title",
        "menu.portfolio.description",
        {"en": "portfolio", "nl": "overzicht"},
        requires=Action.VIEW_PORTFOLIO,
        section=MenuSection.STATUS,
    ),
)
def portfolio(request: Request, services: Services, rest: str) -> Reply:
    """`overzicht`, or `overzicht <domein of lokaal bestuur>` as people write it ("overzicht tech", "overzicht
    gemeente zottegem"): the portfolio filtered on it; a name that fits none or several says so above the whole."""
    if not rest.strip():
        return portfolio_page(request, services, PortfolioPage())
    filtered, problem = _typed_filter(request, services, rest.strip())
    page = portfolio_page(request, services, filtered)
    return Reply.text(problem).then(page) if problem else page


def _typed_filter(request: Request, services: Services, typed: str) -> tuple[PortfolioPage, str]:
    """The page a typed domain or local government names, and why not when it names none or several, or a domain
    outside the reader's portfolio."""
    t = request.t
    projects = ProjectRepository(services.db)
    names: dict[tuple[str, int], tuple[str, ...]] = {}
    shown: dict[tuple[str, int], str] = {}
    for domain in projects.domains():
        if domain.id is not None:
            names[("domain", domain.id)] = (domain.key, domain.name_nl, domain.name_en)
            shown[("domain", domain.id)] = domain.name(t.language)
    for government in projects.governments():
        if government.id is not None:
            names[("government", government.id)] = (government.name,)
            shown[("government", government.id)] = government.name
    match = match_name(typed[:200], names, inner_words=True)  # a filter: "lier" may list the Lier governments
    if match.found is not None:
        kind, chosen = match.found
        if kind == "government":
            return PortfolioPage(government=chosen), ""
        if chosen in overseen(request, services).filter_domains():
            return PortfolioPage(domain=chosen), ""
        return PortfolioPage(), t("portfolio.typed.not_yours", name=shown[match.found])
    if match.candidates:
        could_be = ", ".join(f"“{shown[c]}”" for c in match.candidates[:5])
        return PortfolioPage(), t("portfolio.typed.ambiguous", typed=typed[:80], names=could_be)
    if match.suggestion is not None:
        suggestion = shown[match.suggestion]
        return PortfolioPage(), t("portfolio.typed.did_you_mean", typed=typed[:80], suggestion=suggestion)
    return PortfolioPage(), t("portfolio.typed.unknown", typed=typed[:80])


@dataclass(frozen=True)
class Overseen:
    """What one reader's portfolio and digest cover."""

    domains: frozenset[int]  # whole domains: a manager's by role, every one for an administrator
    manager_id: int | None  # and the projects the data names this person manager of (None: no such projects)
    named_domains: frozenset[int]  # the domains of those projects (offered in the domain filter too)

    def filter_domains(self) -> frozenset[int]:
        return self.domains | self.named_domains


def overseen(request: Request, services: Services) -> Overseen:
    """What the reader's portfolio covers; Stop with the polite refusal when they may see none (no manager or
    admin role, and named manager of no project that is not closed)."""
    who = me(request, services)
    if Role.ADMIN in who.roles:
        every = frozenset(d.id for d in ProjectRepository(services.db).domains() if d.id is not None)
        return Overseen(every, None, frozenset())
    decision = allowed(standing(request, services), Action.VIEW_PORTFOLIO)
    if not decision.allowed:
        raise Stop(refusal(decision, request.t))
    named = managed_project_domains(request, services)
    return Overseen(who.domains, who.id if named else None, named)


def portfolio_lines(
    rows: list[PortfolioRow], spent: dict[int, Decimal], now: datetime, stale_days: int = DEFAULT_STALE_DAYS
) -> list[PortfolioLine]:
    """Attention first: red, amber, missing or stale updates, late milestones, overspent budgets (pure)."""
    scored: list[tuple[int, str, PortfolioLine]] = []
    for row in rows:
        latest, previous = row.latest, row.previous
        burn = rules.burn_percent(spent.get(row.project_id, Decimal(0)), row.budget_hours)
        age = rules.age_days(latest.created_at if latest else None, now)
        worst_dim = rules.worst(*(getattr(latest, d) for d in DIMENSIONS)) if latest else None
        facts = rules.AttentionFacts(
            overall=latest.overall if latest else None,
            worst_dimension=worst_dim,
            days_since_update=age,
            late_milestones=row.late_milestones,
            burn=burn,
            top_risk_score=row.top_risk_score,
            stale_days=stale_days,
        )
        line = PortfolioLine(
            code=row.code,
            name=row.name,
            coordinator=row.coordinator,
            overall=latest.overall if latest else None,
            schedule=latest.schedule if latest else None,
            budget=latest.budget if latest else None,
            scope=latest.scope if latest else None,
            trend=rules.trend(previous.overall if previous else None, latest.overall if latest else None),
            burn=burn,
            burn_level=rules.burn_level(burn),
            late_milestones=row.late_milestones,
            age_days=age,
            stale=rules.is_stale(latest.created_at if latest else None, now, stale_days),
        )
        scored.append((-rules.attention(facts), row.code, line))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [line for _score, _code, line in scored]


@capability.verb(PortfolioPage)
def portfolio_page(request: Request, services: Services, payload: PortfolioPage) -> Reply:
    t = request.t
    # One person's overview (their domains): in a channel a page replaces the card for everyone there.
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.portfolio")) is not None:
        return refused
    covered = overseen(request, services)
    domains = covered.filter_domains()
    now = services.clock.now()
    projects = ProjectRepository(services.db)
    # A domain filter narrows what the reader sees; one outside it (a forged or stale card) is ignored.
    in_domain = payload.domain if payload.domain in domains else None
    coordinator_id, government_id = payload.coordinator, payload.government
    rows = StatusRepository(services.db).portfolio(
        covered.domains,
        managed_by=covered.manager_id,
        in_domain=in_domain,
        today=now.astimezone(request_zone(request, services)).date(),
        coordinator_id=coordinator_id,
        government_id=government_id,
    )
    spent = hours_source().spent(services.db, [r.project_id for r in rows]) if rows else {}
    lines = portfolio_lines(rows, spent, now)
    pages = max(1, math.ceil(len(lines) / PORTFOLIO_PAGE))
    page = min(max(payload.page, 1), pages)
    counts = {"red": 0, "amber": 0, "green": 0, "none": 0}
    for line in lines:
        counts[line.overall or "none"] += 1
    all_domains = projects.domains()
    coordinators = sorted(
        {(str(r.coordinator_id), r.coordinator) for r in rows if r.coordinator_id and r.coordinator},
        key=lambda c: c[1].lower(),
    )
    filters = PortfolioFilters(
        domains=[(str(d.id), d.name(t.language)) for d in all_domains if d.id in domains],
        coordinators=coordinators[:50],
        governments=[(str(g.id), g.name) for g in projects.governments()][:60],
        domain=str(in_domain or ""),
        coordinator=str(coordinator_id or ""),
        government=str(government_id or ""),
    )
    view = PortfolioView(
        lines=lines[(page - 1) * PORTFOLIO_PAGE : page * PORTFOLIO_PAGE],
        page=page,
        pages=pages,
        total=len(lines),
        counts=counts,
        filters=filters,
        owner_id=request.person.id,
    )
    card = build_portfolio_card(view, t)
    return Reply(replace_card=card) if request.kind != "message" and payload.page != 1 else Reply.card(card)
