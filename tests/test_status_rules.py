"""The pure status rules: RAG order and trend, burn, staleness, milestone flags, risk scores, attention, digest time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.status import rules

RAG = st.sampled_from(rules.RAG_VALUES)


def test_trend_against_previous_report() -> None:
    assert rules.trend("green", "amber") == "worse"
    assert rules.trend("red", "amber") == "better"
    assert rules.trend("amber", "amber") == "same"
    assert rules.trend(None, "red") is None
    assert rules.trend("green", None) is None


@given(RAG, RAG)
def test_trend_is_antisymmetric(a: str, b: str) -> None:
    forward, backward = rules.trend(a, b), rules.trend(b, a)
    assert {forward, backward} in ({"same"}, {"better", "worse"})


def test_turned_worse_only_into_amber_or_red() -> None:
    assert rules.turned_worse("green", "amber")
    assert rules.turned_worse(None, "red")
    assert rules.turned_worse("amber", "red")
    assert not rules.turned_worse("red", "amber")
    assert not rules.turned_worse("amber", "amber")
    assert not rules.turned_worse(None, "green")


@given(st.lists(RAG, min_size=1, max_size=4))
def test_worst_is_the_highest_rank(values: list[str]) -> None:
    assert rules.rag_rank(rules.worst(*values)) == max(rules.rag_rank(v) for v in values)


def test_burn() -> None:
    assert rules.burn_percent(Decimal(50), Decimal(200)) == 25
    assert rules.burn_percent(Decimal(10), None) is None
    assert rules.burn_percent(Decimal(10), Decimal(0)) is None
    assert rules.burn_level(None) == "none"
    assert rules.burn_level(Decimal(89)) == "ok"
    assert rules.burn_level(Decimal(90)) == "warning"
    assert rules.burn_level(Decimal(100)) == "warning"
    assert rules.burn_level(Decimal(101)) == "over"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_burn_grows_with_spent_hours(spent: int, budget: int) -> None:
    low = rules.burn_percent(Decimal(spent), Decimal(budget))
    high = rules.burn_percent(Decimal(spent + 1), Decimal(budget))
    assert low is not None and high is not None and low <= high


def test_staleness() -> None:
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert rules.is_stale(None, now)
    assert not rules.is_stale(now - timedelta(days=14), now)
    assert rules.is_stale(now - timedelta(days=15), now)
    assert not rules.is_stale(now - timedelta(days=15), now, stale_days=30)
    assert rules.age_days(now - timedelta(hours=47), now) == 1


@pytest.mark.parametrize(
    ("due", "done", "flag"),
    [
        (date(2026, 11, 22), False, "late"),
        (date(2026, 11, 22), True, "done"),
        (date(2026, 11, 23), False, "soon"),
        (date(2026, 11, 30), False, "soon"),
        (date(2026, 12, 1), False, "planned"),
    ],
)
def test_milestone_flags(due: date, done: bool, flag: str) -> None:
    assert rules.milestone_flag(due, done, date(2026, 11, 23)) == flag
    assert rules.needs_reminder(due, done, date(2026, 11, 23)) == (flag in ("late", "soon"))


def test_risk_score_and_level() -> None:
    assert rules.risk_score(3, 4) == 12
    assert rules.risk_level(15) == "high" and rules.risk_level(8) == "medium" and rules.risk_level(7) == "low"
    with pytest.raises(ValueError):
        rules.risk_score(0, 3)
    with pytest.raises(ValueError):
        rules.risk_score(3, 6)


@given(st.integers(1, 5), st.integers(1, 5))
def test_risk_score_is_the_product_within_1_25(p: int, i: int) -> None:
    assert 1 <= rules.risk_score(p, i) == p * i <= 25


def _facts(**changes: object) -> rules.AttentionFacts:
    base: dict[str, object] = {
        "overall": "green",
        "worst_dimension": "green",
        "days_since_update": 3,
        "late_milestones": 0,
        "burn": Decimal(40),
        "top_risk_score": 4,
    }
    base.update(changes)
    return rules.AttentionFacts(**base)  # type: ignore[arg-type]


def test_attention_red_first_then_amber_then_missing_update() -> None:
    red = rules.attention(_facts(overall="red"))
    amber = rules.attention(_facts(overall="amber"))
    never = rules.attention(_facts(overall=None, worst_dimension=None, days_since_update=None))
    stale = rules.attention(_facts(days_since_update=30))
    calm = rules.attention(_facts())
    assert red > amber > never > stale > calm == 0
    # A red dimension under a green overall still counts as red.
    assert rules.attention(_facts(worst_dimension="red")) == red


@given(st.integers(0, 20), st.integers(0, 20))
def test_attention_grows_with_late_milestones(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert rules.attention(_facts(late_milestones=low)) <= rules.attention(_facts(late_milestones=high))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:30", time(8, 30)), ("8.30", time(8, 30)), ("8u30", time(8, 30)), ("23:59", time(23, 59)), ("24:00", None),
     ("8", None), ("", None), ("08:60", None)],
)  # fmt: skip
def test_parse_hhmm(text: str, expected: time | None) -> None:
    assert rules.parse_hhmm(text) == expected


def test_digest_due_at_is_monday_0830_in_brussels_winter_and_summer() -> None:
    winter = rules.digest_due_at(datetime(2026, 11, 25, 12, tzinfo=UTC), "monday", time(8, 30), "Europe/Brussels")
    assert winter == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    summer = rules.digest_due_at(datetime(2026, 7, 1, 12, tzinfo=UTC), "monday", time(8, 30), "Europe/Brussels")
    assert summer == datetime(2026, 6, 29, 6, 30, tzinfo=UTC)
    # Sunday 23:30 UTC is already Monday in Brussels: that Monday's digest.
    edge = rules.digest_due_at(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "monday", time(8, 30), "Europe/Brussels")
    assert edge == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)


ZONES = st.sampled_from(["Europe/Brussels", "America/New_York", "Asia/Tokyo"])
INSTANTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@given(INSTANTS, st.sampled_from(rules.WEEKDAYS), ZONES)
def test_digest_due_at_lies_in_the_same_local_week(now: datetime, weekday: str, zone: str) -> None:
    due = rules.digest_due_at(now, weekday, time(8, 30), zone)
    assert rules.week_key(due, zone) == rules.week_key(now, zone)
