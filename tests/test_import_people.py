"""`projectbot import people FILE [--dry-run]` (issue 17, item 1): each person's hours per week and working days
by e-mail, from CSV (comma or semicolon, BOM) or XLSX; created / updated / unchanged / refused per line; a dry run
writes nothing; a re-import changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import col, select

from bot.cli import main
from bot.cli_people import OperatorError, run
from domain.capacity import Availability
from storage.audit import AuditLog
from storage.capacity import CapacityRepository, PersonAvailability
from storage.db import Database
from storage.directory import is_placeholder
from storage.models import Person
from storage.people import PersonRepository, PersonSeen

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
HEADER = "email,name,hours_per_week,working_days"
GOOD = [
    'an.peeters@example.test,An Peeters,38,"ma,di,wo,do,vr"',
    'Bob@Example.test,Bob Smith,"30,4",mon-thu',
    "els@example.test,,,",  # empty hours: 38; empty days: Monday to Friday
]
BAD = [
    "marc@example.test,Marc,61,ma",
    "nina@example.test,Nina,38,xx",
    ",Niemand,38,ma",
    "geen-mail,Geen Mail,38,ma",
]


def write_csv(tmp_path: Path, lines: list[str], *, name: str = "people.csv", separator: str = ",") -> Path:
    path = tmp_path / name
    header = HEADER.replace(",", separator)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8-sig")  # a BOM, as Excel writes it
    return path


def args(file: Path, *, dry_run: bool = False) -> argparse.Namespace:
    return argparse.Namespace(verb="import", import_verb="people", file=file, dry_run=dry_run)


def imported(db: Database, path: Path, *, dry_run: bool = False) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = run(args(path, dry_run=dry_run), db, now=NOW, out=out)
    return status, out.getvalue().splitlines()


def availability_of(db: Database, email: str) -> Availability | None:
    with db.session() as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
    assert person.id is not None
    return CapacityRepository(db).availability([person.id]).get(person.id)


def count(db: Database, table: type[Person] | type[PersonAvailability] | type[AuditLog]) -> int:
    with db.session() as session:
        return len(session.exec(select(table)).all())


def test_a_csv_creates_people_with_their_availability(db: Database, tmp_path: Path) -> None:
    # An is known already (she talked to the bot): found by her address, her name left as Teams gives it.
    seen = PersonRepository(db).record_seen(PersonSeen("t", "an-aad", "29:an", "An Peeters-Janssens", None, None), NOW)
    with db.session() as session:
        an = session.get_one(Person, seen.id)
        an.email = "an.peeters@example.test"
        session.add(an)
    status, lines = imported(db, write_csv(tmp_path, GOOD))
    assert status == 0
    assert lines == [
        "line 2 an.peeters@example.test updated: hours_per_week, working_days",
        "line 3 bob@example.test created",
        "line 4 els@example.test created",
        "3 created, 0 updated, 0 unchanged, 0 rejected".replace("3 created, 0 updated", "2 created, 1 updated"),
    ]
    assert availability_of(db, "an.peeters@example.test") == Availability.full_time()
    assert availability_of(db, "bob@example.test") == Availability(1824, frozenset(range(4)))
    assert availability_of(db, "els@example.test") == Availability.full_time()
    with db.session() as session:
        bob = session.exec(select(Person).where(Person.email == "bob@example.test")).one()
        assert is_placeholder(bob) and bob.name == "Bob Smith"  # linked once Teams reports the address
        assert session.get_one(Person, seen.id).name == "An Peeters-Janssens"
        audited = session.exec(select(AuditLog).where(col(AuditLog.action) == "person.availability")).all()
        assert len(audited) == 3 and {row.actor_id for row in audited} == {None}


def test_bad_rows_are_refused_with_their_line_and_reason_and_the_rest_imported(db: Database, tmp_path: Path) -> None:
    status, lines = imported(db, write_csv(tmp_path, [*BAD, GOOD[1], GOOD[1].replace("30,4", "20")]))
    assert status == 1
    assert lines[0] == "line 2 marc@example.test rejected: hours_per_week '61' is not a number of hours from 0 to 60"
    assert lines[1].startswith("line 3 nina@example.test rejected: working_days 'xx' are not days like ma,di,wo")
    assert lines[2] == "line 4 ? rejected: email is empty"
    assert lines[3] == "line 5 geen-mail rejected: email 'geen-mail' is not an email address"
    assert lines[4] == "line 6 bob@example.test created"
    assert lines[5] == "line 7 bob@example.test rejected: bob@example.test is on line 6 already"
    assert lines[6] == "1 created, 0 updated, 0 unchanged, 5 rejected"
    with db.session() as session:
        assert [p.email for p in session.exec(select(Person))] == ["bob@example.test"]
    assert count(db, PersonAvailability) == 1


def test_a_dry_run_says_the_same_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [*GOOD, BAD[0]])
    status, lines = imported(db, path, dry_run=True)
    assert status == 1
    assert lines[-1] == "3 created, 0 updated, 0 unchanged, 1 rejected (dry run: nothing was changed)"
    assert (count(db, Person), count(db, PersonAvailability), count(db, AuditLog)) == (0, 0, 0)
    _, real = imported(db, path)
    assert real[:-1] == lines[:-1]  # the dry run told what the import then did


def test_a_reimport_changes_nothing_and_a_changed_file_updates(db: Database, tmp_path: Path) -> None:
    imported(db, write_csv(tmp_path, GOOD))
    audits = count(db, AuditLog)
    status, lines = imported(db, write_csv(tmp_path, GOOD))
    assert status == 0 and lines[-1] == "0 created, 0 updated, 3 unchanged, 0 rejected"
    assert count(db, AuditLog) == audits
    changed = [GOOD[0], GOOD[1].replace("mon-thu", "mon-fri"), GOOD[2].replace(",,,", ",,32,")]
    _, lines = imported(db, write_csv(tmp_path, changed))
    assert lines[1:] == [
        "line 3 bob@example.test updated: working_days",
        "line 4 els@example.test updated: hours_per_week",
        "0 created, 2 updated, 1 unchanged, 0 rejected",
    ]
    assert availability_of(db, "bob@example.test") == Availability(1824, frozenset(range(5)))


def test_an_xlsx_with_number_cells(db: Database, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["an.peeters@example.test", "An Peeters", 38, "ma,di,wo,do,vr"])
    sheet.append(["bob@example.test", "Bob Smith", 30.4, "mon,tue,wed,thu"])
    sheet.append(["nina@example.test", "Nina", 75, "ma"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    status, lines = imported(db, path)
    assert status == 1
    assert lines[-1] == "2 created, 0 updated, 0 unchanged, 1 rejected"
    assert "line 4 nina@example.test rejected: hours_per_week '75'" in lines[2]
    assert availability_of(db, "bob@example.test") == Availability(1824, frozenset(range(4)))
    _, again = imported(db, path)
    assert again[-1] == "0 created, 0 updated, 2 unchanged, 1 rejected"


def test_semicolons_and_unquoted_days_in_a_comma_file(db: Database, tmp_path: Path) -> None:
    semi = write_csv(tmp_path, ["an@example.test;An;30,4;ma,di,wo,do"], name="semi.csv", separator=";")
    assert imported(db, semi)[1][0] == "line 2 an@example.test created"
    assert availability_of(db, "an@example.test") == Availability(1824, frozenset(range(4)))
    # Unquoted days in a comma-separated file would spill into cells of their own: refused, not read as Monday.
    spilled = write_csv(tmp_path, ["bob@example.test,Bob,38,ma,di,wo"], name="spilled.csv")
    status, lines = imported(db, spilled)
    assert status == 1 and "more cells than columns" in lines[0]


def test_a_file_without_an_email_column_or_of_another_kind_is_refused(tmp_path: Path, db: Database) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,hours_per_week\nAn,38\n", encoding="utf-8")
    with pytest.raises(OperatorError, match="missing column"):
        run(args(wrong), db, now=NOW + timedelta(0), out=io.StringIO())
    with pytest.raises(OperatorError, match=r"use a \.csv or \.xlsx"):
        run(args(tmp_path / "people.ods"), db, now=NOW, out=io.StringIO())


def test_the_command_line_has_it_with_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "people", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--dry-run" in shown and "empty hours cell is 38" in shown and "Monday to Friday" in shown
