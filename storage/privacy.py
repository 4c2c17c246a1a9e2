"""Personal data (GDPR) in one place: export of it all, erasure, and retention.

Every table that holds personal data registers here (PERSONAL_DATA, RETENTION); its person columns are listed in
storage.linking (PERSON_REFERENCES: what linking a placeholder moves). A later table
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

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.audit import AuditLog
from storage.db import Database
from storage.decisions import ProjectDecision, Retrospective
from storage.directory import ManagerDomain, PersonRole, normalise_email
from storage.files import StoredFile, purge_expired_in
from storage.handover import Handover, HandoverItem, HandoverStakeholder
from storage.meetings import export_meetings, forget_meetings
from storage.milestones_risks import Risk
from storage.models import BotStateItem, ConversationRef, Person
from storage.opt_outs import OutboxOptOut
from storage.outbox import OutboxMessage
from storage.projects import Domain, Project, TeamMember
from storage.status import DigestPreference, StatusReport
from storage.time_entries import LeaveDay, TimeEntry, TimeNudge, delete_entries_before

FORGOTTEN_PREFIX = "forgotten:"
DEFAULT_RETENTION_YEARS = 7

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data: how to export it and how to erase it for one person."""

    section: str
    export: Callable[[Session, Person], Rows]
    forget: Callable[[Session, Person], None]


PERSONAL_DATA: list[PersonalData] = []
# Each entry deletes rows older than the cut-off and returns how many it removed.
RETENTION: dict[str, Callable[[Session, datetime], int]] = {}
# Rows that carry their own expiry (files waiting for their owner): each entry deletes what expired before `now`.
EXPIRY: dict[str, Callable[[Session, datetime], int]] = {}


def register(data: PersonalData) -> None:
    PERSONAL_DATA.append(data)


# The person row itself ------------------------------------------------------------------------------------------


