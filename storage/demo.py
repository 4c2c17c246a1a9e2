"""`projectbot demo`: a realistic, clearly fictional portfolio of the organisation for trying the bot — both domains,
a dozen projects in every phase, local governments, a team, time entries over the past weeks, status history,
milestones (one late), risks, decisions, a meeting series, a handover in progress and a closed project's lessons.

Everything is written through the repositories, so the data obeys the same rules as what people enter. The people
trying the bot (the terminal chat's user, the Agents Playground's) are given a place in it: coordinators of several
projects, on teams, with hours in this week's timesheet. The other people are fictional, in a tenant of their own
(DEMO_TENANT_ID), with example.org addresses. Domains are named by their key, never by display name.

Loaded once: a second run finds the projects it made (their creation is audited with a `demo:` request id) and
changes nothing; a database with projects of its own is refused unless forced."""

from __future__ import annotations

import random
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlmodel import col, select

from domain.capacity import Availability
from storage.audit import AuditLog
from storage.availability import change_availability
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.handover import HandoverRepository
from storage.linking import LinkRepository
from storage.lists import ListRepository
from storage.meeting_records import ReportAction, ReportInput
from storage.meetings import MeetingKind, MeetingRepository, MeetingSeries
from storage.milestones_risks import RiskState
from storage.people import PersonRepository, PersonSeen
from storage.projects import GovernmentKind, Phase, Project, ProjectRepository, ProjectState
from storage.status import StatusRepository
from storage.time_entries import Category, EntryKind, TimeEntryRepository

DEMO_REQUEST_PREFIX = "demo:"
# The fictional colleagues' tenant: nobody from a real tenant is ever one of them.
DEMO_TENANT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "projectbot-demo:tenant"))
DEMO_TIMEZONE = "Europe/Brussels"
DAY_LIMIT_MINUTES = 8 * 60  # nobody in the demo logs more than a working day
YOU, YOU_TOO = "you", "you_too"
HISTORY_WEEKS = 12  # time entries go this far back  # the people trying the bot (the second falls back to the first)

# Availability (issue 17): everyone full time (38 h over Monday to Friday) but Nadia, part time over Monday to
# Thursday, and Jeroen, whose availability nobody entered: the capacity views show him as unknown, never as free.
PART_TIME = {"nadia": Availability(1824, frozenset(range(4)))}  # 30,4 h
UNKNOWN_AVAILABILITY = ("jeroen",)
# Plans by week, on top of the projects' own: (who, project code, weeks from this one (1: next week, -1: last week),
# hours a working day), in the first week from then without a public holiday (so the loads are the same whenever the
# demo is loaded). Tom is over-booked (40 of his 38 h); Hanne is at risk (36 of 38 h); Nadia's part-time week is
# comfortably full; Jeroen has plans but no known availability.
WEEK_PLANS: tuple[tuple[str, str, int, float], ...] = (
    (YOU, "DT-042", -1, 2),  # last week's plan, next to what was done (`uren vorige week`)
    ("tom", "DT-042", 1, 5),
    ("tom", "DT-047", 1, 3),
    ("hanne", "DT-042", 2, 4),
    ("hanne", "DT-051", 2, 3.2),
    ("nadia", "TI-017", 1, 4),
    ("nadia", "TI-022", 1, 1),
    ("jeroen", "TI-017", 1, 4),
)


@dataclass(frozen=True)
class Trier:
    """Someone trying the bot, as Teams (or the terminal chat) will identify them."""

    tenant_id: str
    aad_object_id: str
    name: str
    teams_user_id: str = ""
    email: str | None = None  # as the Playground's roster reports it; the terminal chat reports none


@dataclass(frozen=True)
class Colleague:
    key: str
    name: str
    email: str
    roles: tuple[Role, ...] = ()
    manages: tuple[str, ...] = ()  # domain keys


COLLEAGUES = (
    Colleague("sofie", "Sofie Verhaegen", "sofie.verhaegen@example.org", (Role.MANAGER,), ("digital_transformation",)),
    Colleague("pieter", "Pieter Vandamme", "pieter.vandamme@example.org", (Role.MANAGER,), ("tech_infra",)),
    Colleague("liesbeth", "Liesbeth Mertens", "liesbeth.mertens@example.org", (Role.COORDINATOR,)),
    Colleague("koen", "Koen Decoster", "koen.decoster@example.org", (Role.COORDINATOR,)),
    Colleague("hanne", "Hanne Lauwers", "hanne.lauwers@example.org"),
    Colleague("tom", "Tom Verstraeten", "tom.verstraeten@example.org"),
    Colleague("nadia", "Nadia Bouzid", "nadia.bouzid@example.org"),
    Colleague("jeroen", "Jeroen Smolders", "jeroen.smolders@example.org"),
    Colleague("inge", "Inge Van Roey", "inge.vanroey@example.org"),
    Colleague("bart", "Bart Wuyts (Leverancier Digitaal NV)", "bart.wuyts@leverancier.example.org"),
)

