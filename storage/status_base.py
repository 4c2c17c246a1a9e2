"""What the status modules (storage.status, storage.milestones_risks, storage.decisions) share: the longest text a
status record keeps, a form submitted twice, a person's name as the cards show it, and the check that a form was
stored already."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.db import Database
from storage.models import Person

TEXT_MAX = 4000


class Duplicate(Exception):
    """The same form was submitted before: nothing new was stored."""


def person_name(person: Person | None) -> str | None:
    return (person.name or person.email or None) if person is not None else None


class StatusRecords:
    """The base of the status repositories: the database, and whether a card form was stored already."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _form_used(self, table: Any, form_id: str) -> bool:
        with self._db.session() as session:
            return session.exec(select(table.id).where(table.form_id == form_id)).first() is not None
