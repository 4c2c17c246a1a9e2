"""A project's status over time: its status reports (all kept), the portfolio that gathers them with the
milestones and risks, and each manager's weekly digest preference; with the repository (StatusRepository) that also
holds the milestones and risks (storage.milestones_risks) and the decisions and retrospectives (storage.decisions)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Index, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, select

from domain.status import Report
from storage.decisions import DecisionRepository
from storage.milestones_risks import Milestone, MilestoneRiskRepository, Risk, RiskState
from storage.models import Person
from storage.projects import Project, ProjectGovernment
from storage.status_base import TEXT_MAX, Duplicate, person_name
from storage.types import UTCDateTime

# Read from here by the status capability, next to the repository.
__all__ = ["DigestPreference", "Duplicate", "PortfolioRow", "Rag", "RiskState", "StatusReport", "StatusRepository"]


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


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
        author=person_name(author),
        created_at=report.created_at,
    )


class StatusRepository(MilestoneRiskRepository, DecisionRepository):
    """A project's status reports, the portfolio and the digest preferences; with the milestones and risks
    (storage.milestones_risks) and the decisions and retrospectives (storage.decisions) of its parents."""

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

    # The portfolio: a fixed number of queries whatever the number of projects --------------------------

    def portfolio(
        self,
        domain_ids: Collection[int],
        *,
        today: date,
        managed_by: int | None = None,
        in_domain: int | None = None,
        coordinator_id: int | None = None,
        government_id: int | None = None,
        include_closed: bool = False,
    ) -> list[PortfolioRow]:
        """Every project in these domains, and those the data names `managed_by` manager of, with its latest two
        reports, late and next milestones and open risks; `in_domain`, `coordinator_id`, `government_id` narrow it.

        Four queries: projects (with coordinator), the two latest reports (window function), milestone
        aggregates, risk aggregates."""
        seen = _seen_by(domain_ids, managed_by)
        if seen is None:
            return []
        query = (
            select(Project, Person)
            .join(Person, col(Person.id) == col(Project.coordinator_id), isouter=True)
            .where(seen)
        )
        if not include_closed:
            query = query.where(Project.state != "closed")
        if in_domain is not None:
            query = query.where(Project.domain_id == in_domain)
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
            subset = _ids_filter(ids, len(projects), seen)
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
        reports = self.latest_two(ids) if len(ids) <= 900 else self._latest_two_among(seen)
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
                    coordinator=person_name(coordinator),
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

    def _latest_two_among(self, seen: ColumnElement[bool]) -> dict[int, list[Report]]:
        """latest_two for very large portfolios: filtered by domain (and manager) through a join instead of a list
        of ids."""
        return self._latest_two_where(
            lambda query: query.join(Project, col(Project.id) == col(StatusReport.project_id)).where(seen)
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


def _seen_by(domain_ids: Collection[int], managed_by: int | None) -> ColumnElement[bool] | None:
    """The projects a portfolio covers: those of these domains, and those the data names `managed_by` manager of;
    None when it covers none."""
    parts: list[ColumnElement[bool]] = []
    if domain_ids:
        parts.append(col(Project.domain_id).in_(sorted(domain_ids)))
    if managed_by is not None:
        parts.append(col(Project.manager_id) == managed_by)
    return or_(*parts) if parts else None


def _ids_filter(ids: list[int], count: int, seen: ColumnElement[bool]) -> Any:
    """Restrict aggregate queries to the portfolio's projects: by id list when short, by what the portfolio covers
    otherwise (keeps the statement small and its plan stable however many projects there are)."""
    if count <= 900:
        return col(Project.id).in_(ids)
    return seen
