"""What the project search of the message extension reads: every project a person may see, with the words a search
matches (code, name, local governments, coordinator) and whether it is the person's own, in two queries whatever
the number of projects (it runs as the person types)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from storage.db import Database
from storage.models import Person
from storage.projects import Government, Project, ProjectGovernment, Visibility, person_label

_COORDINATOR = aliased(Person, name="coordinator")


@dataclass(frozen=True)
class SearchRow:
    id: int
    code: str
    name: str
    state: str
    phase: str
    coordinator: str | None
    governments: tuple[str, ...]
    own: bool  # coordinates, manages or is on the team of it (not only sees it through a domain or as admin)


def searchable(db: Database, visible_to: Visibility) -> list[SearchRow]:
    """Every project `visible_to` may see, by code."""
    own = Visibility(visible_to.person_id).condition()
    assert own is not None
    query = select(Project, _COORDINATOR, case((own, True), else_=False)).outerjoin(
        _COORDINATOR, col(_COORDINATOR.id) == col(Project.coordinator_id)
    )
    if (visible := visible_to.condition()) is not None:
        query = query.where(visible)
    with db.session() as session:
        rows = list(session.exec(query.order_by(col(Project.code))))
        # The same projects' governments, by the same condition (no list of ids, however many projects).
        names = (
            select(ProjectGovernment.project_id, Government.name)
            .join(Government, col(Government.id) == col(ProjectGovernment.government_id))
            .join(Project, col(Project.id) == col(ProjectGovernment.project_id))
        )
        if visible is not None:
            names = names.where(visible)
        governments: dict[int, list[str]] = {}
        for project_id, name in session.exec(names):
            governments.setdefault(project_id, []).append(name)
    return [
        SearchRow(
            id=project.id,
            code=project.code,
            name=project.name,
            state=project.state,
            phase=project.phase,
            coordinator=person_label(coordinator),
            governments=tuple(sorted(governments.get(project.id, []))),
            own=bool(mine),
        )
        for project, coordinator, mine in rows
        if project.id is not None
    ]
