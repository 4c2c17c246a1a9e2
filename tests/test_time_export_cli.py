"""`projectbot export`: filters by person, project and period, both formats, and clear errors (SQLite file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.cli_export import ExportError, period
from storage import migrate
from storage.db import Database
from storage.linking import LinkRepository
from storage.people import PersonRepository
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository
from tests.test_projects_privacy import NOW, seed, seen


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    location = tmp_path / "bot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{location}")
    monkeypatch.setenv("PROJECTBOT_DEFAULT_LOCALE", "nl-BE")
    db = Database.from_url(f"sqlite:///{location}")
    migrate.upgrade(db)
    seed(db)
    an = PersonRepository(db).record_seen(seen("an"), NOW)
    bob = PersonRepository(db).record_seen(seen("bob"), NOW)
    assert an.id and bob.id
    LinkRepository(db).link_email(an.id, "An.Peeters@example.test", now=NOW)
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None
    for who, day, minutes in (
        (an.id, date(2026, 10, 30), 60),
        (an.id, date(2026, 11, 3), 150),
        (bob.id, date(2026, 11, 4), 90),
    ):
        TimeEntryRepository(db).add(
            person_id=who,
            project_id=project.id,
            day=day,
            minutes=minutes,
            kind="performed",
            category="analysis",
            note="n",
            request_key=None,
            now=NOW,
        )
    db.dispose()
    return tmp_path


def test_export_one_person_one_month_as_csv(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = database / "an.csv"
    code = main(["export", "--person", "an.peeters@EXAMPLE.test", "--month", "2026-11", "--out", str(out)])
    assert code == 0
    assert "wrote 1 entries" in capsys.readouterr().out
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Datum;Persoon;Project") and lines[1].startswith("03/11/2026;An;DT-042;")
    assert ";2,50;" in lines[1]


def test_export_a_project_as_xlsx_in_english(database: Path) -> None:
    out = database / "reports" / "dt-042.xlsx"
    args = ["export", "--project", "dt-042", "--from", "1/11/2026", "--to", "2026-11-30", "--lang", "en"]
    assert main([*args, "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Date", "Person", "Project"]
    assert [row[1] for row in values[1:]] == ["An", "Bob"] and values[1][6] == 2.5


def test_everything_without_filters(database: Path) -> None:
    out = database / "all"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 4


def test_export_a_domain_named_as_people_write_it(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for typed, count in (("DIGITAL  transformation", 3), ("digi", 3), ("Technologie & infrastructuur", 0)):
        out = database / "domain.csv"
        assert main(["export", "--domain", typed, "--format", "csv", "--out", str(out)]) == 0
        assert f"wrote {count} entries" in capsys.readouterr().out
        assert len(out.read_bytes().decode("utf-8-sig").splitlines()) == 1 + count


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "nobody@example.test"], "nobody with email address nobody@example.test"),
        (["--project", "XX-1"], "no project with code XX-1"),
        (["--month", "2026-13"], "use YYYY-MM"),
        (["--month", "2026-11", "--from", "1/11/2026"], "either --month or --from/--to"),
        (["--from", "morgen"], "is not a date"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "--to is before --from"),
        (["--domain", "Digitale transformatei"], "no domain 'Digitale transformatei' — did you mean 'Digitale "),
        (["--domain", "Cultuur"], "no domain 'Cultuur'; the domains are 'Technologie en infrastructuur', 'Digi"),
    ],
)
def test_bad_options_are_explained(
    database: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = database / "x.xlsx"
    assert main(["export", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_period_rules() -> None:
    assert period("2024-02", None, None) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period(None, "2026-11-01", None) == (date(2026, 11, 1), None)
    assert period(None, None, None) == (None, None)
    with pytest.raises(ExportError):
        period("24-02", None, None)
