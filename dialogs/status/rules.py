"""Pure rules of project status: RAG order and trend, budget burn, staleness, milestone flags, risk scores,
attention ranking for the portfolio, and when a weekly digest is due (no I/O; tested exhaustively)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.status import DEFAULT_STALE_DAYS, RAG_VALUES, WEEKDAYS

_RAG_RANK = {value: rank for rank, value in enumerate(RAG_VALUES)}  # green 0, amber 1, red 2
REMIND_DAYS_AHEAD = 7
BURN_WARNING = Decimal(90)  # percent of the hour budget used: warn
BURN_OVER = Decimal(100)


def rag_rank(value: str | None) -> int:
    """green 0 < amber 1 < red 2; unknown counts as green (it is not a reason for alarm by itself)."""
    return _RAG_RANK.get(value or "", 0)


def worst(*values: str | None) -> str | None:
    known = [v for v in values if v in _RAG_RANK]
    return max(known, key=rag_rank) if known else None


def trend(previous: str | None, latest: str | None) -> str | None:
    """'better', 'worse' or 'same' against the previous report; None without two reports."""
    if previous not in _RAG_RANK or latest not in _RAG_RANK:
        return None
    if rag_rank(latest) < rag_rank(previous):
        return "better"
    if rag_rank(latest) > rag_rank(previous):
        return "worse"
    return "same"


def turned_worse(before: str | None, now: str | None) -> bool:
    """Turned amber or red: now amber/red and worse than before (no earlier report counts as green)."""
    return now in ("amber", "red") and rag_rank(now) > rag_rank(before)


def burn_percent(spent: Decimal, budget: Decimal | None) -> Decimal | None:
    """Hours spent as a percentage of the hour budget, rounded to whole percents; None without a budget."""
    if budget is None or budget <= 0:
        return None
    return (spent * 100 / budget).quantize(Decimal(1))


def burn_level(percent: Decimal | None) -> str:
    """'none' (no budget), 'ok', 'warning' (>= 90 %) or 'over' (> 100 %)."""
    if percent is None:
        return "none"
    if percent > BURN_OVER:
        return "over"
    if percent >= BURN_WARNING:
        return "warning"
    return "ok"


def age_days(then: datetime | None, now: datetime) -> int | None:
    """Whole days since an instant; None when it never happened."""
    if then is None:
        return None
    return max(0, (now - then).days)


def is_stale(then: datetime | None, now: datetime, stale_days: int = DEFAULT_STALE_DAYS) -> bool:
    """No report at all, or none in more than `stale_days` days."""
    days = age_days(then, now)
    return days is None or days > stale_days


def milestone_flag(due_on: date, done: bool, today: date) -> str:
    """'done', 'late' (due before today, not done), 'soon' (within 7 days) or 'planned'."""
    if done:
        return "done"
    if due_on < today:
        return "late"
    if due_on <= today + timedelta(days=REMIND_DAYS_AHEAD):
        return "soon"
    return "planned"


def needs_reminder(due_on: date, done: bool, today: date) -> bool:
    return milestone_flag(due_on, done, today) in ("late", "soon")


def risk_score(probability: int, impact: int) -> int:
    if not (1 <= probability <= 5 and 1 <= impact <= 5):
        raise ValueError("probability and impact are 1-5")
    return probability * impact


def risk_level(score: int) -> str:
    """'high' (>= 15), 'medium' (>= 8) or 'low': the usual 5x5 matrix bands."""
    if score >= 15:
        return "high"
    if score >= 8:
        return "medium"
    return "low"


@dataclass(frozen=True)
class AttentionFacts:
    overall: str | None  # None: no report yet
    worst_dimension: str | None
    days_since_update: int | None
    late_milestones: int
    burn: Decimal | None
    top_risk_score: int
    stale_days: int = DEFAULT_STALE_DAYS


def attention(facts: AttentionFacts) -> int:
    """How much a project needs a manager's attention: higher first. Red beats everything, then amber; a
    missing or stale update, late milestones, an overspent budget and high risks add up."""
    points = 0
    overall = worst(facts.overall, facts.worst_dimension)
    if overall == "red":
        points += 1000
    elif overall == "amber":
        points += 500
    if facts.days_since_update is None:
        points += 300
    elif facts.days_since_update > facts.stale_days:
        points += 200
    points += min(facts.late_milestones, 5) * 40
    level = burn_level(facts.burn)
    points += {"over": 150, "warning": 60}.get(level, 0)
    if facts.top_risk_score >= 15:
        points += 50
    return points


_HHMM = re.compile(r"^\s*([01]?\d|2[0-3])[:.hu]([0-5]\d)\s*$")


def parse_hhmm(text: str) -> time | None:
    """'08:30', '8.30', '8u30', '8h30' give 08:30; None when it is no time of day."""
    match = _HHMM.match(text or "")
    if not match:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def digest_due_at(now: datetime, weekday: str, at: time, timezone: str) -> datetime:
    """This week's digest instant (UTC) in the person's zone: the given weekday and local time of the ISO week
    that contains `now` there. It may lie before or after `now`."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=WEEKDAYS.index(weekday))
    return datetime.combine(day, at, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def week_key(instant: datetime, timezone: str) -> str:
    """'2026-W48': the ISO week of an instant in a zone (the digest's dedup key)."""
    year, week, _ = instant.astimezone(ZoneInfo(timezone)).isocalendar()
    return f"{year}-W{week:02d}"
