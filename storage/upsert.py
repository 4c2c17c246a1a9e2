"""INSERT ... ON CONFLICT DO UPDATE for SQLite and PostgreSQL, so concurrent writers never race on a unique key.

Statements are built once per shape and run with parameters: building one (the `excluded` alias above all) cost
more than running it, on the path every turn takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Table, case
from sqlalchemy.engine import Row
from sqlmodel import Session, SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class (SQLModel does not type `__table__`)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def insert_into(session: Session, table: Table | type[SQLModel]) -> Any:
    """An INSERT in the session's dialect: both PostgreSQL's and SQLite's have ON CONFLICT DO NOTHING / UPDATE."""
    return _dialect_insert(session.get_bind().dialect.name)(table)


def _dialect_insert(dialect: str) -> Any:
    # Only the dialect in use is loaded: SQLAlchemy's PostgreSQL package imports every driver's dialect (~50 ms of
    # a start on SQLite), and SQLite's is not needed on PostgreSQL.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


@cache
def _statement(
    dialect: str,
    table_name: str,
    key: tuple[str, ...],
    update: tuple[str, ...],
    keep_while: tuple[tuple[str, str], ...],
    returning: bool,
) -> Any:
    table = SQLModel.metadata.tables[table_name]
    insert = _dialect_insert(dialect)(table)
    new_values: dict[str, Any] = {column: insert.excluded[column] for column in update}
    for column, flag in keep_while:
        new_values[column] = case((table.c[flag], table.c[column]), else_=insert.excluded[column])
    statement = insert.on_conflict_do_update(index_elements=list(key), set_=new_values)
    return statement.returning(*table.c) if returning else statement


def upsert(
    session: Session,
    table: Table,
    values: Mapping[str, Any],
    *,
    key: Iterable[str],
    update: Iterable[str],
    keep_while: Iterable[tuple[str, str]] = (),
    returning: bool = False,
) -> Row[Any] | None:
    """Insert `values`, or update the `update` columns of the row with the same `key`.

    keep_while: (column, flag) pairs: the stored value of `column` is kept while the stored boolean `flag` is true.
    returning: give back the row as stored after the statement.
    """
    statement = _statement(
        session.get_bind().dialect.name,
        table.name,
        tuple(key),
        tuple(update),
        tuple(keep_while),
        returning,
    )
    result = session.execute(statement, dict(values))
    return result.one() if returning else None
