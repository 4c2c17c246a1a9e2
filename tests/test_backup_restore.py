"""`projectbot db backup / restore / check`: a backup taken while people use the bot restores to everything it saw;
a restore checks the file first, keeps what it replaces, refuses while a bot runs, and upgrades an older backup."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.delivery.options import DISPATCH_LEASE
from storage import migrate
from storage.backup import backup_sqlite, restore_sqlite
from storage.db import Database
from storage.leases import LeaseRepository
from tests.harness import FakeClock, FakeConnector
from tests.harness.botdriver import BotDriver
from tests.harness.database import sqlite_database
from tests.test_project_turns import AN
from tests.test_time_turns import entries, setup_project


def _notes(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT note FROM time_entry")}


def _path_of(db: Database) -> Path:
    return Path(str(db.engine.url.database))


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The CLI on a database of its own in tmp (no stray .env, no other DATABASE_URL)."""
    monkeypatch.chdir(tmp_path)
    live = tmp_path / "live" / "projectbot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{live}")
    return live


async def test_a_backup_taken_while_people_log_time_restores_everything_it_saw(
    tmp_path: Path, clock: FakeClock, connector: FakeConnector
) -> None:
    with sqlite_database(tmp_path) as db:
        async with BotDriver.start(db=db, clock=clock, connector=connector) as bot:
            await setup_project(bot, db)
            for i in range(8):
                await bot.say(AN, f"registreer 1u DT-042 voor de backup {i}")
            before = {entry.note for entry in entries(db)}
            backup = asyncio.create_task(asyncio.to_thread(backup_sqlite, _path_of(db), tmp_path / "backup.db"))
            replies = await asyncio.gather(
                *(bot.say(AN, f"registreer 30m DT-042 tijdens de backup {i}") for i in range(8))
            )
            facts = await backup
            assert all(reply.cards for reply in replies)  # every turn was answered while the backup ran
        after = {entry.note for entry in entries(db)}
    assert facts.revision == migrate.head_revision()
    in_backup = _notes(tmp_path / "backup.db")
    assert before <= in_backup <= after  # all it saw, and nothing that never was
    assert len(after) == 16

    restored = tmp_path / "restored" / "projectbot.db"
    assert restore_sqlite(tmp_path / "backup.db", restored, now=clock.now()) is None  # nothing was there to keep
    assert _notes(restored) == in_backup
    with sqlite3.connect(restored) as connection:
        assert connection.execute("SELECT code FROM project").fetchall() == [("DT-042",)]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_refuses_to_overwrite_and_postgres_is_pointed_at_pg_dump(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "backup", "b.db"]) == 0
    assert "backed up" in capsys.readouterr().out
    assert main(["db", "backup", "b.db"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["db", "backup", "b.db", "--force"]) == 0
    assert not list(Path().glob("b.db-*")) and not list(Path().glob(".b.db*"))  # one self-contained file
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1:1/none")
    assert main(["db", "backup", "pg.db"]) == 2
    assert "pg_dump" in capsys.readouterr().err


def test_restore_checks_the_file_first_and_leaves_the_database_alone_when_it_is_bad(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    original = cli_env.read_bytes()
    Path("junk.db").write_text("not a database")
    assert main(["db", "restore", "junk.db"]) == 2
    assert "not a readable SQLite database" in capsys.readouterr().err
    with sqlite3.connect("other.db") as connection:
        connection.execute("CREATE TABLE notes (x)")
    assert main(["db", "restore", "other.db"]) == 2
    assert "not a projectbot database" in capsys.readouterr().err
    assert main(["db", "backup", "newer.db"]) == 0
    with sqlite3.connect("newer.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    assert main(["db", "restore", "newer.db"]) == 2
    assert "newer release" in capsys.readouterr().err
    assert main(["db", "restore", "missing.db"]) == 2
    assert cli_env.read_bytes() == original
    assert not list(cli_env.parent.glob("*.before-restore-*"))  # nothing was replaced, so nothing was kept


def test_restore_refuses_while_a_bot_runs_keeps_what_it_replaces_and_upgrades_an_old_backup(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, clock: FakeClock
) -> None:
    old = Database.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(old, "0010")
    old.dispose()
    assert main(["db", "upgrade"]) == 0
    live = Database.from_url(f"sqlite:///{cli_env}")
    try:
        from dialogs.kernel.clock import SystemClock

        now = SystemClock().now()
        LeaseRepository(live).acquire(DISPATCH_LEASE, "bot-on-host-a", now, timedelta(seconds=30))
        assert main(["db", "restore", str(tmp_path / "old.db")]) == 2
        assert "bot-on-host-a" in capsys.readouterr().err
        assert migrate.current_revision(live) == migrate.head_revision()
    finally:
        live.dispose()
    assert main(["db", "restore", str(tmp_path / "old.db"), "--force"]) == 0
    out = capsys.readouterr().out
    assert "upgraded from revision 0010" in out and "kept as" in out
    [kept] = cli_env.parent.glob("projectbot.db.before-restore-*")
    check = Database.from_url(f"sqlite:///{kept}")
    try:
        assert migrate.current_revision(check) == migrate.head_revision()  # the replaced database, intact
    finally:
        check.dispose()


def test_check_reports_pending_migrations_without_applying_them(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "check"]) == 1
    assert "would apply" in capsys.readouterr().out
    db = Database.from_url(f"sqlite:///{cli_env}")
    try:
        assert migrate.current_revision(db) is None  # check applied nothing
        revisions = migrate.revisions_in_order()
        migrate.upgrade(db, revisions[-2])
        assert main(["db", "check"]) == 1
        assert f"would apply 1: {revisions[-1]}" in capsys.readouterr().out
        migrate.upgrade(db)
        assert main(["db", "check"]) == 0
        with db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        assert main(["db", "check"]) == 3
        assert "newer release" in capsys.readouterr().out
    finally:
        db.dispose()
