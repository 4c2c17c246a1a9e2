"""The coordinator's budget-burn warning: whether a project's performed hours run ahead of its elapsed time (the
rule of dialogs/kernel/burn.py, with the configured margin), evaluated where entries are written, and the warning
queued once per crossing and rendered when sent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cards.i18n import Translator
from cards.timelog import PersonHours, ProjectHoursView, build_burn_warning_card
from dialogs.kernel.burn import DEFAULT_MARGIN_POINTS, burn
from dialogs.kernel.turn import Services
from dialogs.timelog.declaration import capability
from domain.projects import ProjectFacts
from storage.directory import DirectoryRepository, is_placeholder
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectRepository
from storage.time_entries import AheadRule, BurnCheck, TimeEntryRepository

BURN_KIND = "time.burn"
BURN_BUILDER = "time.burn_warning"


def burn_view(
    services: Services,
    project: ProjectFacts,
    spent: int,
    today: date,
    *,
    planned_minutes: int = 0,
    people: list[PersonHours] | None = None,
) -> ProjectHoursView:
    """The project's hours against budget; `ahead` is the rule behind the coordinator's warning."""
    state = burn(spent, project.budget_hours, project.planned_start, project.planned_end, today)
    margin = services.burn_margin_points
    return ProjectHoursView(
        code=project.code,
        name=project.name,
        spent_minutes=spent,
        planned_minutes=planned_minutes,
        budget_hours=project.budget_hours,
        spent_pct=state.spent_pct,
        elapsed_pct=state.elapsed_pct,
        ahead=state.ahead(margin),
        margin_points=margin,
        people=people or [],
    )


def ahead_rule(services: Services, project: ProjectFacts, today: date) -> AheadRule:
    """Whether the project runs ahead with this many performed minutes: evaluated inside the write transaction."""

    def ahead(spent: int) -> bool:
        return burn_view(services, project, spent, today).ahead

    return ahead


def check_burn(services: Services, project_id: int, *, today: date) -> bool:
    """After an undo or an edit: record whether the project runs ahead, warn its coordinator once when it starts
    to. (A new entry does the same inside its own write transaction: entries.store.) True: warned."""
    project = ProjectRepository(services.db).facts(project_id)
    if project is None:
        return False
    checked = TimeEntryRepository(services.db).check_burn(
        project_id, ahead_rule(services, project, today), now=services.clock.now()
    )
    return warn_coordinator(services, project, checked, today=today)


def warn_coordinator(services: Services, project: ProjectFacts, checked: BurnCheck, *, today: date) -> bool:
    """Enqueue the burn warning when the check found a new crossing (once per crossing: the dedup key)."""
    if checked.crossing is None or project.coordinator_id is None:
        return False
    coordinator = DirectoryRepository(services.db).get(project.coordinator_id)
    if coordinator is None or is_placeholder(coordinator) or coordinator.forgotten_at is not None:
        return False
    now = services.clock.now()
    view = burn_view(services, project, checked.spent_minutes, today)
    OutboxRepository(services.db).enqueue(
        dedup_key=f"{BURN_KIND}:{project.id}:{checked.crossing}",
        kind=BURN_KIND,
        target=Target(tenant_id=coordinator.tenant_id, aad_object_id=coordinator.aad_object_id),
        payload=builder_payload(BURN_BUILDER, **_burn_args(view)),
        due_at=now,
        now=now,
        not_after=now + timedelta(days=7),
    )
    return True


def _burn_args(view: ProjectHoursView) -> dict[str, Any]:
    return {
        "code": view.code,
        "name": view.name,
        "spent_minutes": view.spent_minutes,
        "budget_hours": str(view.budget_hours) if view.budget_hours is not None else None,
        "spent_pct": str(view.spent_pct) if view.spent_pct is not None else None,
        "elapsed_pct": str(view.elapsed_pct) if view.elapsed_pct is not None else None,
        "margin": view.margin_points,
    }


@capability.proactive(BURN_BUILDER)
def render_burn(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    def number(name: str) -> Decimal | None:
        value = args.get(name)
        return Decimal(str(value)) if value is not None else None

    view = ProjectHoursView(
        code=str(args.get("code", "?")),
        name=str(args.get("name", "")),
        spent_minutes=int(args.get("spent_minutes") or 0),
        planned_minutes=0,
        budget_hours=number("budget_hours"),
        spent_pct=number("spent_pct"),
        elapsed_pct=number("elapsed_pct"),
        ahead=True,
        margin_points=int(args.get("margin") or DEFAULT_MARGIN_POINTS),
        people=[],
    )
    return build_burn_warning_card(view, t)
