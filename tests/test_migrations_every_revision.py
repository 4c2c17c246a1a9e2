"""Upgrading loses nothing: a database filled at every past revision (0001 → head) keeps every row and value.

At each revision, every table that exists then gets a few rows whose values follow the column (a name looks like a
name, an address like an address, a foreign key points at a row of its table), so rows made by every release meet
every later migration. After each step and at the head, every row written so far must still be there with every value
it was written with (columns a migration adds are new; no migration may change or drop what was there). The filler
reads the schema as it is at each revision, so a new migration is covered without touching this test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage import migrate
from storage.db import Database
from tests.harness.database import database_at

ROWS_PER_TABLE = 2
FIRST_NAMES = ("An", "Bram", "Charlotte", "Dries", "Elke", "Femke", "Geert", "Hanne", "Jens", "Lotte")
LAST_NAMES = ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters")
GOVERNMENTS = ("Gemeente Zonnebeke", "Stad Lier", "Politiezone Kempen", "OCMW Herent", "Gemeente Kortemark")
WORDS = ("aanbesteding", "netwerk", "loket", "migratie", "workshop", "opleiding", "analyse", "cloud", "subsidie")


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with database_at(request.param, tmp_path, None) as database:
        yield database


@dataclass(frozen=True)
class WrittenRow:
    table: str
    revision: str
    key: dict[str, Any]
    values: dict[str, Any]


class Filler:
    """Rows that fit the schema as reflected, each value unique enough for any unique constraint."""

    def __init__(self, dialect: str) -> None:
        self._numbers = itertools.count(1)
        self._naive_times = dialect == "sqlite"

    def fill(self, connection: sa.Connection, revision: str) -> list[WrittenRow]:
        self._parents: dict[str, list[Any]] = {}
        meta = sa.MetaData()
        meta.reflect(connection)
        written: list[WrittenRow] = []
        for table in meta.sorted_tables:  # parents before the tables that point at them
            if table.name == migrate.VERSION_TABLE:
                continue
            for _ in range(ROWS_PER_TABLE):
                written.append(self._insert(connection, table, revision))
        return written

    def _insert(self, connection: sa.Connection, table: sa.Table, revision: str) -> WrittenRow:
        for _attempt in range(25):  # a combination some unique constraint already holds: try the next numbers
            n = next(self._numbers)
            values = {column.name: self._value(connection, column, n) for column in self._columns_to_fill(table)}
            try:
                with connection.begin_nested():
                    result = connection.execute(sa.insert(table).values(values))
            except IntegrityError:
                continue
            key = {column.name: values.get(column.name) for column in table.primary_key.columns}
            for column, generated in zip(table.primary_key.columns, result.inserted_primary_key or (), strict=False):
                key[column.name] = generated
            return WrittenRow(table.name, revision, key, values)
        raise AssertionError(f"could not write a row into {table.name} at {revision}")

    @staticmethod
    def _columns_to_fill(table: sa.Table) -> list[sa.Column[Any]]:
        """All but a lone integer primary key of the row's own (the database numbers those)."""
        keys = list(table.primary_key.columns)
        own_number = len(keys) == 1 and _integer(keys[0]) and not keys[0].foreign_keys
        generated = {keys[0].name} if own_number else set()
        return [column for column in table.columns if column.name not in generated]

    def _a_parent(self, connection: sa.Connection, column: sa.Column[Any], n: int) -> Any:
        [foreign] = column.foreign_keys
        parent = foreign.column
        name = f"{parent.table.name}.{parent.name}"
        if name not in self._parents:  # the parent table is complete: sorted_tables filled it before this one
            self._parents[name] = list(connection.execute(sa.select(parent).order_by(parent)).scalars())
        keys = self._parents[name]
        if not keys:
            assert column.nullable, f"{column} points at an empty table"
            return None
        return keys[n % len(keys)]

    def _value(self, connection: sa.Connection, column: sa.Column[Any], n: int) -> Any:
        if column.foreign_keys:
            return self._a_parent(connection, column, n)
        kind = column.type
        if isinstance(kind, sa.Boolean):
            return n % 2 == 0
        if isinstance(kind, sa.Integer):
            return n
        if isinstance(kind, sa.Float | sa.Numeric):
            return n + 0.5
        if isinstance(kind, sa.DateTime):
            moment = datetime(2026, 1, 5, 8, 30, tzinfo=UTC) + timedelta(hours=n)
            return moment.replace(tzinfo=None) if self._naive_times else moment
        if isinstance(kind, sa.Time):
            return time(7 + n % 12, (n * 5) % 60)
        if isinstance(kind, sa.Date):
            return date(2026, 1, 5) + timedelta(days=n)
        if isinstance(kind, sa.LargeBinary):
            return f"%PDF-1.7 {WORDS[n % len(WORDS)]} {n}".encode()
        if isinstance(kind, sa.JSON):
            return {"n": n, "note": f"{WORDS[n % len(WORDS)]} {n}"}
        return _text_for(column, n)


