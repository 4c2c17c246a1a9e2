"""`export planning` (issue 17, item 5): people x weeks as XLSX for the general planning, in the chat and on the
command line; the workbook's contents read back with openpyxl (Easter Monday, a part-timer, an unknown
availability, plans on projects the reader may not see), who may have it, and bad spans and domains. Both languages,
both databases."""

from __future__ import annotations

import io
import pickle
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.cli import main
from bot.cli_export import ExportError, planning_span
from cards.i18n import translator
from dialogs.capacity.export_planning import planning_of, read_request
from dialogs.capacity.planning_workbook import planning_xlsx
from dialogs.kernel.turn import Stop
from domain.capacity import Availability
from storage import migrate
from storage.capacity import CapacityRepository
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.files import StoredFile
from storage.models import Person
from storage.projects import Project, TeamMember
from storage.time_entries import LeaveDay, TimeEntry
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the harness clock's start: Monday of ISO week 48
DST_WEEK = date(2027, 3, 22)  # ISO week 12 of 2027 (summer time starts on its Sunday)
EASTER_WEEK = date(2027, 3, 29)  # ISO week 13 of 2027: Easter Monday 29 March
PART_TIME = Availability(int(30.4 * 60), frozenset({1, 2, 3, 4}))  # 30,4 h over Tuesday to Friday
TECH, DIGITAL = 1, 2  # the domains the migrations seed: "Technologie en infrastructuur", "Digitale transformatie"
CONSENT = "application/vnd.microsoft.teams.card.file.consent"


# Seeding ------------------------------------------------------------------------------------------------------------


def person(db: Database, name: str, *, aad: str | None = None) -> int:
    with db.session() as session:
        row = Person(tenant_id="t", aad_object_id=aad or f"aad-{name}", name=name, email=f"{name.split()[0]}@x.test",
                     created_at=NOW, updated_at=NOW)  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def person_of(db: Database, user: TeamsUser) -> int:
    with db.session() as session:
        found = session.exec(select(Person).where(Person.aad_object_id == user.aad_object_id)).one()
        assert found.id is not None
        return found.id


def project(db: Database, code: str, domain: int, coordinator: int | None, *members: int) -> int:
    with db.session() as session:
        row = Project(code=code, name=f"Project {code}", domain_id=domain, coordinator_id=coordinator,
                      created_at=NOW, updated_at=NOW)  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all([TeamMember(project_id=row.id, person_id=m, added_at=NOW) for m in members])
        return row.id


def plan(db: Database, person_id: int, project_id: int, monday: date, *hours: float) -> None:
    """Planned hours on the week's days from Monday on."""
    with db.session() as session:
        session.add_all(
            TimeEntry(person_id=person_id, project_id=project_id, day=monday + timedelta(days=i),
                      minutes=round(h * 60), kind="planned", created_at=NOW, updated_at=NOW)
            for i, h in enumerate(hours) if h
        )  # fmt: skip


def seed_staff(db: Database, *, an: int | None = None) -> dict[str, int]:
    """An (full time), Bert (30,4 h Tuesday to Friday), Chris (availability unknown) on DT-001 and DT-002 (tech);
    An also on DT-009 (digital). Around Easter 2027: An 40 h in Easter week, Bert 4 h and a day of leave."""
    ids = {"an": an or person(db, "An Peeters"), "bert": person(db, "Bert Claes"), "chris": person(db, "Chris Dewulf")}
    dt1 = project(db, "DT-001", TECH, ids["an"], ids["bert"], ids["chris"])
    dt2 = project(db, "DT-002", TECH, ids["an"])
    dt9 = project(db, "DT-009", DIGITAL, None, ids["an"])
    ids |= {"DT-001": dt1, "DT-002": dt2, "DT-009": dt9}
    capacity = CapacityRepository(db)
    capacity.set_availability(ids["an"], Availability.full_time(), now=NOW, by=None)
    capacity.set_availability(ids["bert"], PART_TIME, now=NOW, by=None)
    plan(db, ids["an"], dt1, EASTER_WEEK, 8, 8, 8)
    plan(db, ids["an"], dt2, EASTER_WEEK, 0, 0, 0, 8, 4)
    plan(db, ids["an"], dt9, EASTER_WEEK, 0, 0, 0, 0, 4)
    plan(db, ids["an"], dt1, DST_WEEK, 6)
    plan(db, ids["bert"], dt1, EASTER_WEEK, 0, 4)
    plan(db, ids["chris"], dt2, DST_WEEK, 2.5)
    with db.session() as session:
        session.add(LeaveDay(person_id=ids["bert"], day=DST_WEEK + timedelta(days=2)))  # a Wednesday off
    return ids


