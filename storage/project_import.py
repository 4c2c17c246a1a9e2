"""The portfolio import's unit of work: the rows a file gave, already read and found sound (dialogs/projects/
project_import.py reads the file and checks each row), created or updated in one transaction with the people and
local governments they name, and the domains and governments the file names that are not on the lists yet when the
operator asked for them (`--create-missing`); a dry run does the same work and rolls it back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, select

from domain.governments import guess_kind
from domain.names import same_name
from storage.audit import record_audit
from storage.db import Database
from storage.directory import person_for_email
from storage.lists import DOMAIN_NAME_MAX, GOVERNMENT_NAME_MAX, domain_key
from storage.projects import Domain, Government, Project, ProjectGovernment, ProjectRepository


@dataclass(frozen=True)
class ImportRow:
    """A row read and found sound: the project's columns (its people apart), who it names, its governments."""

    code: str  # normalised
    values: dict[str, Any]  # name, domain_id (unless new_domain), and budget_hours, planned_start, planned_end
    emails: dict[str, str]  # coordinator_email, manager_email: "" when not given
    government_ids: tuple[int, ...] = ()  # the listed governments the row names
    new_domain: str = ""  # a domain to add to the list (the row's name for it), when the row names no listed one
    new_governments: tuple[str, ...] = ()  # governments to add to the list, as the row names them

    @property
    def names_governments(self) -> bool:
        """Whether the row says which governments the project serves (a row without any leaves them as they are)."""
        return bool(self.government_ids or self.new_governments)


@dataclass(frozen=True)
class Added:
    """What a row added to the lists (a domain or government named by an earlier row of the file is added once)."""

    domain: str = ""
    governments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Imported:
    """What one row did: created the project, updated it (the fields that changed) or left it as it was, and what
    it added to the lists."""

    outcome: Literal["created", "updated", "unchanged"]
    changed: tuple[str, ...] = ()
    added: Added = Added()


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
    with unit_of_work(db, dry_run=dry_run) as session:
        for index, row in enumerate(rows):
            done.append(_import_row(session, row, now) if row is not None else None)
            if progress is not None:
                progress(index + 1, len(rows))
    return done


@contextmanager
def unit_of_work(db: Database, *, dry_run: bool) -> Iterator[Session]:
    """An import's one transaction (the projects', the people's); a dry run does the same work and rolls it back,
    so it reports the same."""
    try:
        with db.session() as session:
            yield session
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass


def _import_row(session: Session, row: ImportRow, now: datetime) -> Imported:
    values = {**row.values, **_people(session, row.emails, now)}
    added_domain = ""
    if row.new_domain:
        domain, is_new = _domain(session, row.new_domain, now)
        values["domain_id"] = domain.id
        added_domain = domain.name_nl if is_new else ""
    governments = [_government(session, name, now) for name in row.new_governments]
    government_ids = [*row.government_ids, *(government.id or 0 for government, _is_new in governments)]
    added = Added(added_domain, tuple(government.name for government, is_new in governments if is_new))
    existing = session.exec(select(Project).where(Project.code == row.code)).first()
    if existing is None:
        _create(session, row.code, values, government_ids if row.names_governments else None, now)
        return Imported("created", added=added)
    assert existing.id is not None
    changed = ProjectRepository.update_in(
        session,
        existing.id,
        values,
        government_ids if row.names_governments else None,
        actor_id=None,
        now=now,
        action="project.import",
    )
    return Imported("updated", tuple(changed), added) if changed else Imported("unchanged", added=added)


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


def _domain(session: Session, name: str, now: datetime) -> tuple[Domain, bool]:
    """The domain called `name` in any spelling (an earlier row may have added it), or a new one: (domain, added).
    The file gives one name: it is the Dutch and the English name until an admin renames it (the lists card)."""
    for domain in session.exec(select(Domain)):
        if same_name(name, domain.name_nl) or same_name(name, domain.name_en):
            return domain, False
    taken = set(session.exec(select(Domain.key)))
    base = key = domain_key(name)
    number = 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    domain = Domain(key=key, name_nl=name[:DOMAIN_NAME_MAX], name_en=name[:DOMAIN_NAME_MAX])
    session.add(domain)
    session.flush()
    record_audit(
        session, actor_id=None, action="domain.add", entity="domain", entity_id=domain.id,
        fields=["name_nl", "name_en"], now=now,
    )  # fmt: skip
    return domain, True


def _government(session: Session, name: str, now: datetime) -> tuple[Government, bool]:
    """The government called `name` in any spelling (an earlier row may have added it), or a new one with the kind
    its name suggests: (government, added)."""
    for government in session.exec(select(Government)):
        if same_name(name, government.name):
            return government, False
    government = Government(name=name[:GOVERNMENT_NAME_MAX], kind=guess_kind(name))
    session.add(government)
    session.flush()
    record_audit(
        session, actor_id=None, action="government.add", entity="government", entity_id=government.id,
        fields=["name", "kind"], now=now,
    )  # fmt: skip
    return government, True
