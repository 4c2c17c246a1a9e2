"""The handover of a project to operational management: the plan, its checklist, the stakeholders to inform, the
acceptance by the receiving party and the after-care period; with the repository that reads and changes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from domain.handover import ChecklistItem, HandoverFacts, HandoverState, PersonRef
from storage.audit import AuditLog, record_audit
from storage.db import Database
from storage.directory import is_placeholder
from storage.models import ConversationRef, Person
from storage.outbox import OutboxMessage
from storage.projects import Phase, Project, ProjectState, person_label
from storage.types import UTCDateTime

TITLE_MAX = 200
LINK_MAX = 1000
REASON_MAX = 1000
# The standard checklist every plan starts with (catalog keys handover.item.<key>); the coordinator adds more.
STANDARD_ITEMS = (
    "environment_docs",
    "knowledge_transfer",
    "accounts_access",
    "contacts_escalation",
    "support_agreement",
    "open_issues",
)


class Handover(SQLModel, table=True):
    """One per project: who takes it over, when, and on what terms."""

    __tablename__ = "handover"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", unique=True, ondelete="CASCADE")
    # The receiving party: a person, or a conversation (team channel, group chat) where the bot is installed.
    receiver_person_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    receiver_conversation_id: int | None = Field(default=None, foreign_key="conversation_ref.id", ondelete="SET NULL")
    planned_on: date
    # After-care: an explicit end date, or a length ("P3M", "P6W") counted from acceptance (the plan date before).
    after_care_end: date | None = None
    after_care_length: str = Field(default="", max_length=16)
    support_person_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    inform_days: int = Field(default=30)
    state: str = Field(default=HandoverState.PLANNED.value, max_length=16)
    accepted_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The after-care end fixed at acceptance (from the length, or the explicit date).
    after_care_until: date | None = None
    not_yet_reason: str = Field(default="", max_length=REASON_MAX)
    not_yet_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    not_yet_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    form_id: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class HandoverStakeholder(SQLModel, table=True):
    """Someone to inform early about the handover."""

    __tablename__ = "handover_stakeholder"
    __table_args__ = (UniqueConstraint("handover_id", "person_id", name="uq_handover_stakeholder"),)

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")


class HandoverItem(SQLModel, table=True):
    """One line of the handover checklist: a standard item (key) or one the coordinator added (title)."""

    __tablename__ = "handover_item"

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    key: str | None = Field(default=None, max_length=32)
    title: str = Field(default="", max_length=TITLE_MAX)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    due_on: date | None = None
    link: str = Field(default="", max_length=LINK_MAX)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    form_id: str | None = Field(default=None, max_length=64, unique=True)


class Duplicate(Exception):
    """The same form was submitted before: nothing new was stored."""


def _ref(person: Person | None) -> PersonRef | None:
    if person is None or person.id is None:
        return None
    placeholder = is_placeholder(person) or person.forgotten_at is not None
    return PersonRef(
        id=person.id,
        name=person_label(person) or "?",
        tenant_id=person.tenant_id,
        aad_object_id=None if placeholder else person.aad_object_id,
    )


def conversation_label(ref: ConversationRef) -> str:
    name = ref.team_name or ""
    channel = (ref.reference.get("conversation") or {}).get("name") if isinstance(ref.reference, dict) else None
    if name and channel:
        return f"{name} › {channel}"
    return name or channel or ref.conversation_id[:40]


class HandoverRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Reading --------------------------------------------------------------------------------------------

    def for_project(self, project_id: int) -> HandoverFacts | None:
        with self._db.session() as session:
            handover = session.exec(select(Handover).where(Handover.project_id == project_id)).first()
            return _row(session, handover) if handover else None

    def get(self, handover_id: int) -> HandoverFacts | None:
        with self._db.session() as session:
            handover = session.get(Handover, handover_id)
            return _row(session, handover) if handover else None

    def open_naming(self, person_id: int) -> list[HandoverFacts]:
        """Handovers still to happen (planned, or not yet accepted) whose receiving party or stakeholders include
        this person."""
        with self._db.session() as session:
            stakeholder_of = select(HandoverStakeholder.handover_id).where(HandoverStakeholder.person_id == person_id)
            rows = session.exec(
                select(Handover)
                .where(
                    col(Handover.state).in_([HandoverState.PLANNED.value, HandoverState.NOT_YET.value]),
                    or_(col(Handover.receiver_person_id) == person_id, col(Handover.id).in_(stakeholder_of)),
                )
                .order_by(col(Handover.id))
            ).all()
            return [_row(session, h) for h in rows]

    def in_after_care(self) -> list[HandoverFacts]:
        with self._db.session() as session:
            rows = session.exec(
                select(Handover).where(Handover.state == HandoverState.ACCEPTED.value).order_by(col(Handover.id))
            ).all()
            return [_row(session, h) for h in rows]

    def conversations(self, tenant_id: str, limit: int = 50) -> list[tuple[int, str]]:
        """Team channels and group chats where the bot is installed: where a receiving team can be reached."""
        with self._db.session() as session:
            refs = session.exec(
                select(ConversationRef)
                .where(
                    col(ConversationRef.conversation_type).in_(["channel", "groupChat"]),
                    col(ConversationRef.active).is_(True),
                    ConversationRef.tenant_id == tenant_id,
                )
                .order_by(col(ConversationRef.team_name), col(ConversationRef.id))
                .limit(limit)
            ).all()
            return [(ref.id, conversation_label(ref)) for ref in refs if ref.id is not None]

    # Changing -------------------------------------------------------------------------------------------

    def save_plan(
        self,
        project_id: int,
        values: dict[str, Any],
        stakeholder_ids: list[int],
        extra_items: list[str],
        *,
        actor_id: int | None,
        now: datetime,
        form_id: str | None,
        default_owner_id: int | None,
    ) -> tuple[HandoverFacts, date | None]:
        """Create the plan (with the standard checklist) or change it; returns it and the planned date it had
        before (None: new). Raises Duplicate when this form was stored already."""
        try:
            with self._db.session() as session:
                # The form id of every save is in the audit log: an older form submitted again records nothing.
                if (
                    form_id
                    and session.exec(
                        select(AuditLog.id).where(
                            AuditLog.request_id == form_id,
                            col(AuditLog.action).in_(["handover.create", "handover.update"]),
                        )
                    ).first()
                ):
                    raise Duplicate
                handover = session.exec(select(Handover).where(Handover.project_id == project_id)).first()
                previous: date | None = None
                if handover is None:
                    handover = Handover(
                        project_id=project_id, created_at=now, updated_at=now, form_id=form_id, **values
                    )
                    session.add(handover)
                    session.flush()
                    assert handover.id is not None
                    for position, key in enumerate(STANDARD_ITEMS):
                        session.add(
                            HandoverItem(
                                handover_id=handover.id,
                                position=position,
                                key=key,
                                owner_id=default_owner_id,
                                due_on=values["planned_on"],
                            )
                        )
                    action, fields = "handover.create", sorted(values)
                else:
                    previous = handover.planned_on
                    fields = [name for name, value in values.items() if getattr(handover, name) != value]
                    for name in fields:
                        setattr(handover, name, values[name])
                    handover.form_id = form_id or handover.form_id
                    handover.updated_at = now
                    session.add(handover)
                    action = "handover.update"
                assert handover.id is not None
                current = set(
                    session.exec(
                        select(HandoverStakeholder.person_id).where(HandoverStakeholder.handover_id == handover.id)
                    )
                )
                if current != set(stakeholder_ids):
                    fields.append("stakeholders")
                    session.execute(
                        delete(HandoverStakeholder).where(col(HandoverStakeholder.handover_id) == handover.id)
                    )
                    for person_id in sorted(set(stakeholder_ids)):
                        session.add(HandoverStakeholder(handover_id=handover.id, person_id=person_id))
                position = _next_position(session, handover.id)
                for offset, title in enumerate(extra_items):
                    session.add(
                        HandoverItem(
                            handover_id=handover.id,
                            position=position + offset,
                            title=title[:TITLE_MAX],
                            owner_id=default_owner_id,
                            due_on=values["planned_on"],
                        )
                    )
                if extra_items:
                    fields.append("items")
                record_audit(
                    session,
                    actor_id=actor_id,
                    action=action,
                    entity="project",
                    entity_id=project_id,
                    fields=sorted(set(fields)),
                    now=now,
                    request_id=form_id,
                )
                session.flush()
                return _row(session, handover), previous
        except IntegrityError as clash:
            if form_id and self._form_used(Handover, form_id):
                raise Duplicate from clash
            raise

    def save_item(
        self,
        handover_id: int,
        item_id: int | None,
        values: dict[str, Any],
        *,
        actor_id: int | None,
        now: datetime,
        form_id: str | None,
    ) -> HandoverFacts:
        """Add an item (item_id None) or change one. Raises Duplicate when this form was stored already."""
        try:
            with self._db.session() as session:
                if form_id and session.exec(select(HandoverItem.id).where(HandoverItem.form_id == form_id)).first():
                    raise Duplicate
                handover = session.get_one(Handover, handover_id)
                if item_id is None:
                    item = HandoverItem(handover_id=handover_id, position=_next_position(session, handover_id))
                    item.form_id = form_id
                else:
                    item = session.get_one(HandoverItem, item_id)
                    if item.handover_id != handover_id:
                        raise LookupError(item_id)
                for name, value in values.items():
                    setattr(item, name, value)
                session.add(item)
                record_audit(
                    session,
                    actor_id=actor_id,
                    action="handover.item",
                    entity="project",
                    entity_id=handover.project_id,
                    fields=sorted(values),
                    now=now,
                )
                session.flush()
                return _row(session, handover)
        except IntegrityError as clash:
            if form_id and self._form_used(HandoverItem, form_id):
                raise Duplicate from clash
            raise

    def mark_item(
        self, handover_id: int, item_id: int, *, done: bool, actor_id: int | None, now: datetime
    ) -> tuple[HandoverFacts, bool]:
        """Tick an item off (or reopen it); idempotent: the bool says whether anything changed."""
        with self._db.session() as session:
            handover = session.get_one(Handover, handover_id)
            condition = col(HandoverItem.done_at).is_(None) if done else col(HandoverItem.done_at).is_not(None)
            result = session.execute(
                update(HandoverItem)
                .where(col(HandoverItem.id) == item_id, col(HandoverItem.handover_id) == handover_id, condition)
                .values(done_at=now if done else None, done_by_id=actor_id if done else None)
            )
            changed = bool(result.rowcount)  # type: ignore[attr-defined]
            if changed:
                record_audit(
                    session,
                    actor_id=actor_id,
                    action="handover.item_done" if done else "handover.item_reopen",
                    entity="project",
                    entity_id=handover.project_id,
                    fields=["items"],
                    now=now,
                )
            session.flush()
            session.expire_all()
            return _row(session, session.get_one(Handover, handover_id)), changed

    def accept(
        self, handover_id: int, *, actor_id: int | None, now: datetime, after_care_until: date
    ) -> tuple[HandoverFacts, bool]:
        """Record the acceptance once (a second press changes nothing: the bool is False) and move the project
        to the after-care phase; audited."""
        with self._db.session() as session:
            result = session.execute(
                update(Handover)
                .where(
                    col(Handover.id) == handover_id,
                    col(Handover.state).in_([HandoverState.PLANNED.value, HandoverState.NOT_YET.value]),
                )
                .values(
                    state=HandoverState.ACCEPTED.value,
                    accepted_by_id=actor_id,
                    accepted_at=now,
                    after_care_until=after_care_until,
                    updated_at=now,
                )
            )
            accepted = bool(result.rowcount)  # type: ignore[attr-defined]
            handover = session.get_one(Handover, handover_id)
            session.refresh(handover)
            if accepted:
                record_audit(
                    session,
                    actor_id=actor_id,
                    action="handover.accept",
                    entity="project",
                    entity_id=handover.project_id,
                    fields=["state", "accepted_by", "accepted_at"],
                    now=now,
                )
                project = session.get_one(Project, handover.project_id)
                if project.phase != Phase.AFTER_CARE.value:
                    project.phase = Phase.AFTER_CARE.value
                    project.updated_at = now
                    session.add(project)
                    record_audit(
                        session,
                        actor_id=actor_id,
                        action="project.phase",
                        entity="project",
                        entity_id=project.id,
                        fields=["phase"],
                        now=now,
                    )
            session.flush()
            return _row(session, handover), accepted

    def not_yet(
        self, handover_id: int, *, reason: str, actor_id: int | None, now: datetime
    ) -> tuple[HandoverFacts, bool]:
        """Record "not yet" with its reason (False: the handover was accepted already, nothing changed)."""
        with self._db.session() as session:
            result = session.execute(
                update(Handover)
                .where(
                    col(Handover.id) == handover_id,
                    col(Handover.state).in_([HandoverState.PLANNED.value, HandoverState.NOT_YET.value]),
                )
                .values(
                    state=HandoverState.NOT_YET.value,
                    not_yet_reason=reason[:REASON_MAX],
                    not_yet_by_id=actor_id,
                    not_yet_at=now,
                    updated_at=now,
                )
            )
            changed = bool(result.rowcount)  # type: ignore[attr-defined]
            handover = session.get_one(Handover, handover_id)
            session.refresh(handover)
            if changed:
                record_audit(
                    session,
                    actor_id=actor_id,
                    action="handover.not_yet",
                    entity="project",
                    entity_id=handover.project_id,
                    fields=["state", "not_yet_reason"],
                    now=now,
                )
            return _row(session, handover), changed

    def close(self, handover_id: int, *, now: datetime) -> bool:
        """After-care is over: the handover and its project close (once; False when done before)."""
        with self._db.session() as session:
            result = session.execute(
                update(Handover)
                .where(col(Handover.id) == handover_id, col(Handover.state) == HandoverState.ACCEPTED.value)
                .values(state=HandoverState.CLOSED.value, updated_at=now)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            handover = session.get_one(Handover, handover_id)
            project = session.get_one(Project, handover.project_id)
            project.phase = Phase.CLOSED.value
            project.state = ProjectState.CLOSED.value
            project.updated_at = now
            session.add(project)
            record_audit(
                session,
                actor_id=None,
                action="handover.after_care_end",
                entity="project",
                entity_id=project.id,
                fields=["phase", "state"],
                now=now,
            )
            return True

    def _form_used(self, table: type[Handover] | type[HandoverItem], form_id: str) -> bool:
        with self._db.session() as session:
            return session.exec(select(table.id).where(table.form_id == form_id)).first() is not None


def unreachable_told(db: Database, prefix: str) -> set[int]:
    """The people the coordinator was already told (or is about to be told) could not be reached for this
    handover: the person ids in the `people` argument of the outbox rows whose key starts with `prefix`."""
    with db.session() as session:
        payloads = session.exec(
            select(OutboxMessage.payload).where(col(OutboxMessage.dedup_key).startswith(prefix, autoescape=True))
        ).all()
    told: set[int] = set()
    for payload in payloads:
        args = payload.get("args") if isinstance(payload, dict) else None
        people = args.get("people") if isinstance(args, dict) else None
        told.update(int(person) for person in people or [] if isinstance(person, int))
    return told


def _next_position(session: Session, handover_id: int) -> int:
    positions = session.exec(select(HandoverItem.position).where(HandoverItem.handover_id == handover_id)).all()
    return max(positions, default=-1) + 1


def _row(session: Session, handover: Handover) -> HandoverFacts:
    assert handover.id is not None
    project = session.get_one(Project, handover.project_id)

    def person(person_id: int | None) -> Person | None:
        return session.get(Person, person_id) if person_id else None

    conversation = (
        session.get(ConversationRef, handover.receiver_conversation_id) if handover.receiver_conversation_id else None
    )
    stakeholders = session.exec(
        select(Person)
        .join(HandoverStakeholder, col(HandoverStakeholder.person_id) == col(Person.id))
        .where(HandoverStakeholder.handover_id == handover.id)
        .order_by(col(Person.name))
    ).all()
    items = session.exec(
        select(HandoverItem).where(HandoverItem.handover_id == handover.id).order_by(col(HandoverItem.position))
    ).all()
    coordinator = person(project.coordinator_id)
    return HandoverFacts(
        id=handover.id,
        project_id=project.id or 0,
        code=project.code,
        name=project.name,
        phase=project.phase,
        coordinator=_ref(coordinator),
        receiver_person=_ref(person(handover.receiver_person_id)),
        receiver_conversation_id=handover.receiver_conversation_id,
        receiver_conversation=conversation_label(conversation) if conversation else None,
        receiver_conversation_key=conversation.conversation_id if conversation else None,
        planned_on=handover.planned_on,
        after_care_end=handover.after_care_end,
        after_care_length=handover.after_care_length,
        after_care_until=handover.after_care_until,
        support=_ref(person(handover.support_person_id)),
        inform_days=handover.inform_days,
        state=handover.state,
        accepted_by=person_label(person(handover.accepted_by_id)),
        accepted_at=handover.accepted_at,
        not_yet_reason=handover.not_yet_reason,
        not_yet_by=person_label(person(handover.not_yet_by_id)),
        not_yet_at=handover.not_yet_at,
        stakeholders=tuple(ref for ref in (_ref(p) for p in stakeholders) if ref is not None),
        items=tuple(
            ChecklistItem(
                id=item.id or 0,
                key=item.key,
                title=item.title,
                owner=_ref(person(item.owner_id)),
                due_on=item.due_on,
                link=item.link,
                done_at=item.done_at,
                done_by=person_label(person(item.done_by_id)),
            )
            for item in items
        ),
        tenant_id=(coordinator.tenant_id if coordinator else "") or (conversation.tenant_id if conversation else ""),
    )