# Reading a workbook back ----------------------------------------------------------------------------------------


def workbook(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def blocks(sheet: Any) -> dict[tuple[str, str], list[Any]]:
    """Sheet 1's rows by (person, code or row label): the week cells."""
    found: dict[tuple[str, str], list[Any]] = {}
    for row in sheet.iter_rows(min_row=6, values_only=True):
        if row[0] is None:
            continue
        label = row[1] or row[2]
        found[(row[0], label)] = list(row[3:])
    return found


def summary(sheet: Any) -> dict[str, list[Any]]:
    return {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=6, values_only=True) if row[0] and row[1]}


def easter_workbook(db: Database, language: str) -> tuple[Any, dict[str, int]]:
    """Weeks 12 and 13 of 2027 for An, Bert and Chris, as a reader who sees the tech domain's projects."""
    ids = seed_staff(db)
    projects = CapacityRepository(db).open_projects(domain_ids=[TECH])
    t = translator("nl" if language == "nl" else "en")
    planning = planning_of(
        db, {ids["an"], ids["bert"], ids["chris"]}, projects, DST_WEEK, 2,
        scope="Technologie en infrastructuur", made_at=NOW, at_risk_percent=90, t=t,
    )  # fmt: skip
    return workbook(planning_xlsx(planning, t)), ids


# The workbook (both databases) ------------------------------------------------------------------------------------


def test_the_workbook_in_dutch(db: Database) -> None:
    book, _ = easter_workbook(db, "nl")
    sheet, second = book.worksheets
    assert (sheet.title, second.title) == ("Planning", "Samenvatting")
    assert sheet["A1"].value == "Planning – Technologie en infrastructuur: wk 12 2027 tot wk 13 2027 (2 weken)"
    assert sheet["A2"].value == "Gemaakt op" and sheet["B2"].value == datetime(2026, 11, 23, 9, 0)
    assert sheet["B2"].number_format == "DD/MM/YYYY HH:MM"
    assert [sheet["D4"].value, sheet["E4"].value] == ["wk 12", "wk 13"]
    assert sheet["D5"].value.date() == DST_WEEK and sheet["D5"].number_format == "DD/MM/YYYY"
    assert [sheet["A4"].value, sheet["B4"].value, sheet["C4"].value] == ["Persoon", "Code", "Project"]
    assert sheet.freeze_panes == "D6"

    rows = blocks(sheet)
    # An: full time, Easter Monday off -> 30,4 h; 40 h planned, 4 of them on a project of another domain.
    assert rows[("An Peeters", "DT-001")] == [6, 24]
    assert rows[("An Peeters", "DT-002")] == [None, 12]
    assert rows[("An Peeters", "Andere projecten")] == [None, 4]  # DT-009 is not the reader's: counted, unnamed
    assert rows[("An Peeters", "Beschikbaar")] == [38, 30.4]
    assert rows[("An Peeters", "Gepland")] == [6, 40]
    assert rows[("An Peeters", "Vrij")] == [32, -9.6]
    # Bert: 30,4 h over Tuesday to Friday; a Wednesday of leave in week 12, and no Monday to lose at Easter.
    assert rows[("Bert Claes", "Beschikbaar")] == [22.8, 30.4]
    assert rows[("Bert Claes", "Vrij")] == [22.8, 26.4]
    # Chris: nothing known about his hours, so "onbekend", never 0 or free.
    assert rows[("Chris Dewulf", "Beschikbaar")] == ["onbekend", "onbekend"]
    assert rows[("Chris Dewulf", "Vrij")] == ["onbekend", "onbekend"]
    assert rows[("Chris Dewulf", "DT-002")] == [2.5, None]
    assert ("DT-009" not in str(rows)) and "Project DT-009" not in str(list(sheet.values))

    over = next(cell for cell in sheet["E"] if cell.value == -9.6)
    assert over.font.color.rgb.endswith("C00000") and "[Red]" in over.number_format
    assert next(cell for cell in sheet["E"] if cell.value == 30.4).number_format == "0.0#"

    loads = summary(second)
    assert [second["A4"].value, second["B4"].value, second["C4"].value] == ["Persoon", "Uren per week", "Werkdagen"]
    assert loads["An Peeters"][:2] == [38, "ma, di, wo, do, vr"]
    assert loads["An Peeters"][2:] == [round(6 / 38, 4), round(40 / 30.4, 4)]
    assert loads["Bert Claes"][:2] == [30.4, "di, wo, do, vr"]
    assert loads["Chris Dewulf"] == ["onbekend", "onbekend", "onbekend", "onbekend"]
    assert second["D6"].number_format == "0%"
    formulas = [rule.formula[0] for rules in second.conditional_formatting for rule in rules.rules]
    assert formulas == ["AND(ISNUMBER(D6),D6>1)", "AND(ISNUMBER(D6),D6>0.9)", "ISNUMBER(D6)"]


