"""A project's log of decisions and scope changes, and its closing retrospective with the lessons learned; with
the repository that reads and writes them (StatusRepository, storage.status, holds these methods too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Field, SQLModel, col, select

from domain.status import Decision
from storage.projects import Project
from storage.status_base import TEXT_MAX, Duplicate, StatusRecords
from storage.types import UTCDateTime


class DecisionKind(StrEnum):
    DECISION = "decision"
    SCOPE_CHANGE = "scope_change"


class ProjectDecision(SQLModel, table=True):
    """A decision taken, or a change of scope agreed, with who decided (a person or a body, as typed)."""

    __tablename__ = "project_decision"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    kind: str = Field(default=DecisionKind.DECISION.value, max_length=16)
    decided_on: date
    text: str = Field(max_length=TEXT_MAX)
    decided_by: str = Field(default="", max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    form_id: str | None = Field(default=None, max_length=64, unique=True)


class Retrospective(SQLModel, table=True):
    """The closing retrospective of a project, with its lessons learned (one per line) for later projects."""

    __tablename__ = "retrospective"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", unique=True, ondelete="CASCADE")
    went_well: str = Field(default="", max_length=TEXT_MAX)
    to_improve: str = Field(default="", max_length=TEXT_MAX)
    lessons: str = Field(default="", max_length=TEXT_MAX)
    author_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


@dataclass(frozen=True)
class LessonRow:
    project_code: str
    project_name: str
    domain_id: int
    went_well: str
    to_improve: str
    lessons: str
    created_at: datetime


class DecisionRepository(StatusRecords):
    # Decisions and scope changes ------------------------------------------------------------------------

    def add_decision(
        self, project_id: int, values: dict[str, Any], *, recorded_by_id: int | None, now: datetime, form_id: str | None
    ) -> Decision:
        if form_id and self._form_used(ProjectDecision, form_id):
            raise Duplicate
        with self._db.session() as session:
            d = ProjectDecision(
                project_id=project_id, recorded_by_id=recorded_by_id, created_at=now, form_id=form_id, **values
            )
            session.add(d)
            session.flush()
            assert d.id is not None
            return Decision(d.id, d.kind, d.decided_on, d.text, d.decided_by)

    def decisions(self, project_id: int, *, limit: int = 50) -> list[Decision]:
        with self._db.session() as session:
            rows = session.exec(
                select(ProjectDecision)
                .where(ProjectDecision.project_id == project_id)
                .order_by(col(ProjectDecision.decided_on).desc(), col(ProjectDecision.id).desc())
                .limit(limit)
            ).all()
            return [Decision(d.id or 0, d.kind, d.decided_on, d.text, d.decided_by) for d in rows]

    # Retrospective and lessons --------------------------------------------------------------------------

    def retrospective(self, project_id: int) -> Retrospective | None:
        with self._db.session() as session:
            return session.exec(select(Retrospective).where(Retrospective.project_id == project_id)).first()

    def save_retrospective(
        self, project_id: int, values: dict[str, Any], *, author_id: int | None, now: datetime
    ) -> bool:
        """One per project: a second save updates it. False when nothing changed (the same form twice)."""
        with self._db.session() as session:
            retro = session.exec(select(Retrospective).where(Retrospective.project_id == project_id)).first()
            if retro is None:
                retro = Retrospective(
                    project_id=project_id, author_id=author_id, created_at=now, updated_at=now, **values
                )
            else:
                if all(getattr(retro, k) == v for k, v in values.items()):
                    return False
                for key, value in values.items():
                    setattr(retro, key, value)
                retro.updated_at = now
            session.add(retro)
            return True

    def lessons(self, domain_id: int | None = None, *, text: str = "", limit: int = 30) -> list[LessonRow]:
        query = (
            select(Retrospective, Project)
            .join(Project, col(Project.id) == col(Retrospective.project_id))
            .order_by(col(Retrospective.created_at).desc())
            .limit(limit)
        )
        if domain_id is not None:
            query = query.where(Project.domain_id == domain_id)
        if text.strip():
            pattern = f"%{text.strip().lower()}%"
            query = query.where(
                or_(
                    func.lower(Retrospective.lessons).like(pattern),
                    func.lower(Retrospective.went_well).like(pattern),
                    func.lower(Retrospective.to_improve).like(pattern),
                    func.lower(Project.name).like(pattern),
                )
            )
        with self._db.session() as session:
            return [
                LessonRow(p.code, p.name, p.domain_id, r.went_well, r.to_improve, r.lessons, r.created_at)
                for r, p in session.exec(query).all()
            ]
