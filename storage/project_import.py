"""The portfolio import's unit of work: the rows a file gave, already read and found sound (dialogs/projects/
project_import.py reads the file and checks each row), created or updated in one transaction with the people and
local governments they name; a dry run does the same work and rolls it back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, select

from domain.governments import guess_kind
from storage.audit import record_audit
from storage.db import Database
from storage.directory import person_for_email
from storage.projects import Government, Project, ProjectGovernment, ProjectRepository


@dataclass(frozen=True)
class ImportRow:
    """A row read and found sound: the project's columns (its people apart), who it names, its governments."""

    code: str  # normalised
    values: dict[str, Any]  # name, domain_id, and budget_hours, planned_start, planned_end when given
    emails: dict[str, str]  # coordinator_email, manager_email: "" when not given
    governments: list[str]  # names, as the row gives them


@dataclass(frozen=True)
class Imported:
    """What one row did: created the project, updated it (the fields that changed) or left it as it was."""

    outcome: Literal["created", "updated", "unchanged"]
    changed: tuple[str, ...] = ()


class _Rollback(Exception):
    """Raised at the end of a dry run so the unit of work rolls everything back."""


def import_rows(
    db: Database,
    rows: Sequence[ImportRow | None],
    *,
    now: datetime,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Imported | None]:
    """All rows in one transaction (None: a row with nothing to write, blank or refused); what each did, in order."""
    done: list[Imported | None] = []
    try:
        with db.session() as session:
            for index, row in enumerate(rows):
                done.append(_import_row(session, row, now) if row is not None else None)
                if progress is not None:
                    progress(index + 1, len(rows))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return done


def _import_row(session: Session, row: ImportRow, now: datetime) -> Imported:
    values = {**row.values, **_people(session, row.emails, now)}
    government_ids = [_government(session, g).id or 0 for g in row.governments] if row.governments else None
    existing = session.exec(select(Project).where(Project.code == row.code)).first()
    if existing is None:
        _create(session, row.code, values, government_ids, now)
        return Imported("created")
    assert existing.id is not None
    changed = ProjectRepository.update_in(
        session, existing.id, values, government_ids, actor_id=None, now=now, action="project.import"
    )
    return Imported("updated", tuple(changed)) if changed else Imported("unchanged")


def _people(session: Session, emails: dict[str, str], now: datetime) -> dict[str, Any]:
    """The coordinator's and manager's ids, for those the row names (a placeholder for an address not known yet)."""
    return {
        key.replace("_email", "_id"): person_for_email(session, email, now=now).id
        for key, email in emails.items()
        if email
    }


def _create(
    session: Session, code: str, values: dict[str, Any], government_ids: list[int] | None, now: datetime
) -> None:
    project = Project(code=code, created_at=now, updated_at=now, **values)
    session.add(project)
    session.flush()
    assert project.id is not None
    for government_id in sorted(set(government_ids or [])):
        session.add(ProjectGovernment(project_id=project.id, government_id=government_id))
    record_audit(
        session,
        actor_id=None,
        action="project.import",
        entity="project",
        entity_id=project.id,
        fields=sorted(["code", *values, *(["governments"] if government_ids else [])]),
        now=now,
    )


def _government(session: Session, name: str) -> Government:
    """A government from the managed list by name (any case); a new one is added with a guessed kind."""
    found = session.exec(select(Government).where(func.lower(Government.name) == name.lower())).first()
    if found is not None:
        return found
    government = Government(name=name[:200], kind=guess_kind(name))
    session.add(government)
    session.flush()
    return government
