"""Portfolio import from CSV and XLSX: created, updated, unchanged, rejected; re-import and dry run change nothing."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from bot.cli_people import run
from dialogs.projects.project_import import import_projects, read_rows
from storage.audit import AuditLog
from storage.db import Database
from storage.models import Person
from storage.projects import Government, Project, ProjectRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HEADER = "code,name,domain,coordinator_email,manager_email,budget_hours,start,end,governments"
GOOD = [
    'dt-042,Digitaal loket,Digitale transformatie,an.peeters@example.test,marc@example.test,"1.250,5",'
    "2026-01-05,18/12/2026,Gemeente Zottegem; Politiezone Vlaamse Ardennen",
    "TI-007,Netwerk stadhuis,Technology & infrastructure,Bob@Example.test,,300,,,",
]
BAD = [
    "D042,Zonder streepje,Digitale transformatie,,,,,,",
    "DT-043,,Onbekend domein,geen-mail,,veel,2026-02-30,,",
    "DT-044,Einde voor start,Digitale transformatie,,,10,2026-05-01,2026-04-01,",
]


def write_csv(tmp_path: Path, lines: list[str], name: str = "projects.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def write_xlsx(tmp_path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(
        ["DT-042", "Digitaal loket", "Digital transformation", "an.peeters@example.test", None, 1250.5,
         datetime(2026, 1, 5), datetime(2026, 12, 18), "Gemeente Zottegem"]
    )  # fmt: skip
    sheet.append(["bad", "", "", "", "", "", "", "", ""])
    path = tmp_path / "projects.xlsx"
    workbook.save(path)
    return path


def args(file: Path, *, dry_run: bool = False, create_missing: bool = False) -> argparse.Namespace:
    return argparse.Namespace(
        verb="import", import_verb="projects", file=file, dry_run=dry_run, create_missing=create_missing, progress=False
    )


def test_valid_csv_creates_projects_with_people_and_governments(db: Database, tmp_path: Path) -> None:
    report = import_projects(db, read_rows(write_csv(tmp_path, GOOD)), now=NOW, create_missing=True)
    assert [(r.code, r.outcome) for r in report.rows] == [("DT-042", "created"), ("TI-007", "created")]
    added = "added local government 'Gemeente Zottegem', local government 'Politiezone Vlaamse Ardennen'"
    assert report.rows[0].detail == added
    project = ProjectRepository(db).by_code("dt-042")
    assert project is not None
    assert project.budget_hours == Decimal("1250.50")
    assert (project.planned_start, project.planned_end) == (date(2026, 1, 5), date(2026, 12, 18))
    assert project.governments == ("Gemeente Zottegem", "Politiezone Vlaamse Ardennen")
    assert project.coordinator_email == "an.peeters@example.test"
    with db.session() as session:
        bob = session.exec(select(Person).where(Person.email == "bob@example.test")).one()
        assert bob.aad_object_id.startswith("pending:")  # linked when Bob first talks to the bot
        kinds = {g.name: g.kind for g in session.exec(select(Government))}
    assert kinds == {"Gemeente Zottegem": "municipality", "Politiezone Vlaamse Ardennen": "police_zone"}


def test_bad_rows_are_rejected_with_reasons_and_good_rows_still_imported(db: Database, tmp_path: Path) -> None:
    report = import_projects(db, read_rows(write_csv(tmp_path, [*BAD, GOOD[1]])), now=NOW)
    outcomes = {r.line: (r.outcome, r.detail) for r in report.rows}
    assert outcomes[2][0] == "rejected" and "not like DT-042" in outcomes[2][1]
    detail = outcomes[3][1]
    for reason in ("name is empty", "unknown domain", "not an email address", "not a number", "not a date"):
        assert reason in detail
    assert outcomes[4] == ("rejected", "end is before start")
    assert outcomes[5][0] == "created"
    with db.session() as session:
        assert [p.code for p in session.exec(select(Project))] == ["TI-007"]


def test_reimport_changes_nothing_and_a_changed_file_updates(db: Database, tmp_path: Path) -> None:
    rows = read_rows(write_csv(tmp_path, GOOD))
    import_projects(db, rows, now=NOW, create_missing=True)
    with db.session() as session:
        counts = (len(session.exec(select(Person)).all()), len(session.exec(select(AuditLog)).all()))
    again = import_projects(db, rows, now=NOW)
    assert [r.outcome for r in again.rows] == ["unchanged", "unchanged"]
    with db.session() as session:
        assert (len(session.exec(select(Person)).all()), len(session.exec(select(AuditLog)).all())) == counts
    changed = [GOOD[0].replace("Digitaal loket", "Digitaal loket 2.0"), GOOD[1]]
    report = import_projects(db, read_rows(write_csv(tmp_path, changed, "v2.csv")), now=NOW)
    assert [(r.outcome, r.detail) for r in report.rows] == [("updated", "name"), ("unchanged", "")]


def test_dry_run_reports_the_same_and_changes_nothing(db: Database, tmp_path: Path) -> None:
    out = io.StringIO()
    code = run(args(write_csv(tmp_path, [*GOOD, BAD[0]]), dry_run=True, create_missing=True), db, now=NOW, out=out)
    assert code == 1  # a rejected row
    text = out.getvalue()
    assert "line 2 DT-042 created: added local government 'Gemeente Zottegem'" in text
    assert "line 4 D042 rejected" in text
    assert "2 created, 0 updated, 0 unchanged, 1 rejected (dry run: nothing was changed)" in text
    with db.session() as session:
        assert session.exec(select(Project)).all() == []
        assert session.exec(select(Person)).all() == []
        assert session.exec(select(Government)).all() == []


def test_xlsx_import_with_date_and_number_cells(db: Database, tmp_path: Path) -> None:
    out = io.StringIO()
    run(args(write_xlsx(tmp_path), create_missing=True), db, now=NOW, out=out)
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out.getvalue()
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None and project.budget_hours == Decimal("1250.50")
    assert project.planned_end == date(2026, 12, 18)
    second = io.StringIO()
    run(args(write_xlsx(tmp_path)), db, now=NOW, out=second)
    assert "0 created, 0 updated, 1 unchanged, 1 rejected" in second.getvalue()


def test_semicolon_csv_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("code;name;domain\nDT-001;Loket;Digitale transformatie\n", encoding="utf-8")
    assert read_rows(path) == [{"code": "DT-001", "name": "Loket", "domain": "Digitale transformatie"}]
    broken = tmp_path / "broken.csv"
    broken.write_text("code,title\nDT-001,x\n", encoding="utf-8")
    from dialogs.projects.project_import import ImportFileError

    with pytest.raises(ImportFileError, match="missing column"):
        read_rows(broken)


# Names as the organisation writes them ---------------------------------------------------------------------------


def test_the_organisations_spelling_of_a_domain_imports(db: Database, tmp_path: Path) -> None:
    lines = [
        "TI-001,Netwerk,Technologie en infrastructuur,,,,,,",  # as the organisation writes it
        "TI-002,Servers,technology AND infrastructure,,,,,,",
        "TI-003,Firewalls,  Technologie & Infrastructuur ,,,,,,",  # as it was seeded
        "TI-004,Wifi,Tech,,,,,,",  # a start that names one domain
    ]
    report = import_projects(db, read_rows(write_csv(tmp_path, lines)), now=NOW)
    assert [r.outcome for r in report.rows] == ["created"] * 4
    assert report.rows[3].detail == "domain 'Tech' read as 'Technologie en infrastructuur'"
    domains = {p.domain_nl for p in map(ProjectRepository(db).by_code, ("TI-001", "TI-002", "TI-003", "TI-004")) if p}
    assert domains == {"Technologie en infrastructuur"}


def test_an_unknown_name_is_refused_with_the_close_one(db: Database, tmp_path: Path) -> None:
    import_projects(db, read_rows(write_csv(tmp_path, [GOOD[0]])), now=NOW, create_missing=True)
    lines = [
        "TI-010,Netwerk,Technologie en infrastructur,,,,,,Gemeente Zotegem",
        "TI-011,Kabels,Cultuur,,,,,,Stad Brugge",
        "TI-012,Camera's,Digitale transformatie,,,,,,Politiezone",
    ]
    out = io.StringIO()
    assert run(args(write_csv(tmp_path, lines, "typos.csv")), db, now=NOW, out=out) == 1
    text = out.getvalue()
    assert (
        "line 2 TI-010 rejected: unknown domain 'Technologie en infrastructur' — did you mean "
        "'Technologie en infrastructuur'?; unknown local government 'Gemeente Zotegem' — did you mean "
        "'Gemeente Zottegem'?"
    ) in text
    assert (
        "line 3 TI-011 rejected: unknown domain 'Cultuur' (--create-missing adds it); "
        "unknown local government 'Stad Brugge' (--create-missing adds it)"
    ) in text
    # One police zone on the list: "Politiezone" is the start of one name only.
    assert "line 4 TI-012 created" in text and "read as 'Politiezone Vlaamse Ardennen'" in text
    with db.session() as session:
        assert len(session.exec(select(Government)).all()) == 2  # nothing added


def test_create_missing_adds_each_missing_name_once_and_says_so(db: Database, tmp_path: Path) -> None:
    lines = [
        "CU-001,Bibliotheek,Cultuur,,,,,,Gemeente Zwalm; Stad Brugge",
        "CU-002,Museum,cultuur,,,,,,gemeente zwalm",  # the same names, another spelling: added once
    ]
    out = io.StringIO()
    assert run(args(write_csv(tmp_path, lines), create_missing=True), db, now=NOW, out=out) == 0
    text = out.getvalue()
    assert (
        "line 2 CU-001 created: added domain 'Cultuur', local government 'Gemeente Zwalm', "
        "local government 'Stad Brugge'"
    ) in text
    assert "line 3 CU-002 created\n" in text
    domains = ProjectRepository(db).domains()
    [culture] = [d for d in domains if d.key == "cultuur"]
    assert (culture.name_nl, culture.name_en) == ("Cultuur", "Cultuur")
    project = ProjectRepository(db).by_code("CU-002")
    assert project is not None and project.domain_nl == "Cultuur" and project.governments == ("Gemeente Zwalm",)
    with db.session() as session:
        kinds = {g.name: g.kind for g in session.exec(select(Government))}
        audited = {(a.action, a.entity) for a in session.exec(select(AuditLog))}
    assert kinds == {"Gemeente Zwalm": "municipality", "Stad Brugge": "municipality"}
    assert {("domain.add", "domain"), ("government.add", "government")} <= audited


def test_a_dry_run_with_create_missing_reports_the_same_and_adds_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["CU-001,Bibliotheek,Cultuur,,,,,,Gemeente Zwalm"])
    out = io.StringIO()
    assert run(args(path, dry_run=True, create_missing=True), db, now=NOW, out=out) == 0
    assert "line 2 CU-001 created: added domain 'Cultuur', local government 'Gemeente Zwalm'" in out.getvalue()
    assert "(dry run: nothing was changed)" in out.getvalue()
    assert {d.key for d in ProjectRepository(db).domains()} == {"tech_infra", "digital_transformation"}
    with db.session() as session:
        assert session.exec(select(Government)).all() == []
        assert session.exec(select(Project)).all() == []
        assert session.exec(select(AuditLog)).all() == []


def test_a_start_that_names_several_is_refused_with_them(db: Database, tmp_path: Path) -> None:
    setup = ["DT-001,Loket,Digitale transformatie,,,,,,Gemeente Zottegem; Gemeente Zwalm"]
    import_projects(db, read_rows(write_csv(tmp_path, setup)), now=NOW, create_missing=True)
    report = import_projects(
        db, read_rows(write_csv(tmp_path, ["DT-002,Archief,Digi,,,,,,gemeente z"], "b.csv")), now=NOW
    )
    [row] = report.rows
    assert (row.outcome, row.detail) == (
        "rejected",
        "local government 'gemeente z' could be 'Gemeente Zottegem' or 'Gemeente Zwalm': write it in full",
    )


def test_create_missing_adds_a_near_twin_but_asks_if_it_is_a_typo(db: Database, tmp_path: Path) -> None:
    # Zele and Zelem are both municipalities: a close name may be new. A near twin is added, and pointed out.
    report = import_projects(
        db, read_rows(write_csv(tmp_path, ["DT-001,Loket,Digitale transformatei,,,,,,"])), now=NOW, create_missing=True
    )
    [row] = report.rows
    assert (row.outcome, row.detail) == (
        "created",
        "added domain 'Digitale transformatei'; new domain 'Digitale transformatei' looks like "
        "'Digitale transformatie': a typo?",
    )
    # Two new names of one file that are nearly the same are pointed out too; one in two spellings is added once.
    lines = [
        "DT-002,Loket,Digital transformation,,,,,,Gemeente Zottegem",
        "DT-003,Archief,Digital transformation,,,,,,Gemeente Zotegem",
        "DT-004,Balie,Digital transformation,,,,,,gemeente ZOTTEGEM",
    ]
    second = import_projects(db, read_rows(write_csv(tmp_path, lines, "b.csv")), now=NOW, create_missing=True)
    assert [r.detail for r in second.rows] == [
        "added local government 'Gemeente Zottegem'",
        "added local government 'Gemeente Zotegem'; new local government 'Gemeente Zotegem' looks like "
        "'Gemeente Zottegem': a typo?",
        "",
    ]
