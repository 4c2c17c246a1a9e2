"""Issue 4 bullets not shown elsewhere: the operator's `admin grant` and `people forget`, the import progress bar,
and a manager's paged `projects` list of their domain."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli_people import run
from storage.audit import AuditLog
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import ProjectRepository
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver
from tests.test_project_turns import grant, shown_card
from tests.test_turns import card_texts, verbs_on

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MARC = TeamsUser.named("Marc Claes", locale="nl-BE")
MEG = TeamsUser.named("Meg Ryan", locale="en-GB", timezone="Europe/London")


def test_admin_grant_by_email_before_they_talk_then_forget_them(db: Database) -> None:
    out = io.StringIO()
    grant_args = argparse.Namespace(verb="admin", admin_verb="grant", person="Ann.Admin@Example.test", role="admin")
    assert run(grant_args, db, now=NOW, out=out) == 0
    assert run(grant_args, db, now=NOW, out=out) == 0
    assert out.getvalue().splitlines() == [
        # Nobody has that address yet: the role waits for whoever Teams reports it for.
        "ann.admin@example.test is now admin (pending: applies once Teams reports this address for someone who "
        "talks to the bot)",
        "ann.admin@example.test already was admin (pending: applies once Teams reports this address for someone "
        "who talks to the bot)",
    ]
    [ann] = DirectoryRepository(db).find("ann.admin@example.test")
    assert ann.id is not None and DirectoryRepository(db).roles(ann.id) == {Role.ADMIN}
    with db.session() as session:
        grants = session.exec(select(AuditLog).where(AuditLog.action == "role.grant")).all()
    assert [(g.actor_id, g.entity_id, g.fields) for g in grants] == [(None, ann.id, ["admin"])]  # the operator

    forget = argparse.Namespace(verb="people", people_verb="forget", email="ann.admin@example.test")
    assert run(forget, db, now=NOW, out=io.StringIO()) == 0
    with db.session() as session:
        assert session.exec(select(Person).where(Person.email == "ann.admin@example.test")).all() == []
    assert DirectoryRepository(db).roles(ann.id) == frozenset()


def test_import_shows_a_progress_bar_on_stderr(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "code,name,domain,coordinator_email,manager_email,budget_hours,start,end,governments"
    rows = [f"DT-{i:03},Project {i},Digitale transformatie,,,10,,," for i in range(1, 121)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out = io.StringIO()
    args = argparse.Namespace(
        verb="import", import_verb="projects", file=path, dry_run=False, create_missing=False, progress=True
    )
    assert run(args, db, now=NOW, out=out) == 0
    err = capsys.readouterr().err
    assert "[" + "#" * 30 + "] 120/120" in err
    assert "1/120" in err and err.count("\r") == 120
    assert out.getvalue().splitlines()[-1] == "120 created, 0 updated, 0 unchanged, 0 rejected"
    quiet = io.StringIO()
    again = argparse.Namespace(**{**vars(args), "progress": False})
    assert run(again, db, now=NOW, out=quiet) == 0
    assert capsys.readouterr().err == ""  # not a terminal and not asked: no bar
    assert quiet.getvalue().splitlines()[-1] == "0 created, 0 updated, 120 unchanged, 0 rejected"


@pytest.mark.parametrize(
    ("user", "command", "why", "page", "next_label"),
    [
        (MARC, "projecten", "in je domein", "Pagina 1 van 2", "Volgende"),
        (MEG, "projects", "in your domain", "Page 1 of 2", "Next"),
    ],
    ids=["nl", "en"],
)
async def test_manager_sees_their_domain_paged(
    bot: BotDriver, db: Database, user: TeamsUser, command: str, why: str, page: str, next_label: str
) -> None:
    manager_id = await grant(bot, db, user, Role.MANAGER)
    directory = DirectoryRepository(db)
    directory.set_managed_domains(manager_id, {2}, actor_id=None, now=NOW)  # Digital transformation
    projects = ProjectRepository(db)
    for i in range(1, 11):
        projects.create(f"DT-{i:03}", {"name": f"Loket {i}", "domain_id": 2}, [], actor_id=None, now=NOW)
    projects.create("TI-001", {"name": "Netwerk", "domain_id": 1}, [], actor_id=None, now=NOW)

    first = (await bot.say(user, command)).cards[0]
    texts = card_texts(first)
    assert page in texts and why in texts and next_label in texts
    assert "DT-001" in texts and "DT-008" in texts and "DT-009" not in texts and "TI-001" not in texts
    assert "projects.page" in verbs_on(first)
    second = shown_card(await bot.submit(user, {"verb": "projects.page", "page": 2}))
    texts = card_texts(second)
    assert "DT-009" in texts and "DT-010" in texts and "DT-001" not in texts and "TI-001" not in texts
    # A manager reads a project of their domain, but changes nothing in it.
    card = (await bot.say(user, "project DT-003")).cards[0]
    assert "projects.edit" not in verbs_on(card)
