"""INSERT ... ON CONFLICT DO UPDATE for SQLite and PostgreSQL, so concurrent writers never race on a unique key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class (SQLModel does not type `__table__`)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def upsert(
    session: Session,
    table: Table,
    values: Mapping[str, Any],
    *,
    key: Iterable[str],
    update: Iterable[str],
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: statement.excluded[column] for column in update},
    )
    session.execute(statement)