def test_the_workbook_in_english(db: Database) -> None:
    book, _ = easter_workbook(db, "en")
    sheet, second = book.worksheets
    assert (sheet.title, second.title) == ("Planning", "Summary")
    assert sheet["A1"].value.endswith("wk 12 2027 to wk 13 2027 (2 weeks)")
    assert [sheet["A4"].value, sheet["A2"].value] == ["Person", "Made on"]
    rows = blocks(sheet)
    assert rows[("An Peeters", "Available")] == [38, 30.4]
    assert rows[("An Peeters", "Free")] == [32, -9.6]
    assert rows[("An Peeters", "Other projects")] == [None, 4]
    assert rows[("Chris Dewulf", "Available")] == ["unknown", "unknown"]
    assert summary(second)["Bert Claes"][:2] == [30.4, "tue, wed, thu, fri"]


def test_an_administrator_sees_every_project_by_name(db: Database) -> None:
    ids = seed_staff(db)
    projects = CapacityRepository(db).open_projects(everything=True)
    t = translator("en")
    planning = planning_of(db, {ids["an"]}, projects, EASTER_WEEK, 1, scope="all", made_at=NOW, at_risk_percent=90,
                           t=t)  # fmt: skip
    rows = blocks(workbook(planning_xlsx(planning, t)).worksheets[0])
    assert rows[("An Peeters", "DT-009")] == [4] and ("An Peeters", "Other projects") not in rows


def test_the_workbook_is_built_from_picklable_values(db: Database) -> None:
    """The production renderer builds it in a spawned worker process: its arguments cross by pickle."""
    ids = seed_staff(db)
    t = translator("nl")
    planning = planning_of(db, {ids["an"]}, [], EASTER_WEEK, 1, scope="x", made_at=NOW, at_risk_percent=90, t=t)
    again, t_again = pickle.loads(pickle.dumps((planning, t)))
    assert again == planning
    assert blocks(workbook(planning_xlsx(again, t_again)).worksheets[0])[("An Peeters", "Andere projecten")] == [40]


# Reading what was typed (pure) ----------------------------------------------------------------------------------

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("typed", "domain", "span"),
    [
        ("", "", (date(2026, 11, 30), 13)),
        ("van week 1 tot week 13", "", (date(2027, 1, 4), 13)),
        ("tech", "tech", (date(2026, 11, 30), 13)),
        ("technologie en infra van week 1 tot week 13", "technologie en infra", (date(2027, 1, 4), 13)),
        ("digital from week 1 to week 13", "digital", (date(2027, 1, 4), 13)),
        ("Digitale transformatie volgende maand", "Digitale transformatie", (date(2026, 12, 28), 5)),
        ("komende 4 weken", "", (date(2026, 11, 30), 4)),
        ("DT-042 volgende maand", "DT-042", (date(2026, 12, 28), 5)),
    ],
)
def test_a_domain_then_a_span(typed: str, domain: str, span: tuple[date, int]) -> None:
    assert read_request(typed, TODAY, translator("nl")) == (domain, span)


@pytest.mark.parametrize("typed", ["week 60", "van week 5 tot week 99", "tech week 0", "komende 80 weken"])
def test_a_span_that_is_none(typed: str) -> None:
    with pytest.raises(Stop) as stop:
        read_request(typed, TODAY, translator("nl"))
    assert stop.value.reply.texts[0].startswith(f"Ik begrijp de periode “{typed}” niet.")


# In the chat (both databases, both languages) -------------------------------------------------------------------

AN = TeamsUser.named("An Peeters", locale="nl-BE")  # coordinator of DT-001 and DT-002
MARC = TeamsUser.named("Marc Manager", locale="en-GB")  # manager of the tech domain
SAM = TeamsUser.named("Sam Stranger", locale="en-GB")  # on no project, no role
NINA = TeamsUser.named("Nina Noord", locale="nl-BE")  # only a team member of DT-001