def _integer(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.Integer)


def _text_for(column: sa.Column[Any], n: int) -> str:
    """Text that looks like what the column holds, with n in it so unique columns stay unique."""
    name = column.name
    first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
    if "email" in name:
        text = f"{first}.{last}.{n}@example.org".lower()
    elif name in ("name", "display_name", "receiver_name") or name.endswith("_name"):
        text = f"{first} {last} {n}"
    elif "government" in name or name == "name_nl":
        text = f"{GOVERNMENTS[n % len(GOVERNMENTS)]} {n}"
    elif name == "code":
        text = f"DT-{n:03d}"
    elif "timezone" in name:
        text = "Europe/Brussels"
    elif "locale" in name:
        text = "nl-BE"
    elif "language" in name:
        text = "nl" if n % 2 else "en"
    elif "url" in name:
        text = f"https://example.org/{n}"
    else:
        text = f"{WORDS[n % len(WORDS)]} {n}"
    length = getattr(column.type, "length", None)
    return text[-length:] if length and len(text) > length else text


def _normal(value: Any) -> Any:
    """Compare what was written with what is read, whatever the driver gives back for times and numbers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, float):
        return round(value, 6)
    return value


def _missing_or_changed(connection: sa.Connection, rows: list[WrittenRow]) -> list[str]:
    meta = sa.MetaData()
    meta.reflect(connection)
    problems: list[str] = []
    stored_by_table: dict[str, dict[tuple[Any, ...], Any]] = {}
    for row in rows:
        table = meta.tables.get(row.table)
        if table is None:
            problems.append(f"table {row.table} (rows from {row.revision}) is gone")
            continue
        if row.table not in stored_by_table:  # one query per table, not per row
            keys = list(row.key)
            stored_by_table[row.table] = {
                tuple(found._mapping[name] for name in keys): found._mapping
                for found in connection.execute(sa.select(table))
            }
        stored = stored_by_table[row.table].get(tuple(row.key.values()))
        if stored is None:
            problems.append(f"{row.table} {row.key} written at {row.revision} is gone")
            continue
        for name, value in row.values.items():
            if name not in table.c:
                problems.append(f"{row.table}.{name} (written at {row.revision}) was dropped")
            elif _normal(stored[name]) != _normal(value):
                problems.append(
                    f"{row.table} {row.key}.{name}: wrote {value!r} at {row.revision}, now {stored[name]!r}"
                )
    return problems


def test_rows_written_at_every_revision_survive_every_later_upgrade(empty_db: Database) -> None:
    db = empty_db
    filler = Filler(db.engine.dialect.name)
    written: list[WrittenRow] = []
    revisions = migrate.revisions_in_order()
    assert revisions[0] == "0001" and revisions[-1] == migrate.head_revision()
    for revision in revisions:
        migrate.upgrade(db, revision)
        with db.engine.connect() as connection:
            assert _missing_or_changed(connection, written) == [], f"after upgrading to {revision}"
        with db.engine.begin() as connection:
            written += filler.fill(connection, revision)
    with db.engine.connect() as connection:
        assert _missing_or_changed(connection, written) == []
    # Every table got rows at every revision it existed in: the test really walked the history.
    tables_at_head = {row.table for row in written if row.revision == revisions[-1]}
    assert {row.table for row in written if row.revision == "0001"} <= tables_at_head
    assert len({row.revision for row in written}) == len(revisions)
    assert migrate.current_revision(db) == migrate.head_revision()


def test_check_lists_pending_migrations_and_knows_a_newer_release(empty_db: Database) -> None:
    revisions = migrate.revisions_in_order()
    assert migrate.pending_revisions(None) == revisions
    migrate.upgrade(empty_db, revisions[-2])
    assert migrate.pending_revisions(migrate.current_revision(empty_db)) == revisions[-1:]
    migrate.upgrade(empty_db)
    assert migrate.pending_revisions(migrate.current_revision(empty_db)) == ()
    with pytest.raises(migrate.UnknownRevision):
        migrate.pending_revisions("9999")
