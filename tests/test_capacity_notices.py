"""The weekly over-booking notice (issue 17, item 4): Monday 08:00 in each person's zone, through the outbox, once
per conflict until it changes, to the person and to the coordinators of the projects involved; and the managers'
digest section. Delivered through the fake connector, in Dutch and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlmodel import col, delete, select

from cards.i18n import translator
from dialogs.app import build_registry
from dialogs.capacity.notices import (
    NOTICE_KIND,
    TEAM_KIND,
    enqueue_overbooking_notices,
    render_overbooked,
    render_team_overbooked,
)
from dialogs.kernel.registry import JobContext, Slot
from dialogs.status.digest import DIGEST_KIND, render_digest
from domain.capacity import Availability
from storage.capacity import CapacityNotice, CapacityRepository
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.opt_outs import OptOutRepository
from storage.outbox import OutboxRepository
from storage.people import PersonRepository
from storage.projects import Domain, Project, TeamMember
from storage.time_entries import TimeEntry
from tests.cardcheck import assert_valid_card
from tests.harness import FakeClock, TeamsUser
from tests.harness.botdriver import BotDriver
from tests.harness.connector import FakeConnector
from tests.test_managers_by_relation import texts_sent_to
from tests.test_verb_walk import cards_sent, deliver

AN = TeamsUser.named("An Peeters", locale="nl-BE")  # coordinates DT-042
BERT = TeamsUser.named("Bert Claes", locale="en-GB")  # coordinates DT-043
CHRIS = TeamsUser.named("Chris Dewulf", locale="nl-BE")  # on both projects
DANA = TeamsUser.named("Dana Smith", locale="en-US")  # on both projects, works from New York
EVA = TeamsUser.named("Eva Maes", locale="nl-BE")  # on DT-042, availability unknown
MARC = TeamsUser.named("Marc Janssens", locale="nl-BE")  # manager of the projects' domain

MONDAY = date(2027, 1, 11)  # ISO week 2; no public holiday in weeks 2 to 5
WEEK_3 = date(2027, 1, 18)
BRUSSELS_0810 = datetime(2027, 1, 11, 7, 10, tzinfo=UTC)
NEW_YORK_0810 = datetime(2027, 1, 11, 13, 10, tzinfo=UTC)
HOURS = 60


@dataclass(frozen=True)
class Team:
    ids: dict[str, int]  # by name
    projects: dict[str, int]  # by code

    def person(self, user: TeamsUser) -> int:
        return self.ids[user.name]


async def team(bot: BotDriver, db: Database) -> Team:
    """Everyone has talked to the bot; An and Bert coordinate DT-042 and DT-043; Chris, Dana and Eva work on
    them; Chris and Dana work 38 h over ma–vr, Eva's availability is unknown; Marc manages the domain."""
    for user in (AN, BERT, CHRIS, DANA, EVA, MARC):
        await bot.say(user, "help")
    now = BRUSSELS_0810 - timedelta(days=7)
    with db.session() as session:
        people = session.exec(select(Person)).all()
        ids = {p.name: p.id for p in people if p.id is not None}
        domain = session.exec(select(Domain)).first()
        assert domain is not None and domain.id is not None
        projects: dict[str, int] = {}
        for code, coordinator in (("DT-042", AN), ("DT-043", BERT)):
            project = Project(code=code, name=f"Project {code[-2:]}", domain_id=domain.id,
                              coordinator_id=ids[coordinator.name], created_at=now, updated_at=now)  # fmt: skip
            session.add(project)
            session.flush()
            assert project.id is not None
            projects[code] = project.id
            for member in (CHRIS, DANA, EVA):
                session.add(TeamMember(project_id=project.id, person_id=ids[member.name], added_at=now))
    capacity = CapacityRepository(db)
    for user in (CHRIS, DANA):
        capacity.set_availability(ids[user.name], Availability.full_time(), now=now, by=None)
    PersonRepository(db).set_preferences(ids[DANA.name], language=None, timezone="America/New_York", now=now)
    directory = DirectoryRepository(db)
    directory.grant(ids[MARC.name], Role.MANAGER, actor_id=None, now=now)
    directory.set_managed_domains(ids[MARC.name], {domain.id}, actor_id=None, now=now)
    bot.connector.clear()  # the help answers: what is delivered next is the notices
    return Team(ids, projects)