async def staffed(bot: BotDriver, db: Database) -> dict[str, int]:
    for user in (AN, MARC, SAM, NINA):
        await bot.say(user, "help")  # they exist once they have talked
    directory = DirectoryRepository(db)
    directory.grant(person_of(db, AN), Role.COORDINATOR, actor_id=None, now=NOW)
    directory.grant(person_of(db, MARC), Role.MANAGER, actor_id=None, now=NOW)
    directory.set_managed_domains(person_of(db, MARC), {TECH}, actor_id=None, now=NOW)
    ids = seed_staff(db, an=person_of(db, AN))
    with db.session() as session:
        session.add(TeamMember(project_id=ids["DT-001"], person_id=person_of(db, NINA), added_at=NOW))
    plan(db, ids["bert"], ids["DT-001"], date(2026, 11, 23), 0, 0, 3)  # this week, the harness clock's
    return ids


def sent_file(db: Database, result: TurnResult, name: str) -> Any:
    """The workbook offered on the turn's file consent card, as stored for the upload."""
    offered = [a for activity in result.sent for a in activity.get("attachments") or [] if a["contentType"] == CONSENT]
    assert [card["name"] for card in offered] == [name]
    with db.session() as session:
        stored = session.exec(select(StoredFile).where(col(StoredFile.name) == name)).all()
    assert len(stored) == 1
    return workbook(stored[0].data)


