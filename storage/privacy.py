"""Personal data (GDPR) in one place: what points at a person, export of it all, erasure, and retention.

Every table that holds personal data registers here (PERSONAL_DATA, PERSON_REFERENCES, RETENTION). A later table
(time entries, meeting attendance, ...) adds its own entries; `tests/test_privacy.py` scans every table for what an
erased person leaves behind, so a table that forgets to register fails that test.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, tuple_, update
from sqlmodel import Session, col, select

from storage.audit import AuditLog
from storage.db import Database
from storage.directory import ManagerDomain, PersonRole, normalise_email
from storage.models import BotStateItem, ConversationRef, Person
from storage.outbox import OutboxMessage, OutboxOptOut
from storage.projects import Domain, Project, TeamMember

FORGOTTEN_PREFIX = "forgotten:"
DEFAULT_RETENTION_YEARS = 7

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class PersonReference:
    """A column holding a person id; `unique_with` names the columns that, with it, must stay unique."""

    column: Any  # an InstrumentedAttribute of a table model
    unique_with: tuple[Any, ...] = ()

    def move(self, session: Session, from_id: int, to_id: int) -> None:
        """Point rows from one person at another (linking a placeholder); rows that would clash are dropped."""
        table = self.column.class_
        if self.unique_with:
            taken = select(*self.unique_with).where(self.column == to_id)
            clash = tuple(self.unique_with)
            session.execute(
                delete(table)
                .where(self.column == from_id, tuple_(*clash).in_(taken))
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(table)
            .where(self.column == from_id)
            .values({self.column.key: to_id})
            .execution_options(synchronize_session=False)
        )


PERSON_REFERENCES: list[PersonReference] = [
    PersonReference(col(Project.coordinator_id)),
    PersonReference(col(Project.manager_id)),
    PersonReference(col(TeamMember.person_id), (col(TeamMember.project_id),)),
    PersonReference(col(PersonRole.person_id), (col(PersonRole.role),)),
    PersonReference(col(ManagerDomain.person_id), (col(ManagerDomain.domain_id),)),
]


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data: how to export it and how to erase it for one person."""

    section: str
    export: Callable[[Session, Person], Rows]
    forget: Callable[[Session, Person], None]


PERSONAL_DATA: list[PersonalData] = []
# Each entry deletes rows older than the cut-off and returns how many it removed.
RETENTION: dict[str, Callable[[Session, datetime], int]] = {}


def register(data: PersonalData) -> None:
    PERSONAL_DATA.append(data)


# The person row itself ------------------------------------------------------------------------------------------


def _export_person(session: Session, person: Person) -> Rows:
    return [
        {
            "name": person.name,
            "email": person.email,
            "tenant_id": person.tenant_id,
            "aad_object_id": person.aad_object_id,
            "teams_user_id": person.teams_user_id,
            "seen_locale": person.seen_locale,
            "seen_timezone": person.seen_timezone,
            "preferred_language": person.preferred_language,
            "preferred_timezone": person.preferred_timezone,
            "created_at": person.created_at,
            "updated_at": person.updated_at,
        }
    ]


def _export_roles(session: Session, person: Person) -> Rows:
    rows = session.exec(select(PersonRole).where(PersonRole.person_id == person.id).order_by(col(PersonRole.role)))
    return [{"role": r.role, "granted_at": r.granted_at} for r in rows]


def _forget_roles(session: Session, person: Person) -> None:
    session.execute(delete(PersonRole).where(col(PersonRole.person_id) == person.id))
    session.execute(delete(ManagerDomain).where(col(ManagerDomain.person_id) == person.id))


def _export_domains(session: Session, person: Person) -> Rows:
    rows = session.exec(
        select(Domain)
        .join(ManagerDomain, col(ManagerDomain.domain_id) == col(Domain.id))
        .where(ManagerDomain.person_id == person.id)
    )
    return [{"domain_nl": d.name_nl, "domain_en": d.name_en} for d in rows]


def _export_projects(session: Session, person: Person) -> Rows:
    found: Rows = []
    for project in session.exec(
        select(Project).where((Project.coordinator_id == person.id) | (Project.manager_id == person.id))
    ):
        role = "coordinator" if project.coordinator_id == person.id else "manager"
        found.append({"project": project.code, "name": project.name, "as": role})
    for member, project in session.exec(
        select(TeamMember, Project)
        .join(Project, col(Project.id) == col(TeamMember.project_id))
        .where(TeamMember.person_id == person.id)
    ):
        found.append(
            {
                "project": project.code,
                "name": project.name,
                "as": "team member",
                "role_in_project": member.role,
                "external": member.external,
                "added_at": member.added_at,
            }
        )
    return found


def _forget_projects(session: Session, person: Person) -> None:
    # The projects stay (they are the organisation's); only the link to this person goes.
    session.execute(update(Project).where(col(Project.coordinator_id) == person.id).values(coordinator_id=None))
    session.execute(update(Project).where(col(Project.manager_id) == person.id).values(manager_id=None))
    session.execute(delete(TeamMember).where(col(TeamMember.person_id) == person.id))


def _export_audit(session: Session, person: Person) -> Rows:
    rows = session.exec(select(AuditLog).where(AuditLog.actor_id == person.id).order_by(col(AuditLog.id)))
    return [
        {"at": a.at, "action": a.action, "entity": a.entity, "entity_id": a.entity_id, "fields": ", ".join(a.fields)}
        for a in rows
    ]


def _forget_audit(session: Session, person: Person) -> None:
    # Kept: the rows point at the anonymous key the person row becomes, so the log shows what changed, not who.
    return None