GOVERNMENTS = (
    ("Gemeente Lier", GovernmentKind.MUNICIPALITY),
    ("Gemeente Nijlen", GovernmentKind.MUNICIPALITY),
    ("Gemeente Duffel", GovernmentKind.MUNICIPALITY),
    ("Gemeente Berlaar", GovernmentKind.MUNICIPALITY),
    ("Gemeente Heist-op-den-Berg", GovernmentKind.MUNICIPALITY),
    ("Politiezone Lier", GovernmentKind.POLICE_ZONE),
    ("Hulpverleningszone Rivierenland", GovernmentKind.EMERGENCY_ZONE),
    ("OCMW Lier", GovernmentKind.OTHER),
)

Rag = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Update:
    days_ago: int
    overall: Rag
    schedule: Rag
    budget: Rag
    scope: Rag
    summary: str
    achievements: str = ""
    next_steps: str = ""
    blockers: str = ""


@dataclass(frozen=True)
class Milestone:
    title: str
    due_in_days: int  # negative: in the past
    done_days_ago: int | None = None  # None: not done (late when due in the past)


@dataclass(frozen=True)
class Risk:
    title: str
    probability: int
    impact: int
    mitigation: str
    owner: str
    state: RiskState = RiskState.OPEN


@dataclass(frozen=True)
class Decision:
    days_ago: int
    text: str
    decided_by: str
    scope_change: bool = False


@dataclass(frozen=True)
class HandoverStory:
    """A handover to operations (always to Inge Van Roey, with Jeroen Smolders as second line)."""

    planned_in_days: int
    done_items: int  # of the checklist, ticked off
    extra_items: tuple[str, ...] = ()
    accepted_days_ago: int | None = None  # accepted: after-care runs