async def test_a_coordinator_gets_their_peoples_planning_in_dutch(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    result = await bot.say(AN, "export planning")
    assert result.texts[0] == (
        "Hier is de planning van 4 personen (je mensen), wk 48 2026 tot wk 7 2027 (13 weken), als XLSX."
    )
    book = sent_file(db, result, "planning-2026w48-2027w07.xlsx")
    rows = blocks(book.worksheets[0])
    assert {name for name, _ in rows} == {"An Peeters", "Bert Claes", "Chris Dewulf", "Nina Noord"}
    assert rows[("Bert Claes", "DT-001")][0] == 3
    assert rows[("Bert Claes", "Beschikbaar")][0] == 30.4
    assert rows[("Nina Noord", "Beschikbaar")][0] == "onbekend"

    easter = await bot.say(AN, "export planning van week 12 tot week 13")
    assert "wk 12 2027 tot wk 13 2027 (2 weken)" in easter.texts[0]
    rows = blocks(sent_file(db, easter, "planning-2027w12-2027w13.xlsx").worksheets[0])
    assert rows[("An Peeters", "Beschikbaar")] == [38, 30.4]
    assert rows[("An Peeters", "Andere projecten")] == [None, 4]  # DT-009 is not An's to name


async def test_a_manager_gets_a_domain_in_english(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    result = await bot.say(MARC, "export planning technology from week 13 to week 13 2027")
    assert result.texts[0] == (
        "Here is the planning of 4 people (Technology and infrastructure), wk 13 2027 (1 week), as XLSX."
    )
    rows = blocks(sent_file(db, result, "planning-2027w13-2027w13.xlsx").worksheets[0])
    assert rows[("An Peeters", "Available")] == [30.4] and rows[("An Peeters", "Free")] == [-9.6]
    assert rows[("Bert Claes", "Available")] == [30.4]  # the part-timer does not work on Easter Monday

    other = await bot.say(MARC, "export planning digital")
    assert other.texts == [
        "You oversee no ongoing projects with people on them in the domain “Digital transformation”, "
        "so there is nothing to export."
    ]


async def test_strangers_and_team_members_are_refused(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    refused = await bot.say(SAM, "export planning")  # on no project and no role: the router answers
    assert "people with a role in the organisation or a place on a project team" in refused.texts[0]
    member = await bot.say(NINA, "export planning van week 1 tot week 13")
    assert "coördinatoren, managers en beheerders" in member.texts[0]
    with db.session() as session:
        assert session.exec(select(StoredFile)).all() == []


async def test_bad_spans_and_domains_are_answered(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    bad = await bot.say(AN, "export planning week 60")
    assert bad.texts[0].startswith("Ik begrijp de periode “week 60” niet.")
    too_long = await bot.say(MARC, "export planning from week 1 to week 99")
    assert too_long.texts[0].startswith("I don't understand the period “from week 1 to week 99”.")
    unknown = await bot.say(AN, "export planning huisvesting")
    assert unknown.texts == [
        "Ik ken geen domein “huisvesting”. De domeinen zijn “Technologie en infrastructuur”, “Digitale transformatie”."
    ]
    typo = await bot.say(MARC, "export planning tecnology and infrastructure")
    assert typo.texts == ["I don't know a domain “tecnology and infrastructure”. Did you mean “Technology and "
                          "infrastructure”?"]  # fmt: skip
    with db.session() as session:
        assert session.exec(select(StoredFile)).all() == []


async def test_one_project_of_ones_own(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    result = await bot.say(AN, "export planning dt-002 van week 12 tot week 13")
    assert result.texts[0] == (
        "Hier is de planning van 1 persoon (DT-002), wk 12 2027 tot wk 13 2027 (2 weken), als XLSX."
    )
    rows = blocks(sent_file(db, result, "planning-2027w12-2027w13.xlsx").worksheets[0])
    assert {name for name, _ in rows} == {"An Peeters"}  # DT-002's team: its coordinator alone
    assert rows[("An Peeters", "DT-001")] == [6, 24]  # her other project is hers to name
    # A project the reader does not oversee reads like a code nobody uses.
    for code in ("DT-009", "DT-777"):
        assert (await bot.say(AN, f"export planning {code}")).texts == [
            f"Ik vind geen lopend project “{code}” bij de projecten die je opvolgt."
        ]
    assert (await bot.say(MARC, "export planning DT-009")).texts == [
        "I can't find an ongoing project “DT-009” among the projects you oversee."
    ]


async def test_export_with_a_project_still_exports_time(bot: BotDriver, db: Database) -> None:
    await staffed(bot, db)
    time = await bot.say(AN, "export DT-001 november")  # Bert's plan of this week: a time entry
    assert time.texts[0] == "Hier is 1 registratie (DT-001) van 1 nov 2026 tot 30 nov 2026 als XLSX en CSV."


# On the command line (SQLite file) -------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    location = tmp_path / "bot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{location}")
    monkeypatch.setenv("PROJECTBOT_DEFAULT_LOCALE", "nl-BE")
    db = Database.from_url(f"sqlite:///{location}")
    migrate.upgrade(db)
    seed_staff(db)
    db.dispose()
    return tmp_path


def test_the_cli_writes_a_domains_planning(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = database / "planning" / "tech.xlsx"
    args = ["export", "planning", "--domain", "tech", "--from-week", "12", "--to-week", "13", "--year", "2027"]
    assert main([*args, "--out", str(out)]) == 0
    assert "wrote the planning of 3 people, week 12 2027 to week 13 2027 (2 weeks)" in capsys.readouterr().out
    sheet = workbook(out.read_bytes()).worksheets[0]
    assert sheet["A1"].value == "Planning – Technologie en infrastructuur: wk 12 2027 tot wk 13 2027 (2 weken)"
    rows = blocks(sheet)
    assert rows[("An Peeters", "Beschikbaar")] == [38, 30.4]
    assert rows[("An Peeters", "DT-009")] == [None, 4]  # an operator sees every project by name
    assert rows[("Chris Dewulf", "Vrij")] == ["onbekend", "onbekend"]


def test_the_cli_in_english_for_everyone(database: Path) -> None:
    out = database / "all.xlsx"
    assert main(["export", "planning", "--from-week", "13", "--weeks", "1", "--year", "2027", "--lang", "en",
                 "--out", str(out)]) == 0  # fmt: skip
    rows = blocks(workbook(out.read_bytes()).worksheets[0])
    assert rows[("Bert Claes", "Available")] == [30.4] and rows[("Chris Dewulf", "Available")] == ["unknown"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--domain", "huisvesting"], "no domain 'huisvesting'"),
        (["--domain", "tecnologie en infrastructuur"], "did you mean 'Technologie en infrastructuur'"),
        (["--from-week", "60"], "--from-week 60: no such week"),
        (["--from-week", "1", "--to-week", "99"], "no such weeks"),
        (["--weeks", "0"], "--weeks 0: from 1 to 53"),
        (["--to-week", "5"], "--to-week and --year need --from-week"),
        (["--project", "DT-001"], "not --person, --project"),
        (["--format", "csv"], "writes XLSX only"),
    ],
)
def test_the_cli_refuses_bad_options(
    database: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    out = database / "x.xlsx"
    assert main(["export", "planning", *options, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_time_export_keeps_its_options(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--weeks", "4", "--out", str(database / "t.xlsx")]) == 2
    assert "are for 'export planning'" in capsys.readouterr().err
    assert main(["export", "--out", str(database / "t.csv")]) == 0


def test_the_span_options_default_to_a_quarter() -> None:
    assert planning_span(None, None, None, None, TODAY) == (date(2026, 11, 30), 13)
    assert planning_span(None, None, 4, None, TODAY) == (date(2026, 11, 30), 4)
    assert planning_span(3, None, None, None, TODAY) == (date(2027, 1, 18), 13)
    assert planning_span(50, 2, None, None, TODAY) == (date(2026, 12, 7), 6)
    with pytest.raises(ExportError):
        planning_span(1, 3, 4, None, TODAY)
