"""What the handover adds to other capabilities' cards, through the registry's slots: the after-care line on the
project card, and the handover line of the status card."""

from __future__ import annotations

from datetime import date
from typing import Any

from cards.handover import receiver_label
from cards.i18n import Translator
from dialogs.handover.declaration import capability
from dialogs.handover.views import after_care_note as note_of
from dialogs.kernel.registry import Slot
from dialogs.kernel.turn import Request, Services
from domain.projects import ProjectFacts
from domain.summaries import HandoverSummary
from storage.db import Database
from storage.handover import HandoverRepository
from storage.projects import Phase


def after_care_note(services: Services, project_id: int, t: Translator) -> str | None:
    """While after-care runs: who gives second-line support until when (shown on the project card)."""
    row = HandoverRepository(services.db).for_project(project_id)
    return note_of(row, t) if row is not None else None


@capability.section(Slot.PROJECT_CARD)
def project_card_after_care(request: Request, services: Services, project: ProjectFacts, today: date) -> dict[str, Any]:
    """During the project's after-care phase: the after-care note, when the handover has one."""
    if project.phase != Phase.AFTER_CARE.value:
        return {}
    note = after_care_note(services, project.id, request.t)
    return {"after_care": note} if note is not None else {}


@capability.section(Slot.STATUS_HANDOVER)
def status_handover(db: Database, project_id: int, t: Translator) -> HandoverSummary | None:
    """The project's handover in a few plain values (the status card's handover line); None when none is planned."""
    return handover_summary(db, project_id, t)


def handover_summary(db: Database, project_id: int, t: Translator) -> HandoverSummary | None:
    """The project's handover in a few plain values; None when no handover is planned."""
    row = HandoverRepository(db).for_project(project_id)
    if row is None:
        return None
    return HandoverSummary(
        planned_on=row.planned_on,
        receiver=receiver_label(row, t),
        state=row.state,
        open_items=len(row.open_items()),
        total_items=len(row.items),
        after_care_note=note_of(row, t),
    )