@dataclass(frozen=True)
class Member:
    who: str
    role: str
    hours_per_week: float
    external: bool = False
    category: Category = Category.IMPLEMENTATION


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    domain: str  # the domain's key
    phase: Phase
    coordinator: str
    team: tuple[Member, ...]
    governments: tuple[str, ...]
    started_days_ago: int
    ends_in_days: int  # negative for a project that ended
    spent_share: float  # performed hours as a share of the budget, so the budget card tells a story
    description: str
    goal: str = ""
    scope: str = ""
    manager: str | None = None
    state: ProjectState = ProjectState.ACTIVE
    euros_per_hour: int = 95
    updates: tuple[Update, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    risks: tuple[Risk, ...] = ()
    decisions: tuple[Decision, ...] = ()
    retrospective: tuple[str, str, str] | None = None  # went well, to improve, lessons (one a line)
    planned: tuple[tuple[str, int, float], ...] = ()  # (who, in days from today, hours) planned ahead
    handover: HandoverStory | None = None
    working_group: bool = False  # meets every two weeks, with a report and an agenda item


@dataclass
class DemoOutcome:
    """What `load` did: loaded, already (nothing changed) or refused (nothing changed; `reason` says why)."""

    outcome: Literal["loaded", "already", "refused"]
    reason: str = ""
    projects: list[str] = field(default_factory=list)
    people: int = 0
    time_entries: int = 0


# The portfolio ---------------------------------------------------------------------------------------------------

_E_LOKET = DemoProject(
    code="DT-042",
    name="Digitaal aanvraagloket burgerzaken",
    domain="digital_transformation",
    phase=Phase.EXECUTION,
    coordinator=YOU,
    manager="sofie",
    team=(
        Member(YOU, "projectleider", 10, category=Category.COORDINATION),
        Member("hanne", "business-analist", 12, category=Category.ANALYSIS),
        Member("tom", "ontwikkelaar", 16),
        Member("bart", "consultant leverancier", 8, external=True),
        Member(YOU_TOO, "sleutelgebruiker", 3, category=Category.MEETING),
    ),
    governments=("Gemeente Lier", "Gemeente Nijlen", "Gemeente Duffel"),
    started_days_ago=120,
    ends_in_days=150,
    spent_share=0.56,
    description="Eén online loket waar inwoners van de deelnemende gemeenten uittreksels, attesten en afspraken "
    "aanvragen, gekoppeld aan de backoffice van burgerzaken. (Fictieve voorbeelddata van `projectbot demo`.)",
    goal="Tegen de zomer vraagt 60 % van de inwoners hun attesten online aan.",
    scope="Uittreksels en attesten, afspraken aan de balie, betaling online. Niet: rijbewijzen en reispassen.",
    updates=(
        Update(
            60,
            "green",
            "green",
            "green",
            "green",
            "Analyse afgerond, bouw gestart.",
            "Procesanalyse in drie gemeenten.",
            "Eerste formulieren bouwen.",
        ),
        Update(
            30,
            "amber",
            "amber",
            "green",
            "green",
            "De koppeling met het rijksregister loopt vertraging op.",
            "Formulieren voor uittreksels klaar.",
            "Testomgeving MAGDA aanvragen.",
            "Toegang tot de MAGDA-testomgeving.",
        ),
        Update(
            9,
            "amber",
            "amber",
            "amber",
            "green",
            "Koppeling getest maar nog niet aanvaard; budget volgt de planning net niet.",
            "Betaalmodule werkt in test.",
            "Pilot in Lier voorbereiden.",
            "Aanvaarding van de koppeling door de dienst burgerzaken.",
        ),
    ),
    milestones=(
        Milestone("Procesanalyse afgerond", -75, done_days_ago=78),
        Milestone("Koppeling rijksregister (MAGDA) getest", -6),
        Milestone("Pilot in Gemeente Lier", 24),
        Milestone("Livegang in alle deelnemende gemeenten", 140),
    ),
    risks=(
        Risk(
            "Koppeling met MAGDA wordt laat aanvaard",
            4,
            4,
            "Wekelijks overleg met de dienst burgerzaken; testscenario's vooraf laten goedkeuren.",
            YOU,
        ),
        Risk(
            "Te weinig tijd bij de sleutelgebruikers van de gemeenten",
            3,
            3,
            "Testmomenten vastleggen in de werkgroep; vervangers aanduiden.",
            "hanne",
        ),
        Risk(
            "Leverancier heeft in het voorjaar minder capaciteit",
            2,
            4,
            "Capaciteit vastleggen in het bestelbon-addendum.",
            "sofie",
        ),
        Risk("Betaalprovider wijzigt zijn API", 1, 3, "Versie vastpinnen.", "tom", RiskState.CLOSED),
    ),
    decisions=(
        Decision(70, "We bouwen op het bestaande e-loketplatform, geen nieuw pakket.", "Stuurgroep e-loket"),
        Decision(
            35,
            "Afspraken aan de balie komen mee in fase 1; rijbewijzen schuiven naar fase 2.",
            "Stuurgroep e-loket",
            scope_change=True,
        ),
        Decision(12, "De pilot start in Gemeente Lier, Nijlen en Duffel volgen na vier weken.", "Werkgroep e-loket"),
    ),
    planned=((YOU, 0, 3), (YOU, 1, 4), (YOU, 4, 4), (YOU, 5, 3), ("tom", 1, 6), ("hanne", 4, 5)),
    handover=HandoverStory(planned_in_days=130, done_items=1),
    working_group=True,
)

PROJECTS: tuple[DemoProject, ...] = (
    _E_LOKET,
    DemoProject(
        code="DT-038",
        name="Digitaal loket omgevingsvergunning",
        domain="digital_transformation",
        phase=Phase.IMPLEMENTATION,
        coordinator=YOU_TOO,
        manager="sofie",
        team=(
            Member(YOU_TOO, "projectleider", 6, category=Category.COORDINATION),
            Member("hanne", "business-analist", 6, category=Category.ANALYSIS),
            Member("bart", "consultant leverancier", 10, external=True),
        ),
        governments=("Gemeente Lier", "Gemeente Berlaar"),
        started_days_ago=270,
        ends_in_days=60,
        spent_share=0.91,
        description="Aanvragen voor een omgevingsvergunning digitaal opvolgen, van indiening tot beslissing.",
        updates=(
            Update(40, "amber", "amber", "green", "green", "Opleidingen lopen achter."),
            Update(
                6,
                "red",
                "red",
                "amber",
                "green",
                "De gemeente Berlaar stelt de livegang uit tot na de verkiezingen.",
                blockers="Nieuwe datum voor Berlaar nodig.",
            ),
        ),
        milestones=(Milestone("Opleiding dossierbehandelaars", -20, done_days_ago=18), Milestone("Livegang", 45)),
        risks=(Risk("Livegang Berlaar schuift op", 5, 3, "Lier eerst live; Berlaar apart plannen.", YOU_TOO),),
        # The Playground's user sees planned hours in `uren` and `budget DT-038`, as the README promises.
        planned=((YOU_TOO, 0, 2), (YOU_TOO, 1, 3), ("hanne", 1, 4), ("bart", 4, 6)),
    ),
    DemoProject(
        code="DT-051",
        name="Afsprakenmodule burgerzaken",
        domain="digital_transformation",
        phase=Phase.ANALYSIS,
        coordinator=YOU,
        manager="sofie",
        team=(
            Member(YOU, "projectleider", 3, category=Category.COORDINATION),
            Member("hanne", "business-analist", 4, category=Category.ANALYSIS),
        ),
        governments=("Gemeente Duffel", "Gemeente Lier"),
        started_days_ago=20,
        ends_in_days=200,
        spent_share=0.05,
        description="Inwoners boeken zelf een afspraak bij burgerzaken; de balie ziet de agenda van de dag.",
        milestones=(Milestone("Behoeften van de gemeenten verzameld", 15),),
        planned=((YOU, 1, 2),),
    ),
    DemoProject(
        code="DT-045",
        name="Chatbot voor het onthaal",
        domain="digital_transformation",
        phase=Phase.ANALYSIS,
        state=ProjectState.ON_HOLD,
        coordinator="liesbeth",
        manager="sofie",
        team=(Member("liesbeth", "projectleider", 2, category=Category.COORDINATION),),
        governments=("Gemeente Heist-op-den-Berg",),
        started_days_ago=150,
        ends_in_days=120,
        spent_share=0.2,
        description="Een chatbot op de website die veelgestelde vragen van inwoners beantwoordt.",
        updates=(
            Update(50, "amber", "amber", "green", "amber", "On hold tot het nieuwe meerjarenplan is goedgekeurd."),
        ),
    ),
    DemoProject(
        code="DT-047",
        name="Open-dataplatform",
        domain="digital_transformation",
        phase=Phase.EXECUTION,
        coordinator="koen",
        manager="sofie",
        team=(
            Member("koen", "projectleider", 5, category=Category.COORDINATION),
            Member("tom", "ontwikkelaar", 6),
            Member(YOU, "reviewer", 1, category=Category.DOCUMENTATION),
        ),
        governments=("Gemeente Lier", "Gemeente Nijlen", "Gemeente Heist-op-den-Berg"),
        started_days_ago=90,
        ends_in_days=90,
        spent_share=0.4,
        description="Gemeentelijke datasets (parkeren, afval, evenementen) als open data publiceren.",
        updates=(Update(20, "green", "green", "green", "green", "Eerste drie datasets gepubliceerd."),),
        milestones=(Milestone("Eerste datasets online", -25, done_days_ago=24), Milestone("Alle datasets", 80)),
    ),
    DemoProject(
        code="DT-029",
        name="Digitalisering archief bouwdossiers",
        domain="digital_transformation",
        phase=Phase.CLOSED,
        state=ProjectState.CLOSED,
        coordinator="koen",
        manager="sofie",
        team=(Member("koen", "projectleider", 4, category=Category.COORDINATION), Member("hanne", "analist", 4)),
        governments=("Gemeente Nijlen",),
        started_days_ago=420,
        ends_in_days=-60,
        spent_share=0.97,
        description="Papieren bouwdossiers scannen en doorzoekbaar maken.",
        updates=(Update(65, "green", "green", "green", "green", "Project afgesloten, archief in gebruik."),),
        retrospective=(
            "Vroege afspraken met het archief over de metadata; wekelijkse demo's.",
            "De scanpartner kreeg de dossiers te laat aangeleverd.",
            "Leg de metadata vast voor de eerste scan, niet erna.\nPlan de aanlevering van papieren dossiers per "
            "straat, niet per jaar.\nBetrek de archivaris vanaf de analyse.",
        ),
    ),
    DemoProject(
        code="TI-017",
        name="Migratie e-mailplatform",
        domain="tech_infra",
        phase=Phase.HANDOVER,
        coordinator=YOU,
        manager="pieter",
        team=(
            Member(YOU, "projectleider", 6, category=Category.COORDINATION),
            Member("jeroen", "systeembeheerder", 14),
            Member("nadia", "security officer", 3, category=Category.ANALYSIS),
        ),
        governments=("Politiezone Lier", "Gemeente Lier"),
        started_days_ago=200,
        ends_in_days=20,
        spent_share=0.83,
        description="Alle mailboxen van de deelnemende besturen naar het nieuwe platform, met archief.",
        updates=(
            Update(45, "green", "green", "green", "green", "Migratie van de politiezone afgerond."),
            Update(
                4,
                "green",
                "green",
                "amber",
                "green",
                "Alle mailboxen gemigreerd; overdracht aan exploitatie loopt.",
                next_steps="Overdrachtsdossier afronden.",
            ),
        ),
        milestones=(Milestone("Alle mailboxen gemigreerd", -10, done_days_ago=9), Milestone("Overdracht", 12)),
        risks=(Risk("Oude archieven niet volledig overgezet", 2, 4, "Steekproef per bestuur.", "jeroen"),),
        planned=((YOU, 0, 2), (YOU, 4, 2)),
        handover=HandoverStory(planned_in_days=12, done_items=4, extra_items=("Gebruikers informeren via intranet",)),
    ),
    DemoProject(
        code="TI-022",
        name="Vervanging firewalls datacenter",
        domain="tech_infra",
        phase=Phase.EXECUTION,
        coordinator="koen",
        manager="pieter",
        team=(Member("koen", "projectleider", 3, category=Category.COORDINATION), Member("nadia", "security", 8)),
        governments=("Hulpverleningszone Rivierenland",),
        started_days_ago=60,
        ends_in_days=110,
        spent_share=0.3,
        description="De firewalls van beide datacenters vervangen, zonder onderbreking van de diensten.",
        updates=(Update(16, "green", "green", "green", "green", "Nieuwe toestellen geleverd en geconfigureerd."),),
        milestones=(Milestone("Omschakeling datacenter 1", 30), Milestone("Omschakeling datacenter 2", 75)),
    ),
    DemoProject(
        code="TI-025",
        name="Back-up en herstel in de cloud",
        domain="tech_infra",
        phase=Phase.EXECUTION,
        coordinator=YOU,
        manager="pieter",
        team=(
            Member(YOU, "projectleider", 4, category=Category.COORDINATION),
            Member("jeroen", "systeembeheerder", 10),
        ),
        governments=("Gemeente Duffel", "OCMW Lier"),
        started_days_ago=100,
        ends_in_days=40,
        spent_share=1.08,
        description="Back-ups naar een Belgisch cloudcentrum, met een geteste herstelprocedure per bestuur.",
        updates=(
            Update(21, "amber", "green", "amber", "green", "Meer werk dan geraamd aan de herstelprocedures."),
            Update(
                3,
                "red",
                "amber",
                "red",
                "green",
                "Budget overschreden; bijkomende uren gevraagd aan de stuurgroep.",
                blockers="Beslissing over extra budget.",
            ),
        ),
        milestones=(Milestone("Hersteltest OCMW Lier", -2, done_days_ago=1), Milestone("Hersteltest Duffel", 20)),
        risks=(Risk("Herstel duurt langer dan de afgesproken 4 uur", 3, 5, "Herstel per toepassing testen.", YOU),),
        decisions=(Decision(3, "Extra budget van 40 uur aangevraagd bij de stuurgroep.", "Projectleider"),),
    ),
    DemoProject(
        code="TI-009",
        name="Netwerkvernieuwing politiezone",
        domain="tech_infra",
        phase=Phase.AFTER_CARE,
        coordinator="liesbeth",
        manager="pieter",
        team=(Member("liesbeth", "projectleider", 4, category=Category.COORDINATION), Member("jeroen", "netwerk", 6)),
        governments=("Politiezone Lier",),
        started_days_ago=300,
        ends_in_days=10,
        spent_share=0.95,
        description="Nieuwe switches en wifi in alle gebouwen van de politiezone.",
        handover=HandoverStory(planned_in_days=-32, done_items=6, accepted_days_ago=30),
        updates=(Update(25, "green", "green", "green", "green", "Overgedragen aan exploitatie; nazorg loopt."),),
    ),
    DemoProject(
        code="TI-012",
        name="Werkplekvernieuwing OCMW",
        domain="tech_infra",
        phase=Phase.CLOSED,
        state=ProjectState.CLOSED,
        coordinator="liesbeth",
        manager="pieter",
        team=(Member("liesbeth", "projectleider", 3, category=Category.COORDINATION), Member("jeroen", "uitrol", 8)),
        governments=("OCMW Lier",),
        started_days_ago=380,
        ends_in_days=-120,
        spent_share=1.02,
        description="Laptops en dockingstations voor alle medewerkers van het OCMW.",
        retrospective=(
            "Uitrol per dienst, met een vaste aanspreekpersoon.",
            "Te weinig reservetoestellen voor de eerste week.",
            "Voorzie 5 % reservetoestellen tijdens een uitrol.\nPlan de uitrol niet in de weken van de jaarafsluiting.",
        ),
    ),
    DemoProject(
        code="TI-031",
        name="Telefonie naar Teams",
        domain="tech_infra",
        phase=Phase.ANALYSIS,
        coordinator=YOU_TOO,
        manager="pieter",
        team=(Member(YOU_TOO, "projectleider", 3, category=Category.COORDINATION), Member(YOU, "adviseur", 1)),
        governments=("Gemeente Berlaar", "Gemeente Nijlen"),
        started_days_ago=30,
        ends_in_days=240,
        spent_share=0.06,
        description="De vaste telefonie van de gemeenten vervangen door bellen in Teams.",
        planned=((YOU_TOO, 4, 2),),
    ),
)

DEMO_CODES = tuple(project.code for project in PROJECTS)

# What people write beside their hours (often nothing).
NOTES: dict[Category, tuple[str, ...]] = {
    Category.COORDINATION: ("planning bijgewerkt", "overleg met de leverancier", "opvolging actiepunten", "", ""),
    Category.ANALYSIS: ("workshop met de dienst", "procesanalyse", "testscenario's uitgeschreven", "", ""),
    Category.IMPLEMENTATION: ("configuratie", "bugfixes na de test", "koppeling gebouwd", "", ""),
    Category.MEETING: ("werkgroep", "afstemming met de gemeente", ""),
    Category.DOCUMENTATION: ("handleiding bijgewerkt", "documentatie nagelezen", ""),
}


def _note(category: Category, key: str) -> str:
    choices = NOTES.get(category, ("",))
    return choices[zlib.crc32(key.encode()) % len(choices)]


# Loading ---------------------------------------------------------------------------------------------------------


def demo_codes_present(db: Database) -> list[str]:
    """The demo's projects already in this database (their creation was audited with a `demo:` request id)."""
    with db.session() as session:
        rows = session.exec(
            select(AuditLog.request_id).where(
                AuditLog.action == "project.create", col(AuditLog.request_id).startswith(DEMO_REQUEST_PREFIX)
            )
        )
        return sorted({row.removeprefix(DEMO_REQUEST_PREFIX) for row in rows if row})


def other_projects(db: Database) -> list[str]:
    """Codes of the projects the demo did not make: the organisation's own."""
    demo = set(demo_codes_present(db))
    with db.session() as session:
        return sorted(code for code in session.exec(select(Project.code)) if code not in demo)


def load(db: Database, triers: Sequence[Trier], *, now: datetime, today: date, force: bool = False) -> DemoOutcome:
    """Fill the database with the demo portfolio, once. `triers`: the people who will try the bot (at least one);
    the first coordinates DT-042. `today` is the local day the dates are counted from."""
    if not triers:
        raise ValueError("the demo needs at least one person trying the bot")
    present = demo_codes_present(db)
    if present:
        return DemoOutcome("already", projects=present)
    own = other_projects(db)
    if own and not force:
        return DemoOutcome("refused", reason="own_projects", projects=own)
    taken = sorted(set(own) & set(DEMO_CODES))
    if taken:
        return DemoOutcome("refused", reason="codes_taken", projects=taken)
    people = _people(db, triers, now)
    loader = _Loader(db, people, _governments(db, now), _domains(db), now=now, today=today)
    for project in PROJECTS:
        loader.project(project)
    loader.week_plans()
    _roles(db, people, _domains(db), now)
    _availability(db, people, now)
    return DemoOutcome("loaded", projects=list(DEMO_CODES), people=len(people), time_entries=loader.entries)


def _people(db: Database, triers: Sequence[Trier], now: datetime) -> dict[str, int]:
    """Person ids by the demo's names for them: the triers (as Teams will see them) and the fictional colleagues."""
    persons, links = PersonRepository(db), LinkRepository(db)
    found: dict[str, int] = {}
    seen = [(YOU, triers[0]), *([(YOU_TOO, triers[1])] if len(triers) > 1 else [])]
    for key, trier in seen:
        person = persons.record_seen(
            PersonSeen(trier.tenant_id, trier.aad_object_id, trier.teams_user_id, trier.name, None, None), now
        )
        assert person.id is not None
        if trier.email:
            links.link_email(person.id, trier.email, now=now)
        found[key] = person.id
    found.setdefault(YOU_TOO, found[YOU])
    for number, colleague in enumerate(COLLEAGUES, start=1):
        aad = str(uuid.uuid5(uuid.NAMESPACE_URL, f"projectbot-demo:{colleague.email}"))
        seen_as = PersonSeen(DEMO_TENANT_ID, aad, f"29:demo-{number}", colleague.name, "nl-BE", DEMO_TIMEZONE)
        person = persons.record_seen(seen_as, now)
        assert person.id is not None
        links.link_email(person.id, colleague.email, now=now)
        found[colleague.key] = person.id
    return found


def _governments(db: Database, now: datetime) -> dict[str, int]:
    lists = ListRepository(db)
    for name, kind in GOVERNMENTS:
        lists.add_government(name, kind, actor_id=None, now=now)  # "exists" when the organisation has it already
    # By exact name: one the organisation spells otherwise is left off the demo's projects, never renamed.
    ids = {government.name: government.id for government in ProjectRepository(db).governments() if government.id}
    return {name: ids[name] for name, _kind in GOVERNMENTS if name in ids}


def _domains(db: Database) -> dict[str, int]:
    domains = {domain.key: domain.id for domain in ProjectRepository(db).domains() if domain.id is not None}
    missing = {project.domain for project in PROJECTS} - set(domains)
    if missing:
        raise LookupError(f"the demo needs the seeded domains {sorted(missing)}; run `projectbot db upgrade`")
    return domains


def _roles(db: Database, people: dict[str, int], domains: dict[str, int], now: datetime) -> None:
    directory = DirectoryRepository(db)
    # The people trying the bot coordinate and oversee both domains, so the portfolio and digest have content.
    for key in dict.fromkeys((YOU, YOU_TOO)):
        for role in (Role.COORDINATOR, Role.MANAGER):
            directory.grant(people[key], role, actor_id=None, now=now)
        directory.set_managed_domains(people[key], set(domains.values()), actor_id=None, now=now)
    for colleague in COLLEAGUES:
        for role in colleague.roles:
            directory.grant(people[colleague.key], role, actor_id=None, now=now)
        if colleague.manages:
            wanted = {domains[key] for key in colleague.manages}
            directory.set_managed_domains(people[colleague.key], wanted, actor_id=None, now=now)


def _availability(db: Database, people: dict[str, int], now: datetime) -> None:
    for key, person_id in people.items():
        if key not in UNKNOWN_AVAILABILITY:
            availability = PART_TIME.get(key, Availability.full_time())
            change_availability(db, person_id, availability, now=now, by=None)


def _without_holidays(monday: date) -> date:
    """The first Monday from this one whose week has no Belgian public holiday on a weekday."""
    import holidays  # loaded only when the demo is (every country's calendars: megabytes)

    while True:
        weekdays = [monday + timedelta(days=i) for i in range(5)]
        calendar = holidays.country_holidays("BE", years={day.year for day in weekdays})
        if not any(day in calendar for day in weekdays):
            return monday
        monday += timedelta(weeks=1)


class _Loader:
    """Writes one demo project and everything about it, each part through its repository."""

    def __init__(
        self,
        db: Database,
        people: dict[str, int],
        governments: dict[str, int],
        domains: dict[str, int],
        *,
        now: datetime,
        today: date,
    ) -> None:
        self.db, self.people, self.governments, self.domains = db, people, governments, domains
        self.now, self.today = now, today
        self.entries = 0
        self._day_minutes: dict[tuple[int, date], int] = {}
        self._project_ids: dict[str, int] = {}

    def at(self, days_ago: int) -> datetime:
        """An instant in the past, at the same time of day as now."""
        return self.now - timedelta(days=days_ago)

    def project(self, project: DemoProject) -> None:
        entries = self._performed(project)
        spent_hours = sum(minutes for _who, _day, minutes, _category in entries) / 60
        budget = Decimal(max(10, round(spent_hours / project.spent_share / 10) * 10))
        values = {
            "name": project.name,
            "domain_id": self.domains[project.domain],
            "description": project.description,
            "goal": project.goal,
            "scope": project.scope,
            "coordinator_id": self.people[project.coordinator],
            "manager_id": self.people[project.manager] if project.manager else None,
            "planned_start": self.today - timedelta(days=project.started_days_ago),
            "planned_end": self.today + timedelta(days=project.ends_in_days),
            "budget_hours": budget,
            "budget_euros": budget * project.euros_per_hour,
            "phase": project.phase.value,
            "state": project.state.value,
        }
        facts = ProjectRepository(self.db).create(
            project.code,
            values,
            [self.governments[name] for name in project.governments if name in self.governments],
            actor_id=None,
            now=self.at(project.started_days_ago),
            request_id=DEMO_REQUEST_PREFIX + project.code,
        )
        self._project_ids[project.code] = facts.id
        self._team(facts.id, project)
        self._time(facts.id, project, entries)
        self._status(facts.id, project)
        if project.working_group:
            self._meetings(facts.id)
        if project.handover is not None:
            self._handover(facts.id, project.coordinator, project.handover)

    def _team(self, project_id: int, project: DemoProject) -> None:
        projects = ProjectRepository(self.db)
        for member in project.team:
            projects.add_member(
                project_id,
                self.people[member.who],
                role=member.role,
                external=member.external,
                actor_id=None,
                now=self.at(project.started_days_ago),
            )

    def _performed(self, project: DemoProject) -> list[tuple[str, date, int, Category]]:
        """Each member's hours since the start (at most HISTORY_WEEKS back; a closed project's last weeks): day by
        day over the last two weeks, so timesheets look lived in, and on Tuesday and Thursday before that; none
        today or later, none after a project ended. Reproducible: seeded by the code."""
        rng = random.Random(project.code)
        last = min(self.today, self.today + timedelta(days=project.ends_in_days))  # exclusive
        started = self.today - timedelta(days=project.started_days_ago)
        first = max(started, last - timedelta(weeks=HISTORY_WEEKS))
        daily_from = max(first, self.today - timedelta(days=14))
        found: list[tuple[str, date, int, Category]] = []
        day = first
        while day < last:
            recent = day >= daily_from
            if day.weekday() < 5 and (recent or day.weekday() in (1, 3)):
                for member in project.team:
                    days_worked = 5 * 0.6 if recent else 2
                    if recent and rng.random() >= 0.6:
                        continue
                    minutes = self._within_day(
                        member.who, day, member.hours_per_week * 60 / days_worked * rng.uniform(0.7, 1.3)
                    )
                    if minutes:
                        found.append((member.who, day, minutes, member.category))
            day += timedelta(days=1)
        return found

    def _time(self, project_id: int, project: DemoProject, entries: list[tuple[str, date, int, Category]]) -> None:
        repository = TimeEntryRepository(self.db)
        for number, (who, day, minutes, category) in enumerate(entries):
            self._add(
                repository, project_id, who, day, minutes, category, EntryKind.PERFORMED, f"{project.code}-{number}"
            )
        for number, (who, in_days, hours) in enumerate(project.planned):
            day = self._working_day(self.today + timedelta(days=in_days))
            self._add(
                repository, project_id, who, day, int(hours * 60), Category.IMPLEMENTATION, EntryKind.PLANNED,
                f"{project.code}-planned-{number}",
            )  # fmt: skip

    def week_plans(self) -> None:
        """WEEK_PLANS, day by day over each person's working days of that week (counted from today's week)."""
        repository = TimeEntryRepository(self.db)
        this_monday = self.today - timedelta(days=self.today.weekday())
        for number, (who, code, weeks, hours) in enumerate(WEEK_PLANS):
            monday = _without_holidays(this_monday + timedelta(weeks=weeks))
            working = PART_TIME.get(who, Availability.full_time()).working_days
            for day in (monday + timedelta(days=weekday) for weekday in sorted(working)):
                self._add(
                    repository, self._project_ids[code], who, day, int(hours * 60), Category.IMPLEMENTATION,
                    EntryKind.PLANNED, f"{code}-week-{number}-{day.weekday()}",
                )  # fmt: skip

    def _add(
        self,
        repository: TimeEntryRepository,
        project_id: int,
        who: str,
        day: date,
        minutes: int,
        category: Category,
        kind: EntryKind,
        key: str,
    ) -> None:
        repository.add(
            person_id=self.people[who],
            project_id=project_id,
            day=day,
            minutes=minutes,
            kind=kind.value,
            category=category.value,
            note=_note(category, key) if kind == EntryKind.PERFORMED else "",
            request_key=DEMO_REQUEST_PREFIX + key,
            now=datetime.combine(day, time(16, 0), tzinfo=self.now.tzinfo) if day <= self.today else self.now,
        )
        self.entries += 1

    def _within_day(self, who: str, day: date, minutes: float) -> int:
        """Whole quarters of an hour, as much as fits in the person's working day with what they logged already (on
        all projects); reserved for them."""
        key = (self.people[who], day)
        logged = self._day_minutes.get(key, 0)
        quarters = min(round(minutes / 15), (DAY_LIMIT_MINUTES - logged) // 15)
        if quarters <= 0:
            return 0
        self._day_minutes[key] = logged + quarters * 15
        return quarters * 15

    @staticmethod
    def _working_day(day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def _status(self, project_id: int, project: DemoProject) -> None:
        status = StatusRepository(self.db)
        author = self.people[project.coordinator]
        for update in project.updates:
            report: dict[str, Any] = {
                "overall": update.overall,
                "schedule": update.schedule,
                "budget": update.budget,
                "scope": update.scope,
                "summary": update.summary,
                "achievements": update.achievements,
                "next_steps": update.next_steps,
                "blockers": update.blockers,
            }
            status.add_report(project_id, report, author_id=author, now=self.at(update.days_ago), form_id=None)
        for milestone in project.milestones:
            due = self.today + timedelta(days=milestone.due_in_days)
            saved = status.save_milestone(project_id, None, {"title": milestone.title, "due_on": due}, now=self.now)
            if milestone.done_days_ago is not None:
                status.mark_milestone(saved.id, done=True, now=self.at(milestone.done_days_ago))
        self._risks_and_decisions(status, project_id, project, author)
        if project.retrospective is not None:
            went_well, to_improve, lessons = project.retrospective
            looked_back = {"went_well": went_well, "to_improve": to_improve, "lessons": lessons}
            status.save_retrospective(project_id, looked_back, author_id=author, now=self.at(-project.ends_in_days))

    def _risks_and_decisions(
        self, status: StatusRepository, project_id: int, project: DemoProject, author: int
    ) -> None:
        for risk in project.risks:
            values: dict[str, Any] = {
                "title": risk.title,
                "probability": risk.probability,
                "impact": risk.impact,
                "mitigation": risk.mitigation,
                "owner_id": self.people[risk.owner],
                "state": risk.state.value,
            }
            status.save_risk(project_id, None, values, now=self.now)
        for decision in project.decisions:
            decided: dict[str, Any] = {
                "kind": "scope_change" if decision.scope_change else "decision",
                "decided_on": self.today - timedelta(days=decision.days_ago),
                "text": decision.text,
                "decided_by": decision.decided_by,
            }
            when = self.at(decision.days_ago)
            status.add_decision(project_id, decided, recorded_by_id=author, now=when, form_id=None)

    def _meetings(self, project_id: int) -> None:
        """The working group meets every two weeks on Tuesday at 10:00; its last meeting left two action items. No
        conversation is linked (the demo posts nowhere); `nieuwe vergadering` in a channel makes one that is."""
        repository = MeetingRepository(self.db)
        last = self.today - timedelta(days=(self.today.weekday() - 1) % 7 or 7)  # the last Tuesday before today
        first_tuesday = last - timedelta(weeks=10)
        series = repository.create(
            MeetingSeries(
                project_id=project_id,
                title="Werkgroep digitaal loket",
                kind=MeetingKind.WORKING_GROUP,
                first_start=datetime.combine(first_tuesday, time(10, 0)),
                duration_minutes=90,
                timezone=DEMO_TIMEZONE,
                repeat="biweekly",
                count=20,
                place="Stadhuis Lier, vergaderzaal 2",
                link="https://meet.example.org/werkgroep-loket",
                skip_holidays=True,
                coordinator_id=self.people[YOU],
                created_at=self.at(80),
                updated_at=self.at(80),
            )
        )
        assert series.id is not None
        actions = [
            ReportAction("Testscenario's MAGDA laten goedkeuren", self.people["hanne"], due_on=self.today),
            ReportAction("Planning pilot Lier bezorgen", self.people[YOU], due_on=self.today + timedelta(days=7)),
        ]
        report = ReportInput("Pilot start in Lier; Nijlen en Duffel volgen na vier weken.", actions)
        repository.save_report(series, last.isoformat(), report, person_id=self.people[YOU], now=self.at(1))
        upcoming = last + timedelta(weeks=2)
        repository.add_agenda(
            series.id, upcoming.isoformat(), "Stand van zaken koppeling MAGDA", person_id=self.people["hanne"],
            form_id=None, now=self.at(1),
        )  # fmt: skip

    def _handover(self, project_id: int, coordinator: str, story: HandoverStory) -> None:
        handovers = HandoverRepository(self.db)
        owner = self.people[coordinator]
        values = {
            "receiver_person_id": self.people["inge"],
            "planned_on": self.today + timedelta(days=story.planned_in_days),
            "after_care_length": "P6W",
            "support_person_id": self.people["jeroen"],
            "inform_days": 30,
        }
        plan, _previous = handovers.save_plan(
            project_id,
            values,
            [self.people["pieter"], self.people["sofie"]],
            list(story.extra_items),
            actor_id=owner,
            now=self.at(max(20, 40 - story.planned_in_days)),
            form_id=None,
            default_owner_id=owner,
        )
        for item in plan.items[: story.done_items]:
            ticked = self.at((story.accepted_days_ago or 0) + 5)  # before any acceptance
            handovers.mark_item(plan.id, item.id, done=True, actor_id=owner, now=ticked)
        if story.accepted_days_ago is not None:
            after_care_until = self.today - timedelta(days=story.accepted_days_ago) + timedelta(weeks=6)
            when = self.at(story.accepted_days_ago)
            handovers.accept(plan.id, actor_id=self.people["inge"], now=when, after_care_until=after_care_until)
