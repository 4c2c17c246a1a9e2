"""Project lookup, linking people named by email, own-data export, erasure (every table scanned) and retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table on the metadata)
from dialogs.projects.project_import import import_projects
from storage.audit import AuditLog, record_audit
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.linking import LinkRepository
from storage.people import PersonRepository, PersonSeen
from storage.privacy import PrivacyRepository, export_csv, export_json
from storage.projects import ProjectRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TENANT = "tenant-1"


def seed(db: Database) -> None:
    rows = [
        {"code": "DT-042", "name": "Digitaal loket", "domain": "Digitale transformatie",
         "coordinator_email": "an@example.test", "governments": "Gemeente Zottegem"},
        {"code": "DT-043", "name": "Digitaal archief", "domain": "Digital transformation"},
        {"code": "TI-007", "name": "Netwerk stadhuis", "domain": "Technologie & infrastructuur"},
    ]  # fmt: skip
    report = import_projects(db, rows, now=NOW, create_missing=True)
    assert all(r.outcome == "created" for r in report.rows)


def test_lookup_exact_partial_ambiguous_unknown(db: Database) -> None:
    seed(db)
    projects = ProjectRepository(db)
    assert (found := projects.lookup("dt-042").found) is not None and found.code == "DT-042"
    assert (found := projects.lookup("  NETWERK ").found) is not None and found.code == "TI-007"
    assert (found := projects.lookup("archief").found) is not None and found.code == "DT-043"
    several = projects.lookup("digitaal")
    assert several.found is None and [c for c, _ in several.candidates] == ["DT-042", "DT-043"]
    typo = projects.lookup("netwrek")
    assert typo.found is None and typo.suggestions[0][0] == "TI-007"
    assert projects.lookup("zwembad").suggestions == []
    assert projects.lookup("100%_").found is None  # LIKE wildcards are taken literally


def seen(name: str) -> PersonSeen:
    return PersonSeen(TENANT, f"aad-{name}", f"29:{name}", name.title(), "nl-BE", "Europe/Brussels")


def test_a_placeholder_is_linked_when_the_person_talks(db: Database) -> None:
    seed(db)
    directory = DirectoryRepository(db)
    placeholder = directory.person_for_email("AN@example.test", now=NOW)
    assert placeholder.id is not None
    directory.grant(placeholder.id, Role.COORDINATOR, actor_id=None, now=NOW)
    an = PersonRepository(db).record_seen(seen("an"), NOW)
    assert an.id is not None
    LinkRepository(db).link_email(an.id, "an@example.test", now=NOW)
    assert directory.find("an@example.test") == [directory.find(an.aad_object_id)[0]], "the placeholder is gone"
    assert directory.roles(an.id) == {Role.COORDINATOR}
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None and project.coordinator_id == an.id
    assert [p.code for p in ProjectRepository(db).for_person(an.id)] == ["DT-042"]


def make_an(db: Database) -> int:
    seed(db)
    an = PersonRepository(db).record_seen(seen("an"), NOW)
    assert an.id is not None
    directory = DirectoryRepository(db)
    LinkRepository(db).link_email(an.id, "an@example.test", now=NOW)
    directory.grant(an.id, Role.MANAGER, actor_id=an.id, now=NOW)
    directory.set_managed_domains(an.id, {1}, actor_id=an.id, now=NOW)
    project = ProjectRepository(db).by_code("TI-007")
    assert project is not None
    ProjectRepository(db).add_member(project.id, an.id, role="architect", external=False, actor_id=an.id, now=NOW)
    return an.id


def test_export_contains_everything_about_the_person(db: Database) -> None:
    an_id = make_an(db)
    data = PrivacyRepository(db).export(an_id)
    assert data["person"][0]["email"] == "an@example.test"
    assert data["person"][0]["name"] == "An"
    assert [r["role"] for r in data["roles"]] == ["manager"]
    assert data["managed_domains"] == [
        {"domain_nl": "Technologie en infrastructuur", "domain_en": "Technology and infrastructure"}
    ]
    assert {(p["project"], p["as"]) for p in data["projects"]} == {("DT-042", "coordinator"), ("TI-007", "team member")}
    assert {a["action"] for a in data["changes_made"]} == {"role.grant", "role.domains", "team.add"}
    parsed = json.loads(export_json(data))
    assert parsed["person"][0]["aad_object_id"] == "aad-an"
    assert "person,1,email,an@example.test" in export_csv(data)


def all_text_in_database(db: Database) -> str:
    """Every value of every row of every table, as one text to search for leftovers."""
    dump = []
    with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                dump.append(f"{table.name}: {[str(v) for v in row]}")
    return "\n".join(dump)


def test_forget_leaves_no_personal_data_in_any_table_and_keeps_projects(db: Database) -> None:
    an_id = make_an(db)
    with db.session() as session:
        record_audit(
            session, actor_id=an_id, action="project.update", entity="project", entity_id=1, fields=["name"], now=NOW
        )
    before = ProjectRepository(db).by_code("DT-042")
    assert before is not None
    assert "an@example.test" in all_text_in_database(db)

    PrivacyRepository(db).forget(an_id, now=NOW)

    leftovers = all_text_in_database(db)
    for identity in ("an@example.test", "aad-an", "29:an", "'An'"):
        assert identity not in leftovers, identity
    after = ProjectRepository(db).by_code("DT-042")
    assert after is not None
    assert (after.name, after.budget_hours, after.governments) == (before.name, before.budget_hours, before.governments)
    assert after.coordinator_id is None and after.team == ()
    with db.session() as session:
        # The audit rows stay, pointing at the anonymous key.
        from sqlmodel import select

        actions = session.exec(select(AuditLog.action).where(AuditLog.actor_id == an_id)).all()
        assert "project.update" in actions
    assert DirectoryRepository(db).roles(an_id) == frozenset()


def test_forget_by_email_for_someone_who_never_talked(db: Database) -> None:
    seed(db)
    assert PrivacyRepository(db).forget_by_email("AN@example.test", now=NOW)
    assert "an@example.test" not in all_text_in_database(db)
    assert PrivacyRepository(db).forget_by_email("an@example.test", now=NOW) == []


def test_retention_deletes_only_what_is_older_than_seven_years(db: Database) -> None:
    with db.session() as session:
        record_audit(
            session,
            actor_id=None,
            action="old",
            entity="project",
            entity_id=1,
            fields=[],
            now=NOW - timedelta(days=7 * 366),
        )
        record_audit(
            session,
            actor_id=None,
            action="recent",
            entity="project",
            entity_id=1,
            fields=[],
            now=NOW - timedelta(days=6 * 365),
        )
    assert PrivacyRepository(db).apply_retention(now=NOW) == {"audit_log": 1, "stored_file": 0, "time_entry": 0}
    with db.session() as session:
        from sqlmodel import select

        assert [a.action for a in session.exec(select(AuditLog))] == ["recent"]
