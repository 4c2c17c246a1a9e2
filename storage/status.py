"""A project's status over time: status reports (all kept), milestones, risks, decisions and scope changes,
the closing retrospective with its lessons, and each manager's weekly digest preference; with their repository."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select

from domain.status import Decision, MilestoneFacts, Report, RiskFacts
from storage.db import Database
from storage.models import Person
from storage.projects import Project, ProjectGovernment
from storage.types import UTCDateTime

TEXT_MAX = 4000


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class RiskState(StrEnum):
    OPEN = "open"
    MITIGATED = "mitigated"
    OCCURRED = "occurred"
    CLOSED = "closed"


class DecisionKind(StrEnum):
    DECISION = "decision"
    SCOPE_CHANGE = "scope_change"


class StatusReport(SQLModel, table=True):
    """One status update of a project; never changed afterwards, so the history is the list of these."""

    __tablename__ = "status_report"
    __table_args__ = (Index("ix_status_report_project_created", "project_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    overall: str = Field(max_length=8)
    schedule: str = Field(max_length=8)
    budget: str = Field(max_length=8)
    scope: str = Field(max_length=8)
    summary: str = Field(default="", max_length=TEXT_MAX)
    achievements: str = Field(default="", max_length=TEXT_MAX)
    next_steps: str = Field(default="", max_length=TEXT_MAX)
    decisions_needed: str = Field(default="", max_length=TEXT_MAX)
    blockers: str = Field(default="", max_length=TEXT_MAX)
    author_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    # The card form this came from: the same form submitted twice is stored once.
    form_id: str | None = Field(default=None, max_length=64, unique=True)


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


class DigestPreference(SQLModel, table=True):
    """When a manager wants the weekly digest (in their own time zone); no row means the default."""

    __tablename__ = "digest_preference"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    weekday: str = Field(default="monday", max_length=10)
    at_time: str = Field(default="08:30", max_length=5)  # HH:MM local
    enabled: bool = True
    stale_days: int = 14
    updated_at: datetime = Field(sa_type=UTCDateTime)


# Plain values handed to dialogs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonRow:
    project_code: str
    project_name: str
    domain_id: int
    went_well: str
    to_improve: str
    lessons: str
    created_at: datetime


@dataclass(frozen=True)
class PortfolioRow:
    """Everything the portfolio card needs of one project, gathered by a fixed number of queries."""

    project_id: int
    code: str
    name: str
    domain_id: int
    coordinator_id: int | None
    coordinator: str | None
    phase: str
    state: str
    budget_hours: Any
    latest: Report | None
    previous: Report | None
    late_milestones: int
    next_due: date | None
    open_risks: int
    top_risk_score: int


def _name(person: Person | None) -> str | None:
    return (person.name or person.email or None) if person is not None else None


def _report_row(report: StatusReport, author: Person | None) -> Report:
    assert report.id is not None
    return Report(
        id=report.id,
        project_id=report.project_id,
        overall=report.overall,
        schedule=report.schedule,
        budget=report.budget,
        scope=report.scope,
        summary=report.summary,
        achievements=report.achievements,
        next_steps=report.next_steps,
        decisions_needed=report.decisions_needed,
        blockers=report.blockers,
        author=_name(author),
        created_at=report.created_at,
    )


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
        _name(owner),
        r.state,
    )


class Duplicate(Exception):
    """The same form was submitted before: nothing new was stored."""


class StatusRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Status reports -------------------------------------------------------------------------------------

    def add_report(
        self, project_id: int, values: dict[str, Any], *, author_id: int | None, now: datetime, form_id: str | None
    ) -> Report:
        """Raises Duplicate when this form was stored already."""
        if form_id and self._form_used(StatusReport, form_id):
            raise Duplicate
        try:
            with self._db.session() as session:
                report = StatusReport(
                    project_id=project_id, author_id=author_id, created_at=now, form_id=form_id, **values
                )
                session.add(report)
                session.flush()
                author = session.get(Person, author_id) if author_id else None
                return _report_row(report, author)
        except IntegrityError as clash:
            if form_id and self._form_used(StatusReport, form_id):
                raise Duplicate from clash
            raise

    def reports(self, project_id: int, *, limit: int = 20, offset: int = 0) -> list[Report]:
        """Newest first."""
        with self._db.session() as session:
            rows = session.exec(
                select(StatusReport, Person)
                .join(Person, col(Person.id) == col(StatusReport.author_id), isouter=True)
                .where(StatusReport.project_id == project_id)
                .order_by(col(StatusReport.created_at).desc(), col(StatusReport.id).desc())
                .offset(offset)
                .limit(limit)
            ).all()
            return [_report_row(r, p) for r, p in rows]

    def count_reports(self, project_id: int) -> int:
        with self._db.session() as session:
            return int(session.exec(select(func.count()).where(StatusReport.project_id == project_id)).one())

    def latest_two(self, project_ids: Collection[int]) -> dict[int, list[Report]]:
        """The latest and the previous report of each project, in one query (a window function)."""
        if not project_ids:
            return {}
        return self._latest_two_where(lambda query: query.where(col(StatusReport.project_id).in_(sorted(project_ids))))

    def reports_between(self, project_ids: Collection[int], start: datetime, end: datetime) -> list[Report]:
        if not project_ids:
            return []
        with self._db.session() as session:
            rows = session.exec(
                select(StatusReport, Person)
                .join(Person, col(Person.id) == col(StatusReport.author_id), isouter=True)
                .where(
                    col(StatusReport.project_id).in_(sorted(project_ids)),
                    col(StatusReport.created_at) >= start,
                    col(StatusReport.created_at) < end,
                )
                .order_by(col(StatusReport.created_at))
            ).all()
            return [_report_row(r, p) for r, p in rows]

    def reports_before(self, project_ids: Collection[int], before: datetime) -> dict[int, Report]:
        """Each project's last report before an instant (the state a week ago), in one query."""
        if not project_ids:
            return {}
        ranked = (
            select(
                col(StatusReport.id).label("rid"),
                func.row_number()
                .over(
                    partition_by=col(StatusReport.project_id),
                    order_by=(col(StatusReport.created_at).desc(), col(StatusReport.id).desc()),
                )
                .label("rn"),
            )
            .where(col(StatusReport.project_id).in_(sorted(project_ids)), col(StatusReport.created_at) < before)
            .subquery()
        )
        with self._db.session() as session:
            rows = session.exec(
                select(StatusReport).join(ranked, ranked.c.rid == col(StatusReport.id)).where(ranked.c.rn == 1)
            ).all()
            return {r.project_id: _report_row(r, None) for r in rows}

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

    # The portfolio: a fixed number of queries whatever the number of projects --------------------------

    def portfolio(
        self,
        domain_ids: Collection[int],
        *,
        today: date,
        coordinator_id: int | None = None,
        government_id: int | None = None,
        include_closed: bool = False,
    ) -> list[PortfolioRow]:
        """Every project in these domains with its latest two reports, late and next milestones and open risks.

        Four queries: projects (with coordinator), the two latest reports (window function), milestone
        aggregates, risk aggregates."""
        if not domain_ids:
            return []
        query = (
            select(Project, Person)
            .join(Person, col(Person.id) == col(Project.coordinator_id), isouter=True)
            .where(col(Project.domain_id).in_(sorted(domain_ids)))
        )
        if not include_closed:
            query = query.where(Project.state != "closed")
        if coordinator_id is not None:
            query = query.where(Project.coordinator_id == coordinator_id)
        if government_id is not None:
            query = query.where(
                col(Project.id).in_(
                    select(ProjectGovernment.project_id).where(ProjectGovernment.government_id == government_id)
                )
            )
        with self._db.session() as session:
            projects = session.exec(query.order_by(col(Project.code))).all()
            ids = [p.id for p, _ in projects if p.id is not None]
            if not ids:
                return []
            subset = _ids_filter(ids, len(projects), domain_ids)
            milestone_stats = {
                pid: (int(late or 0), next_due)
                for pid, late, next_due in session.exec(
                    select(
                        Milestone.project_id,
                        func.sum(case((col(Milestone.due_on) < today, 1), else_=0)),
                        func.min(Milestone.due_on),
                    )
                    .join(Project, col(Project.id) == col(Milestone.project_id))
                    .where(col(Milestone.done_at).is_(None), subset)
                    .group_by(col(Milestone.project_id))
                ).all()
            }
            risk_stats = {
                pid: (int(count), int(top or 0))
                for pid, count, top in session.exec(
                    select(Risk.project_id, func.count(), func.max(Risk.score))
                    .join(Project, col(Project.id) == col(Risk.project_id))
                    .where(col(Risk.state).in_([RiskState.OPEN.value, RiskState.OCCURRED.value]), subset)
                    .group_by(col(Risk.project_id))
                ).all()
            }
        reports = self.latest_two(ids) if len(ids) <= 900 else self._latest_two_in_domains(domain_ids)
        rows: list[PortfolioRow] = []
        for project, coordinator in projects:
            assert project.id is not None
            latest = reports.get(project.id, [])
            late, next_due = milestone_stats.get(project.id, (0, None))
            open_risks, top = risk_stats.get(project.id, (0, 0))
            rows.append(
                PortfolioRow(
                    project_id=project.id,
                    code=project.code,
                    name=project.name,
                    domain_id=project.domain_id,
                    coordinator_id=project.coordinator_id,
                    coordinator=_name(coordinator),
                    phase=project.phase,
                    state=project.state,
                    budget_hours=project.budget_hours,
                    latest=latest[0] if latest else None,
                    previous=latest[1] if len(latest) > 1 else None,
                    late_milestones=late,
                    next_due=next_due,
                    open_risks=open_risks,
                    top_risk_score=top,
                )
            )
        return rows

    def _latest_two_in_domains(self, domain_ids: Collection[int]) -> dict[int, list[Report]]:
        """latest_two for very large portfolios: filtered by domain through a join instead of a list of ids."""
        return self._latest_two_where(
            lambda query: query.join(Project, col(Project.id) == col(StatusReport.project_id)).where(
                col(Project.domain_id).in_(sorted(domain_ids))
            )
        )

    def _latest_two_where(self, narrow: Callable[[Any], Any]) -> dict[int, list[Report]]:
        """The two newest reports per project among those `narrow` keeps, with their authors, in one query."""
        ranked = narrow(
            select(
                col(StatusReport.id).label("rid"),
                func.row_number()
                .over(
                    partition_by=col(StatusReport.project_id),
                    order_by=(col(StatusReport.created_at).desc(), col(StatusReport.id).desc()),
                )
                .label("rn"),
            )
        ).subquery()
        with self._db.session() as session:
            rows = session.exec(
                select(StatusReport, Person)
                .join(ranked, ranked.c.rid == col(StatusReport.id))
                .join(Person, col(Person.id) == col(StatusReport.author_id), isouter=True)
                .where(ranked.c.rn <= 2)
                .order_by(col(StatusReport.project_id), ranked.c.rn)
            ).all()
            found: dict[int, list[Report]] = {}
            for report, person in rows:
                found.setdefault(report.project_id, []).append(_report_row(report, person))
            return found

    # Digest preferences ---------------------------------------------------------------------------------

    def digest_preferences(self, person_ids: Collection[int]) -> dict[int, DigestPreference]:
        if not person_ids:
            return {}
        with self._db.session() as session:
            rows = session.exec(
                select(DigestPreference).where(col(DigestPreference.person_id).in_(sorted(person_ids)))
            ).all()
            return {p.person_id: p for p in rows}

    def save_digest_preference(
        self, person_id: int, *, weekday: str, at_time: str, enabled: bool, stale_days: int, now: datetime
    ) -> None:
        with self._db.session() as session:
            pref = session.get(DigestPreference, person_id) or DigestPreference(person_id=person_id, updated_at=now)
            pref.weekday, pref.at_time, pref.enabled, pref.stale_days = weekday, at_time, enabled, stale_days
            pref.updated_at = now
            session.add(pref)

    # Helpers --------------------------------------------------------------------------------------------

    def _form_used(self, table: Any, form_id: str) -> bool:
        with self._db.session() as session:
            return session.exec(select(table.id).where(table.form_id == form_id)).first() is not None


def _ids_filter(ids: list[int], count: int, domain_ids: Collection[int]) -> Any:
    """Restrict aggregate queries to the portfolio's projects: by id list when short, by domain otherwise
    (keeps the statement small and its plan stable however many projects there are)."""
    if count <= 900:
        return col(Project.id).in_(ids)
    return col(Project.domain_id).in_(sorted(domain_ids))