def _export_conversations(session: Session, person: Person) -> Rows:
    rows = session.exec(select(ConversationRef).where(ConversationRef.user_aad_object_id == person.aad_object_id))
    return [
        {
            "conversation_type": c.conversation_type,
            "first_seen": c.first_seen,
            "last_seen": c.last_seen,
            "active": c.active,
        }
        for c in rows
    ]


def _forget_conversations(session: Session, person: Person) -> None:
    identities = _identities(person)
    session.execute(delete(ConversationRef).where(col(ConversationRef.user_aad_object_id) == person.aad_object_id))
    # A shared conversation's stored reference names whoever spoke last: keep the reference, drop that name.
    for ref in session.exec(select(ConversationRef)):
        user = ref.reference.get("user") if isinstance(ref.reference, dict) else None
        if isinstance(user, dict) and identities & {str(v) for v in user.values() if v}:
            ref.reference = {**ref.reference, "user": None}
            session.add(ref)


def _export_outbox(session: Session, person: Person) -> Rows:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.target_aad_object_id == person.aad_object_id))
    opt_outs = session.exec(
        select(OutboxOptOut).where(
            (OutboxOptOut.subject == person.aad_object_id) | (OutboxOptOut.created_by == person.aad_object_id)
        )
    )
    return [{"message_kind": m.kind, "due_at": m.due_at, "state": m.state} for m in rows] + [
        {"stopped_kind": o.kind, "scope": o.scope, "at": o.created_at} for o in opt_outs
    ]


def _forget_outbox(session: Session, person: Person) -> None:
    aad = person.aad_object_id
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.target_aad_object_id) == aad))
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.owner_aad_object_id) == aad).values(owner_aad_object_id=None)
    )
    session.execute(delete(OutboxOptOut).where(col(OutboxOptOut.subject) == aad))
    # A conversation-wide opt-out stays in force for the others; only who asked for it is dropped.
    session.execute(update(OutboxOptOut).where(col(OutboxOptOut.created_by) == aad).values(created_by=""))


def _forget_bot_state(session: Session, person: Person) -> None:
    for item in session.exec(select(BotStateItem)):
        if any(identity in item.key for identity in _identities(person)):
            session.delete(item)


register(PersonalData("person", _export_person, lambda session, person: None))
register(PersonalData("roles", _export_roles, _forget_roles))
register(PersonalData("managed_domains", _export_domains, lambda session, person: None))
register(PersonalData("projects", _export_projects, _forget_projects))
register(PersonalData("changes_made", _export_audit, _forget_audit))
register(PersonalData("conversations", _export_conversations, _forget_conversations))
register(PersonalData("notifications", _export_outbox, _forget_outbox))
register(PersonalData("bot_state", lambda session, person: [], _forget_bot_state))


def _identities(person: Person) -> set[str]:
    return {v for v in (person.aad_object_id, person.teams_user_id, person.email) if v}


# Export ---------------------------------------------------------------------------------------------------------


def export_person(session: Session, person: Person) -> dict[str, Rows]:
    return {data.section: data.export(session, person) for data in PERSONAL_DATA}


def export_json(data: dict[str, Rows]) -> str:
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2, sort_keys=True)


def export_csv(data: dict[str, Rows]) -> str:
    """One line per stored value: section, row number, field, value — readable in any spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "row", "field", "value"])
    for section, rows in data.items():
        for number, row in enumerate(rows, start=1):
            for name, value in row.items():
                writer.writerow([section, number, name, "" if value is None else _plain(value)])
    return out.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def export(self, person_id: int) -> dict[str, Rows]:
        with self._db.session() as session:
            return export_person(session, session.get_one(Person, person_id))

    def forget(self, person_id: int, *, now: datetime, actor_id: int | None = None) -> int:
        """Erase a person (and any placeholder rows with their email); returns the anonymous key (the row id)."""
        with self._db.session() as session:
            person = session.get_one(Person, person_id)
            if person.email:
                for twin in session.exec(
                    select(Person).where(
                        Person.email == normalise_email(person.email),
                        col(Person.id) != person_id,
                        col(Person.forgotten_at).is_(None),
                    )
                ):
                    forget_in(session, twin, now=now)
            forget_in(session, person, now=now)
            return person_id

    def forget_by_email(self, email: str, *, now: datetime) -> list[int]:
        with self._db.session() as session:
            people = list(
                session.exec(
                    select(Person).where(Person.email == normalise_email(email), col(Person.forgotten_at).is_(None))
                )
            )
            for person in people:
                forget_in(session, person, now=now)
            return [p.id for p in people if p.id is not None]

    def apply_retention(self, *, now: datetime, years: int = DEFAULT_RETENTION_YEARS) -> dict[str, int]:
        """Delete what is older than the retention period; the daily housekeeping job calls this."""
        cutoff = now - timedelta(days=round(365.25 * years))
        with self._db.session() as session:
            return {name: purge(session, cutoff) for name, purge in RETENTION.items()}


def forget_in(session: Session, person: Person, *, now: datetime) -> None:
    for data in PERSONAL_DATA:
        data.forget(session, person)
    # The row stays as the anonymous key that time entries keep (so project totals do not change).
    person.tenant_id = ""
    person.aad_object_id = FORGOTTEN_PREFIX + uuid.uuid4().hex
    person.teams_user_id = ""
    person.name = ""
    person.email = None
    person.seen_locale = person.seen_timezone = None
    person.preferred_language = person.preferred_timezone = None
    person.created_at = person.updated_at = now
    person.forgotten_at = now
    session.add(person)
    session.flush()


def _purge_audit(session: Session, cutoff: datetime) -> int:
    result = session.execute(delete(AuditLog).where(col(AuditLog.at) < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


RETENTION["audit_log"] = _purge_audit