def _export_person(session: Session, person: Person) -> Rows:
    return [
        {
            "name": person.name,
            "email": person.email,
            "contact_email": person.contact_email,
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


def _export_files(session: Session, person: Person) -> Rows:
    # What waits for the person (offered on a consent card, or behind a download link); not the bytes themselves,
    # which are an export like this one.
    rows = session.exec(select(StoredFile).where(StoredFile.owner_id == person.id).order_by(col(StoredFile.id)))
    return [
        {
            "name": f.name,
            "content_type": f.content_type,
            "size_bytes": f.size_bytes,
            "state": f.state,
            "created_at": f.created_at,
            "expires_at": f.expires_at,
        }
        for f in rows
    ]


def _forget_files(session: Session, person: Person) -> None:
    session.execute(delete(StoredFile).where(col(StoredFile.owner_id) == person.id))


register(PersonalData("files", _export_files, _forget_files))


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
        """Erase a person; returns the anonymous key (the row id). No other row can share their address
        (Person.email is unique), so nobody else is touched."""
        with self._db.session() as session:
            forget_in(session, session.get_one(Person, person_id), now=now)
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
            purged = {name: purge(session, cutoff) for name, purge in RETENTION.items()}
            purged.update({name: purge(session, now) for name, purge in EXPIRY.items()})
            return purged


def forget_in(session: Session, person: Person, *, now: datetime) -> None:
    for data in PERSONAL_DATA:
        data.forget(session, person)
    # The row stays as the anonymous key that time entries keep (so project totals do not change).
    person.tenant_id = ""
    person.aad_object_id = FORGOTTEN_PREFIX + uuid.uuid4().hex
    person.teams_user_id = ""
    person.name = ""
    person.email = person.contact_email = None
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

EXPIRY["stored_file"] = purge_expired_in


# Time registration ----------------------------------------------------------------------------------------------
# Entries stay on erasure, pointing at the anonymous key (project totals do not change); their free-text notes go,
# as a note may name or describe the person. Nudge settings and leave days are the person's alone: deleted.


def _export_time(session: Session, person: Person) -> Rows:
    rows = session.exec(
        select(TimeEntry, Project.code)
        .join(Project, col(Project.id) == col(TimeEntry.project_id))
        .where(TimeEntry.person_id == person.id)
        .order_by(col(TimeEntry.day), col(TimeEntry.id))
    )
    found: Rows = [
        {
            "project": code,
            "day": entry.day,
            "minutes": entry.minutes,
            "kind": entry.kind,
            "category": entry.category,
            "note": entry.note,
            "created_at": entry.created_at,
        }
        for entry, code in rows
    ]
    nudge = session.get(TimeNudge, person.id)
    if nudge is not None:
        found.append(
            {
                "nudge_enabled": nudge.enabled,
                "nudge_at": nudge.at_time.isoformat(),
                "nudge_below_minutes": nudge.min_minutes,
            }
        )
    leave = session.exec(select(LeaveDay).where(LeaveDay.person_id == person.id).order_by(col(LeaveDay.day)))
    found.extend({"leave_day": row.day} for row in leave)
    return found


def _forget_time(session: Session, person: Person) -> None:
    session.execute(update(TimeEntry).where(col(TimeEntry.person_id) == person.id).values(note="", request_key=None))
    session.execute(delete(TimeNudge).where(col(TimeNudge.person_id) == person.id))
    session.execute(delete(LeaveDay).where(col(LeaveDay.person_id) == person.id))


def _purge_time(session: Session, cutoff: datetime) -> int:
    purged = delete_entries_before(session, cutoff.date())
    session.execute(delete(LeaveDay).where(col(LeaveDay.day) < cutoff.date()))
    return purged


register(PersonalData("time_entries", _export_time, _forget_time))
RETENTION["time_entry"] = _purge_time


# Project status ---------------------------------------------------------------------------------------------------
# Status reports, risks, decisions and retrospectives are the organisation's project records: they stay on erasure,
# only the link to the person (author, risk owner, who recorded) goes. The digest preference is the person's alone.


def _export_status(session: Session, person: Person) -> Rows:
    found: Rows = []
    for report, code in session.exec(
        select(StatusReport, Project.code)
        .join(Project, col(Project.id) == col(StatusReport.project_id))
        .where(StatusReport.author_id == person.id)
        .order_by(col(StatusReport.created_at))
    ):
        found.append({"status_report_of": code, "at": report.created_at, "overall": report.overall})
    for risk, code in session.exec(
        select(Risk, Project.code)
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(Risk.owner_id == person.id)
    ):
        found.append({"risk_owner_of": code, "risk": risk.title, "state": risk.state})
    for decision, code in session.exec(
        select(ProjectDecision, Project.code)
        .join(Project, col(Project.id) == col(ProjectDecision.project_id))
        .where(ProjectDecision.recorded_by_id == person.id)
    ):
        found.append({"decision_recorded_for": code, "decided_on": decision.decided_on, "kind": decision.kind})
    for retro, code in session.exec(
        select(Retrospective, Project.code)
        .join(Project, col(Project.id) == col(Retrospective.project_id))
        .where(Retrospective.author_id == person.id)
    ):
        found.append({"retrospective_of": code, "at": retro.created_at})
    pref = session.get(DigestPreference, person.id)
    if pref is not None:
        found.append({"digest_weekday": pref.weekday, "digest_time": pref.at_time, "digest_enabled": pref.enabled})
    return found


def _forget_status(session: Session, person: Person) -> None:
    session.execute(update(StatusReport).where(col(StatusReport.author_id) == person.id).values(author_id=None))
    session.execute(update(Risk).where(col(Risk.owner_id) == person.id).values(owner_id=None))
    session.execute(
        update(ProjectDecision).where(col(ProjectDecision.recorded_by_id) == person.id).values(recorded_by_id=None)
    )
    session.execute(update(Retrospective).where(col(Retrospective.author_id) == person.id).values(author_id=None))
    session.execute(delete(DigestPreference).where(col(DigestPreference.person_id) == person.id))


register(PersonalData("project_status", _export_status, _forget_status))


# Meetings (storage.meetings) ------------------------------------------------------------------------------------

register(
    PersonalData(
        "meetings",
        lambda session, person: export_meetings(session, person.id or 0),
        lambda session, person: forget_meetings(session, person.id or 0),
    )
)


# Handover ---------------------------------------------------------------------------------------------------------
# The plan, its checklist and the acceptance are the organisation's project records: they stay on erasure, only the
# links to the person go (receiving person, support contact, acceptance, item owner). Being named a stakeholder to
# inform is about the person alone: that row is deleted.


def _export_handover(session: Session, person: Person) -> Rows:
    found: Rows = []
    for handover, code in session.exec(
        select(Handover, Project.code)
        .join(Project, col(Project.id) == col(Handover.project_id))
        .order_by(col(Handover.id))
    ):
        roles = [
            role
            for role, person_id in (
                ("receiving_party", handover.receiver_person_id),
                ("second_line_support", handover.support_person_id),
                ("accepted", handover.accepted_by_id),
                ("said_not_yet", handover.not_yet_by_id),
            )
            if person_id == person.id
        ]
        for role in roles:
            row: dict[str, Any] = {"handover_of": code, "as": role, "planned_on": handover.planned_on}
            if role == "accepted":
                row["at"] = handover.accepted_at
            if role == "said_not_yet":
                row["at"], row["reason"] = handover.not_yet_at, handover.not_yet_reason
            found.append(row)
    for code in session.exec(
        select(Project.code)
        .join(Handover, col(Handover.project_id) == col(Project.id))
        .join(HandoverStakeholder, col(HandoverStakeholder.handover_id) == col(Handover.id))
        .where(HandoverStakeholder.person_id == person.id)
    ):
        found.append({"handover_of": code, "as": "stakeholder_to_inform"})
    for item, code in session.exec(
        select(HandoverItem, Project.code)
        .join(Handover, col(Handover.id) == col(HandoverItem.handover_id))
        .join(Project, col(Project.id) == col(Handover.project_id))
        .where((col(HandoverItem.owner_id) == person.id) | (col(HandoverItem.done_by_id) == person.id))
    ):
        found.append(
            {"handover_item_of": code, "item": item.title or item.key, "owner": item.owner_id == person.id,
             "done_at": item.done_at if item.done_by_id == person.id else None}
        )  # fmt: skip
    return found


def _forget_handover(session: Session, person: Person) -> None:
    for column in ("receiver_person_id", "support_person_id", "accepted_by_id", "not_yet_by_id"):
        session.execute(update(Handover).where(getattr(Handover, column) == person.id).values({column: None}))
    # A "not yet" reason may describe the person: it goes with the link to them.
    session.execute(
        update(Handover)
        .where(col(Handover.not_yet_by_id).is_(None), col(Handover.not_yet_at).is_not(None))
        .values(not_yet_reason="")
    )
    session.execute(update(HandoverItem).where(col(HandoverItem.owner_id) == person.id).values(owner_id=None))
    session.execute(update(HandoverItem).where(col(HandoverItem.done_by_id) == person.id).values(done_by_id=None))
    session.execute(delete(HandoverStakeholder).where(col(HandoverStakeholder.person_id) == person.id))


register(PersonalData("handover", _export_handover, _forget_handover))
