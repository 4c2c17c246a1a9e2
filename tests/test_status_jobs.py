"""Portfolio queries and paging, milestone reminders and the weekly digest through the outbox (fake clock), hours
from time entries, and the personal data of status records; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from cards.i18n import translator
from cards.status.portfolio import PortfolioPage
from dialogs.app import build_proactive_cards, build_registry
from dialogs.kernel.hours import hours_source
from dialogs.kernel.turn import Request, Services, Where
from dialogs.proactive import Audience
from dialogs.status.digest import (
    DIGEST_KIND,
    MILESTONE_KIND,
    digest_content,
    enqueue_milestone_reminders,
    enqueue_weekly_digests,
)
from dialogs.status.portfolio import portfolio_lines, portfolio_page
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.outbox import OutboxMessage, OutboxRepository
from storage.people import person_facts
from storage.privacy import PrivacyRepository
from storage.projects import ProjectRepository
from storage.status import StatusRepository
from storage.time_entries import TimeEntry
from tests.cardcheck import card_problems
from tests.harness import FakeClock

MONDAY = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # 08:30 in Brussels


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def person(db: Database, name: str, now: datetime) -> Person:
    with db.session() as session:
        found = Person(tenant_id="t1", aad_object_id=f"aad-{name}", name=name, created_at=now, updated_at=now)
        session.add(found)
        session.flush()
        session.refresh(found)
        return found


def seed(db: Database, count: int, now: datetime, coordinator_id: int) -> list[int]:
    projects = ProjectRepository(db)
    status = StatusRepository(db)
    ids = []
    for i in range(count):
        facts = projects.create(
            f"DT-{i:04d}",
            {"name": f"Project {i}", "domain_id": 2, "coordinator_id": coordinator_id, "budget_hours": Decimal(100)},
            [],
            actor_id=None,
            now=now,
        )
        ids.append(facts.id)
        if i % 3:
            for age, overall in ((20, "green"), (2, ("green", "amber", "red")[i % 3])):
                status.add_report(
                    facts.id,
                    {"overall": overall, "schedule": "green", "budget": "green", "scope": "green", "summary": "s"},
                    author_id=coordinator_id,
                    now=now - timedelta(days=age),
                    form_id=None,
                )
        status.save_milestone(facts.id, None, {"title": "M", "due_on": date(2026, 11, 1 + i % 28)}, now=now)
        status.save_risk(facts.id, None, {"title": "R", "probability": 1 + i % 5, "impact": 3}, now=now)
    return ids


def manager_request(db: Database, now: datetime) -> Request:
    marc = person(db, "Marc", now)
    assert marc.id is not None
    directory = DirectoryRepository(db)
    directory.grant(marc.id, Role.MANAGER, actor_id=None, now=now)
    directory.set_managed_domains(marc.id, {2}, actor_id=None, now=now)
    where = Where("msteams", "c1", "personal", "t1")
    return Request(kind="message", person=person_facts(marc), where=where, language="nl", timezone="Europe/Brussels")


def services(db: Database, clock: FakeClock) -> Services:
    return Services(
        db=db, clock=clock, default_language="nl", default_timezone="Europe/Brussels", capabilities=build_registry()
    )


def test_portfolio_queries_do_not_grow_with_projects_and_pages_stay_small(db: Database) -> None:
    clock = FakeClock(MONDAY)
    an = person(db, "An", MONDAY)
    assert an.id is not None
    request = manager_request(db, MONDAY)
    seed(db, 5, MONDAY, an.id)
    with counted(db) as few:
        small = portfolio_page(request, services(db, clock), PortfolioPage())
    # 60 more projects, with reports, milestones and risks.
    _more(db, 60, an.id)
    with counted(db) as many:
        # A new turn (the request's memo holds who is asking for one turn only).
        large = portfolio_page(replace(request, memo={}), services(db, clock), PortfolioPage(page=2))
    assert len(few) == len(many) <= 12
    card = large.cards[0]
    assert not card_problems(card)
    assert "Overzicht (65 projecten)" in str(card)
    assert "Pagina 2 van 4" in str(card)
    assert len(small.cards[0]["body"]) < len(card["body"])


def _more(db: Database, count: int, coordinator_id: int) -> None:
    projects = ProjectRepository(db)
    status = StatusRepository(db)
    for i in range(count):
        facts = projects.create(
            f"TI-{i:04d}",
            {"name": f"Infra {i}", "domain_id": 2, "coordinator_id": coordinator_id},
            [],
            actor_id=None,
            now=MONDAY,
        )
        status.add_report(
            facts.id,
            {"overall": "red", "schedule": "red", "budget": "green", "scope": "green", "summary": "s"},
            author_id=None,
            now=MONDAY,
            form_id=None,
        )
        status.save_milestone(facts.id, None, {"title": "M", "due_on": date(2026, 12, 1)}, now=MONDAY)


def test_portfolio_order_attention_first_and_filters(db: Database) -> None:
    an = person(db, "An", MONDAY)
    assert an.id is not None
    seed(db, 9, MONDAY, an.id)
    rows = StatusRepository(db).portfolio({2}, today=MONDAY.date())
    lines = portfolio_lines(rows, hours_source().spent(db, [r.project_id for r in rows]), MONDAY)
    overall = [line.overall for line in lines]
    # red first, then amber, then never updated, then green
    assert overall == ["red"] * 3 + ["amber"] * 3 + [None] * 3
    assert [line.code for line in lines][3] == "DT-0004"  # the amber one with a high risk before the other ambers
    assert all(line.late_milestones == 1 for line in lines if line.code in ("DT-0000", "DT-0001"))
    assert StatusRepository(db).portfolio({2}, today=MONDAY.date(), coordinator_id=an.id + 999) == []
    assert StatusRepository(db).portfolio({1}, today=MONDAY.date()) == []


def test_milestone_reminders_once_per_milestone_per_day(db: Database) -> None:
    an = person(db, "An", MONDAY)
    assert an.id is not None
    projects = ProjectRepository(db)
    facts = projects.create(
        "DT-042", {"name": "Loket", "domain_id": 2, "coordinator_id": an.id}, [], actor_id=None, now=MONDAY
    )
    status = StatusRepository(db)
    late = status.save_milestone(facts.id, None, {"title": "Analyse", "due_on": date(2026, 11, 20)}, now=MONDAY)
    status.save_milestone(facts.id, None, {"title": "Bouw", "due_on": date(2026, 11, 30)}, now=MONDAY)
    status.save_milestone(facts.id, None, {"title": "Later", "due_on": date(2026, 12, 31)}, now=MONDAY)
    assert enqueue_milestone_reminders(db, MONDAY) == 2
    assert enqueue_milestone_reminders(db, MONDAY + timedelta(hours=3)) == 2  # same day: same rows
    rows = OutboxRepository(db).list()
    assert len(rows) == 2 and {r.kind for r in rows} == {MILESTONE_KIND}
    status.mark_milestone(late.id, done=True, now=MONDAY)
    enqueue_milestone_reminders(db, MONDAY + timedelta(days=1))
    rows = OutboxRepository(db).list()
    assert len(rows) == 3  # the next day: only the open one again
    latest = max(rows, key=lambda r: r.id or 0)
    card = _render(latest)
    assert "“Bouw” (Loket) moet klaar zijn op 30 nov 2026." in str(card)
    assert not card_problems(card)
    first_late = next(r for r in rows if r.payload["args"]["title"] == "Analyse")
    assert "was due on 20 Nov 2026 and is not marked done yet" in str(_render(first_late, "en"))


def _render(row: OutboxMessage, language: str = "nl") -> dict[str, Any]:
    return build_proactive_cards().render(row.payload, kind=row.kind, audience=Audience(language, True))  # type: ignore[arg-type]


def test_weekly_digest_at_the_managers_time_once_a_week(db: Database) -> None:
    an = person(db, "An", MONDAY)
    assert an.id is not None
    request = manager_request(db, MONDAY)
    ids = seed(db, 6, MONDAY - timedelta(days=1), an.id)
    assert ids
    assert enqueue_weekly_digests(db, MONDAY - timedelta(minutes=10)) == 0  # 08:20: not yet
    assert enqueue_weekly_digests(db, MONDAY) == 1
    assert enqueue_weekly_digests(db, MONDAY + timedelta(minutes=10)) == 0
    [row] = OutboxRepository(db).list()
    assert row.kind == DIGEST_KIND and row.target_aad_object_id == "aad-Marc"
    args = row.payload["args"]
    assert args["week"] == "2026-W48"
    # Every updated project was green three weeks ago and is amber (1, 4) or red (2, 5) now; red comes first.
    assert [i["code"] for i in args["turned"]] == ["DT-0002", "DT-0005", "DT-0001", "DT-0004"]
    assert {i["code"] for i in args["updated"]} == {"DT-0001", "DT-0002", "DT-0004", "DT-0005"}
    assert {i["code"] for i in args["stale"]} == {"DT-0000", "DT-0003"}
    card = _render(row)
    assert not card_problems(card)
    assert "Weekoverzicht 2026-W48" in str(card) and "Naar oranje of rood gegaan" in str(card)
    # A manager who chose Friday 07:45 and another who turned it off.
    assert request.person.id is not None
    StatusRepository(db).save_digest_preference(
        request.person.id, weekday="friday", at_time="07:45", enabled=True, stale_days=10, now=MONDAY
    )
    friday = datetime(2026, 11, 27, 6, 45, tzinfo=UTC)
    assert enqueue_weekly_digests(db, friday) == 0  # this week's digest went out on Monday already
    friday += timedelta(days=7)
    assert enqueue_weekly_digests(db, friday - timedelta(minutes=5)) == 0
    assert enqueue_weekly_digests(db, friday) == 1
    StatusRepository(db).save_digest_preference(
        request.person.id, weekday="friday", at_time="07:45", enabled=False, stale_days=10, now=MONDAY
    )
    assert enqueue_weekly_digests(db, friday + timedelta(days=7)) == 0


def test_digest_content_for_a_quiet_domain(db: Database) -> None:
    content = digest_content(db, frozenset({1}), MONDAY, "Europe/Brussels", 14)
    assert content == {"updated": [], "turned": [], "stale": [], "milestones": [], "stale_days": 14}
    card = build_proactive_cards().render(
        {"builder": "status.digest", "args": {**content, "week": "2026-W48"}},
        kind=DIGEST_KIND,
        audience=Audience("en", True),
    )
    assert "No status updates this week." in str(card)
    assert translator("en")("rag.red") == "Off track"


def test_hours_come_from_performed_time_entries(db: Database) -> None:
    an = person(db, "An", MONDAY)
    assert an.id is not None
    facts = ProjectRepository(db).create("DT-042", {"name": "L", "domain_id": 2}, [], actor_id=None, now=MONDAY)
    with db.session() as session:
        for minutes, kind in ((90, "performed"), (30, "performed"), (600, "planned")):
            session.add(
                TimeEntry(person_id=an.id, project_id=facts.id, day=date(2026, 11, 20), minutes=minutes, kind=kind,
                          created_at=MONDAY, updated_at=MONDAY)
            )  # fmt: skip
    assert hours_source().spent(db, [facts.id]) == {facts.id: Decimal("2.0")}
    assert hours_source().spent_by_month(db, facts.id) == [(date(2026, 11, 1), Decimal("2.0"))]
    assert hours_source().spent(db, []) == {}


def test_status_records_in_export_and_erasure(db: Database) -> None:
    an = person(db, "An", MONDAY)
    assert an.id is not None
    facts = ProjectRepository(db).create("DT-042", {"name": "L", "domain_id": 2}, [], actor_id=None, now=MONDAY)
    status = StatusRepository(db)
    status.add_report(facts.id, {"overall": "red", "schedule": "red", "budget": "red", "scope": "red", "summary": "s"},
                      author_id=an.id, now=MONDAY, form_id="f1")  # fmt: skip
    status.save_risk(facts.id, None, {"title": "R", "probability": 2, "impact": 2, "owner_id": an.id}, now=MONDAY)
    status.save_digest_preference(an.id, weekday="monday", at_time="08:30", enabled=True, stale_days=14, now=MONDAY)
    exported = PrivacyRepository(db).export(an.id)["project_status"]
    assert {"status_report_of": "DT-042", "at": MONDAY, "overall": "red"} in exported
    assert any(row.get("risk_owner_of") == "DT-042" for row in exported)
    PrivacyRepository(db).forget(an.id, now=MONDAY)
    assert status.reports(facts.id)[0].author is None  # the report stays; who wrote it goes
    assert status.risks(facts.id)[0].owner_id is None
    assert status.digest_preferences([an.id]) == {}