def plan(db: Database, crew: Team, user: TeamsUser, code: str, monday: date, hours: int) -> None:
    """A week's plan as planning stores it: spread over Monday to Friday."""
    now = BRUSSELS_0810
    with db.session() as session:
        for day in range(5):
            session.add(TimeEntry(person_id=crew.person(user), project_id=crew.projects[code],
                                  day=monday + timedelta(days=day), minutes=hours * HOURS // 5, kind="planned",
                                  created_at=now, updated_at=now))  # fmt: skip


def unplan(db: Database, crew: Team, user: TeamsUser, code: str) -> None:
    with db.session() as session:
        session.execute(
            delete(TimeEntry).where(
                col(TimeEntry.person_id) == crew.person(user), col(TimeEntry.project_id) == crew.projects[code]
            )
        )


def queued(db: Database, kind: str) -> dict[str, list[dict[str, Any]]]:
    """The outbox rows of a kind: their arguments, by whom they go to (Entra object id)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in OutboxRepository(db).list(limit=1000):
        if row.kind == kind:
            found.setdefault(row.target_aad_object_id or "", []).append(row.payload["args"])
    return found


def notices(db: Database) -> set[tuple[int, date]]:
    with db.session() as session:
        return {(row.person_id, row.week) for row in session.exec(select(CapacityNotice))}


# The notice ---------------------------------------------------------------------------------------------------


async def test_monday_morning_tells_the_person_and_each_coordinator_once(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 30)  # 42 h of 38 h in week 3
    plan(db, crew, CHRIS, "DT-043", WEEK_3, 12)
    plan(db, crew, EVA, "DT-042", WEEK_3, 60)  # availability unknown: never over-booked
    # Sunday evening, and Monday 07:50 in Brussels: not yet.
    assert enqueue_overbooking_notices(db, BRUSSELS_0810 - timedelta(hours=9)) == 0
    assert enqueue_overbooking_notices(db, BRUSSELS_0810 - timedelta(minutes=20)) == 0
    assert enqueue_overbooking_notices(db, BRUSSELS_0810) == 3  # Chris, and An and Bert for their projects
    assert enqueue_overbooking_notices(db, BRUSSELS_0810 + timedelta(minutes=10)) == 0  # a rerun that day
    assert enqueue_overbooking_notices(db, BRUSSELS_0810 + timedelta(hours=3)) == 0  # another instance
    [chris] = queued(db, NOTICE_KIND)[CHRIS.aad_object_id]
    assert [w["monday"] for w in chris["weeks"]] == [WEEK_3.isoformat()]
    assert EVA.aad_object_id not in queued(db, NOTICE_KIND)
    [bert] = queued(db, TEAM_KIND)[BERT.aad_object_id]
    assert bert["weeks"][0]["projects"] == [{"code": "DT-043", "name": "Project 43", "minutes": 12 * HOURS}]
    assert bert["weeks"][0]["others"] == 30 * HOURS
    assert notices(db) == {(crew.person(CHRIS), WEEK_3)}

    clock.set(BRUSSELS_0810)
    await deliver(db, clock)
    [to_chris] = texts_sent_to(connector, CHRIS)
    assert "Je bent overboekt" in to_chris
    assert "week 3 (18 jan): 42 u van 38 u (111 %)" in to_chris
    assert "**DT-042** Project 42: 30 u" in to_chris and "mijn week" in to_chris
    [to_bert] = texts_sent_to(connector, BERT)
    assert "Chris Dewulf is over-booked" in to_bert
    assert "week 3 (18 Jan): 42 h of 38 h (111%)" in to_bert
    assert "**DT-043** Project 43: 12 h" in to_bert and "Other projects: 30 h" in to_bert
    assert "DT-042" not in to_bert  # the other coordinator's project is not named, only its hours
    [to_an] = texts_sent_to(connector, AN)
    assert "Chris Dewulf is overboekt" in to_an and "Andere projecten: 12 u" in to_an
    assert texts_sent_to(connector, EVA) == []
    for sent in cards_sent(connector):
        assert_valid_card(sent)


async def test_someone_in_new_york_is_told_at_their_monday_morning(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    crew = await team(bot, db)
    plan(db, crew, DANA, "DT-042", MONDAY, 40)
    assert enqueue_overbooking_notices(db, BRUSSELS_0810) == 0  # 02:10 in New York
    assert enqueue_overbooking_notices(db, NEW_YORK_0810 - timedelta(minutes=20)) == 0
    assert enqueue_overbooking_notices(db, NEW_YORK_0810) == 2  # Dana, and An
    clock.set(NEW_YORK_0810)
    await deliver(db, clock)
    [to_dana] = texts_sent_to(connector, DANA)
    assert "You are over-booked" in to_dana and "week 2 (11 Jan): 40 h of 38 h (105%)" in to_dana
    assert "my week" in to_dana


async def test_a_changed_week_is_told_again_an_unchanged_one_not(bot: BotDriver, db: Database) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 40)
    assert enqueue_overbooking_notices(db, BRUSSELS_0810) == 2  # Chris and An
    next_monday = BRUSSELS_0810 + timedelta(days=7)
    assert enqueue_overbooking_notices(db, next_monday) == 0  # week 3 unchanged: said already
    plan(db, crew, CHRIS, "DT-043", WEEK_3, 4)  # more hours planned that week, on Bert's project
    assert enqueue_overbooking_notices(db, next_monday + timedelta(minutes=10)) == 3  # Chris, An and Bert
    told = queued(db, NOTICE_KIND)[CHRIS.aad_object_id]
    assert sorted(args["weeks"][0]["planned"] for args in told) == [40 * HOURS, 44 * HOURS]
    assert enqueue_overbooking_notices(db, next_monday + timedelta(minutes=20)) == 0


async def test_a_week_no_longer_over_booked_is_forgotten(bot: BotDriver, db: Database) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 40)
    assert enqueue_overbooking_notices(db, BRUSSELS_0810) == 2
    unplan(db, crew, CHRIS, "DT-042")
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 30)
    next_monday = BRUSSELS_0810 + timedelta(days=7)
    assert enqueue_overbooking_notices(db, next_monday) == 0
    assert notices(db) == set()  # should it come back, it is new
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 10)
    assert enqueue_overbooking_notices(db, next_monday + timedelta(minutes=10)) == 2


async def test_opted_out_and_erased_people_are_skipped(bot: BotDriver, db: Database) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 40)
    plan(db, crew, DANA, "DT-043", WEEK_3, 40)
    with db.session() as session:
        chris = session.exec(select(Person).where(Person.aad_object_id == CHRIS.aad_object_id)).one()
        chris_tenant = chris.tenant_id
        dana = session.exec(select(Person).where(Person.aad_object_id == DANA.aad_object_id)).one()
        dana.forgotten_at = BRUSSELS_0810
        session.add(dana)
    OptOutRepository(db).opt_out(tenant_id=chris_tenant, kind=NOTICE_KIND, scope="person",
                                 subject=CHRIS.aad_object_id, created_by="", now=BRUSSELS_0810)  # fmt: skip
    assert enqueue_overbooking_notices(db, NEW_YORK_0810) == 1  # only An hears of Chris; Dana was erased
    assert set(queued(db, TEAM_KIND)) == {AN.aad_object_id}
    assert queued(db, NOTICE_KIND) == {}


async def test_a_week_planned_down_before_sending_is_not_sent(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 40)
    assert enqueue_overbooking_notices(db, BRUSSELS_0810) == 2
    unplan(db, crew, CHRIS, "DT-042")  # moved before the dispatcher sent it
    clock.set(BRUSSELS_0810)
    await deliver(db, clock)
    assert texts_sent_to(connector, CHRIS) == [] and texts_sent_to(connector, AN) == []


def test_the_job_is_declared_every_ten_minutes() -> None:
    [job] = [job for job in build_registry().jobs() if job.id == "capacity.overbooking_notices"]
    assert job.grace_seconds == 600


# The managers' digest -----------------------------------------------------------------------------------------


DIGEST_MOMENT = datetime(2027, 1, 11, 7, 30, tzinfo=UTC)  # Monday 08:30 in Brussels, the digest's default


def run_digest_job(db: Database, now: datetime) -> int:
    [job] = [job for job in build_registry().jobs() if job.id == "status.weekly_digests"]
    assert job.capabilities is not None
    done = job.run(JobContext(db=db, now=now, default_timezone="Europe/Brussels", capabilities=job.capabilities))
    assert isinstance(done, int)
    return done


async def test_the_managers_digest_names_their_over_booked_people(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 42)
    plan(db, crew, EVA, "DT-043", WEEK_3, 60)  # unknown: not in the section
    assert run_digest_job(db, DIGEST_MOMENT) == 1
    [args] = queued(db, DIGEST_KIND)[MARC.aad_object_id]
    assert args["overbooked"] == [
        {"name": "Chris Dewulf", "monday": WEEK_3.isoformat(), "planned": 42 * HOURS, "available": 38 * HOURS}
    ]
    clock.set(DIGEST_MOMENT)
    await deliver(db, clock)
    [digest] = texts_sent_to(connector, MARC)
    assert "Overboekt (deze en de volgende 3 weken)" in digest
    assert "**Chris Dewulf** — week 3 (18 jan): 42 u van 38 u (111 %)" in digest
    english = render_digest(args, translator("en"))
    assert_valid_card(english)
    assert "**Chris Dewulf** — week 3 (18 Jan): 42 h of 38 h (111%)" in str(english)


async def test_the_digest_is_unchanged_when_nobody_is_over_booked(bot: BotDriver, db: Database) -> None:
    crew = await team(bot, db)
    plan(db, crew, CHRIS, "DT-042", WEEK_3, 30)
    assert run_digest_job(db, DIGEST_MOMENT) == 1
    [args] = queued(db, DIGEST_KIND)[MARC.aad_object_id]
    assert "overbooked" not in args
    for language in ("nl", "en"):
        assert "digest.overbooked" not in str(render_digest(args, translator(language)))
        assert translator(language)("digest.overbooked") not in str(render_digest(args, translator(language)))


def test_the_section_is_registered_for_the_digest() -> None:
    assert [s.__name__ for s in build_registry().sections(Slot.DIGEST_CAPACITY)] == ["digest_overbooked"]


# Cards --------------------------------------------------------------------------------------------------------


def test_cards_validate_in_both_languages() -> None:
    week = {
        "monday": WEEK_3.isoformat(),
        "planned": 45 * HOURS,
        "available": 38 * HOURS,
        "projects": [{"code": "DT-042", "name": "Archief", "minutes": 30 * HOURS}],
        "others": 15 * HOURS,
    }
    for language in ("nl", "en"):
        t = translator(language)
        person = render_overbooked({"person_id": 1, "weeks": [week, {**week, "monday": "2027-01-25"}]}, t)
        coordinator = render_team_overbooked({"person_id": 1, "person": "Chris Dewulf", "weeks": [week]}, t)
        for built in (person, coordinator):
            assert_valid_card(built)
        assert t("capacity.team_notice.others", hours="15" + (" u" if language == "nl" else " h")) in str(coordinator)


async def test_the_scheduler_gives_a_job_the_registry(sqlite_db: Database) -> None:
    """What carries the capacity section to the digest: the job's context holds the registry (bot/scheduler.py)."""
    from bot.scheduler import _run_capability_job  # APScheduler loads only where jobs run

    seen: list[JobContext] = []
    [digest_job] = [job for job in build_registry().jobs() if job.id == "status.weekly_digests"]

    def run(context: JobContext) -> int:
        seen.append(context)
        return 0

    job = replace(digest_job, run=run)
    sender = SimpleNamespace(db=sqlite_db, clock=FakeClock(DIGEST_MOMENT))
    await _run_capability_job(job, sender, "Europe/Brussels", None)  # type: ignore[arg-type]
    [context] = seen
    assert context.capabilities.sections(Slot.DIGEST_CAPACITY) == build_registry().sections(Slot.DIGEST_CAPACITY)
    assert context.capabilities.sections(Slot.DIGEST_CAPACITY) != []
