"""A project's milestones and risks (the risk register), with the repository that reads and changes them
(StatusRepository, storage.status, holds these methods too)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Field, SQLModel, col, select

from domain.status import MilestoneFacts, RiskFacts
from storage.models import Person
from storage.projects import Project
from storage.status_base import TEXT_MAX, Duplicate, StatusRecords, person_name
from storage.types import UTCDateTime


class RiskState(StrEnum):
    OPEN = "open"
    MITIGATED = "mitigated"
    OCCURRED = "occurred"
    CLOSED = "closed"


class Milestone(SQLModel, table=True):
    __tablename__ = "milestone"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=TEXT_MAX)
    due_on: date
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    form_id: str | None = Field(default=None, max_length=64, unique=True)


class Risk(SQLModel, table=True):
    __tablename__ = "risk"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=TEXT_MAX)
    probability: int  # 1-5
    impact: int  # 1-5
    score: int  # probability x impact, stored so the register sorts in SQL
    mitigation: str = Field(default="", max_length=TEXT_MAX)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    state: str = Field(default=RiskState.OPEN.value, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    form_id: str | None = Field(default=None, max_length=64, unique=True)


def _milestone_row(m: Milestone) -> MilestoneFacts:
    assert m.id is not None
    return MilestoneFacts(m.id, m.project_id, m.title, m.description, m.due_on, m.done_at)


def _risk_row(r: Risk, owner: Person | None) -> RiskFacts:
    assert r.id is not None
    return RiskFacts(
        r.id,
        r.project_id,
        r.title,
        r.description,
        r.probability,
        r.impact,
        r.score,
        r.mitigation,
        r.owner_id,
        person_name(owner),
        r.state,
    )


class MilestoneRiskRepository(StatusRecords):
    # Milestones -----------------------------------------------------------------------------------------

    def milestones(self, project_id: int) -> list[MilestoneFacts]:
        with self._db.session() as session:
            rows = session.exec(
                select(Milestone)
                .where(Milestone.project_id == project_id)
                .order_by(col(Milestone.due_on), col(Milestone.id))
            ).all()
            return [_milestone_row(m) for m in rows]

    def milestone(self, milestone_id: int) -> MilestoneFacts | None:
        with self._db.session() as session:
            m = session.get(Milestone, milestone_id)
            return _milestone_row(m) if m else None

    def save_milestone(
        self,
        project_id: int,
        milestone_id: int | None,
        values: dict[str, Any],
        *,
        now: datetime,
        form_id: str | None = None,
    ) -> MilestoneFacts:
        if milestone_id is None and form_id and self._form_used(Milestone, form_id):
            raise Duplicate
        with self._db.session() as session:
            if milestone_id is None:
                m = Milestone(project_id=project_id, created_at=now, updated_at=now, form_id=form_id, **values)
            else:
                m = session.get_one(Milestone, milestone_id)
                for key, value in values.items():
                    setattr(m, key, value)
                m.updated_at = now
            session.add(m)
            session.flush()
            return _milestone_row(m)

    def mark_milestone(self, milestone_id: int, *, done: bool, now: datetime) -> bool:
        """Idempotent: marking done what is done already changes nothing (False)."""
        with self._db.session() as session:
            m = session.get_one(Milestone, milestone_id)
            if (m.done_at is not None) == done:
                return False
            m.done_at = now if done else None
            m.updated_at = now
            session.add(m)
            return True

    def milestones_for(
        self, project_ids: Collection[int], *, open_only: bool = True, due_before: date | None = None
    ) -> list[MilestoneFacts]:
        if not project_ids:
            return []
        query = select(Milestone).where(col(Milestone.project_id).in_(sorted(project_ids)))
        if open_only:
            query = query.where(col(Milestone.done_at).is_(None))
        if due_before is not None:
            query = query.where(col(Milestone.due_on) <= due_before)
        with self._db.session() as session:
            rows = session.exec(query.order_by(col(Milestone.due_on), col(Milestone.id))).all()
            return [_milestone_row(m) for m in rows]

    def due_milestones(self, until: date) -> list[tuple[MilestoneFacts, str, str, str | None, str | None]]:
        """Open milestones of active projects due on or before `until`, with project code and name and the
        coordinator's tenant and aad object id (for the reminder): one query."""
        with self._db.session() as session:
            rows = session.exec(
                select(Milestone, Project, Person)
                .join(Project, col(Project.id) == col(Milestone.project_id))
                .join(Person, col(Person.id) == col(Project.coordinator_id))
                .where(
                    col(Milestone.done_at).is_(None),
                    col(Milestone.due_on) <= until,
                    Project.state == "active",
                    col(Person.forgotten_at).is_(None),
                )
                .order_by(col(Milestone.due_on), col(Milestone.id))
            ).all()
            return [
                (_milestone_row(m), p.code, p.name, person.tenant_id, person.aad_object_id) for m, p, person in rows
            ]

    # Risks ----------------------------------------------------------------------------------------------

    def risks(self, project_id: int, *, include_closed: bool = True) -> list[RiskFacts]:
        """Highest score first."""
        query = (
            select(Risk, Person)
            .join(Person, col(Person.id) == col(Risk.owner_id), isouter=True)
            .where(Risk.project_id == project_id)
        )
        if not include_closed:
            query = query.where(col(Risk.state).in_([RiskState.OPEN.value, RiskState.OCCURRED.value]))
        with self._db.session() as session:
            rows = session.exec(query.order_by(col(Risk.score).desc(), col(Risk.id))).all()
            return [_risk_row(r, p) for r, p in rows]

    def risk(self, risk_id: int) -> RiskFacts | None:
        with self._db.session() as session:
            r = session.get(Risk, risk_id)
            if r is None:
                return None
            return _risk_row(r, session.get(Person, r.owner_id) if r.owner_id else None)

    def save_risk(
        self, project_id: int, risk_id: int | None, values: dict[str, Any], *, now: datetime, form_id: str | None = None
    ) -> RiskFacts:
        if risk_id is None and form_id and self._form_used(Risk, form_id):
            raise Duplicate
        values = {**values, "score": int(values["probability"]) * int(values["impact"])}
        with self._db.session() as session:
            if risk_id is None:
                r = Risk(project_id=project_id, created_at=now, updated_at=now, form_id=form_id, **values)
            else:
                r = session.get_one(Risk, risk_id)
                for key, value in values.items():
                    setattr(r, key, value)
                r.updated_at = now
            session.add(r)
            session.flush()
            return _risk_row(r, session.get(Person, r.owner_id) if r.owner_id else None)

    def set_risk_state(self, risk_id: int, state: RiskState, *, now: datetime) -> bool:
        with self._db.session() as session:
            r = session.get_one(Risk, risk_id)
            if r.state == state.value:
                return False
            r.state, r.updated_at = state.value, now
            session.add(r)
            return True

    def top_risks(self, project_ids: Collection[int], per_project: int = 3) -> dict[int, list[RiskFacts]]:
        """The highest-scoring open risks of each project, in one query."""
        if not project_ids:
            return {}
        ranked = (
            select(
                col(Risk.id).label("rid"),
                func.row_number()
                .over(partition_by=col(Risk.project_id), order_by=(col(Risk.score).desc(), col(Risk.id)))
                .label("rn"),
            )
            .where(
                col(Risk.project_id).in_(sorted(project_ids)),
                col(Risk.state).in_([RiskState.OPEN.value, RiskState.OCCURRED.value]),
            )
            .subquery()
        )
        with self._db.session() as session:
            rows = session.exec(
                select(Risk, Person)
                .join(ranked, ranked.c.rid == col(Risk.id))
                .join(Person, col(Person.id) == col(Risk.owner_id), isouter=True)
                .where(ranked.c.rn <= per_project)
                .order_by(col(Risk.project_id), ranked.c.rn)
            ).all()
            found: dict[int, list[RiskFacts]] = {}
            for risk, person in rows:
                found.setdefault(risk.project_id, []).append(_risk_row(risk, person))
            return found
