"""Budget burn (pure): hours spent against budget, next to the share of the project's planned period that has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

DEFAULT_MARGIN_POINTS = 15


@dataclass(frozen=True)
class Burn:
    spent_pct: Decimal | None  # spent hours as a percentage of the budget (None: no budget)
    elapsed_pct: Decimal | None  # days passed as a percentage of the planned period (None: no period)

    def ahead(self, margin_points: int = DEFAULT_MARGIN_POINTS) -> bool:
        """Spending runs ahead of time by more than the margin (percentage points)."""
        if self.spent_pct is None or self.elapsed_pct is None:
            return False
        return self.spent_pct - self.elapsed_pct > margin_points


def burn(spent_minutes: int, budget_hours: Decimal | None, start: date | None, end: date | None, today: date) -> Burn:
    spent: Decimal | None = None
    if budget_hours is not None and budget_hours > 0:
        spent = (Decimal(spent_minutes) / 60 / budget_hours * 100).quantize(Decimal("0.1"))
    elapsed: Decimal | None = None
    if start is not None and end is not None and end >= start:
        total = (end - start).days + 1
        passed = min(max((today - start).days + 1, 0), total)
        elapsed = (Decimal(passed) / Decimal(total) * 100).quantize(Decimal("0.1"))
    return Burn(spent_pct=spent, elapsed_pct=elapsed)
