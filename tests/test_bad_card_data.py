"""Bad input never becomes a server error or junk data (issue 12, item 4): every registered card verb, sent hostile
values in each field its payload has (ids past PostgreSQL's bigint, dates in year 1 or 9999, NUL characters, lone
surrogates, digits Python reads but int() does not), gets a normal answer in the person's language; no ERROR is
logged and no row is added or changed. On both databases.

The world is set up over HTTP like a conversation; the walk itself (hundreds of cases) calls the router directly,
as the transport does, so it stays fast; the cases only the transport sees (JSON with a lone surrogate) go over
HTTP."""

from __future__ import annotations

import logging
import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

import storage.tables  # noqa: F401  (every table registered in the metadata)
from cards.payloads import Payload, free_text_fields
from dialogs.app import build_registry, build_router
from dialogs.kernel.clock import Clock
from dialogs.kernel.turn import Reply, Request, Services, Where
from storage.db import Database
from storage.directory import Role
from storage.models import Person
from storage.people import person_facts
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver, TurnResult
from tests.test_project_turns import AN, create_project, form_data, grant

CHANNEL = Conversation.channel(team_name="Digitaal loket")
# Rows every turn touches (who was seen when, where) and machinery; everything else must not change.
VOLATILE = {"person", "conversation_ref", "bot_state", "lease", "alembic_version"}
APOLOGIES = ("Sorry, er ging bij mij iets mis", "ik kan mijn database", "Sorry, something went wrong", "cannot reach")

HOSTILE_INTS: list[Any] = [2**63, -(2**63) - 1]
HOSTILE_DATES: list[Any] = ["0001-01-01", "9999-12-31"]
# For fields the bot reads as something (a code, an id, a date, a number, a choice): look-alikes it must not take.
HOSTILE_TEXTS: list[Any] = ["DT-042\x00", "9" * 20, "9999-12-31", "0001-01-01", "²", "1e400"]
# For free text (any readable text is a fine note or title): only what cannot be stored.
HOSTILE_PROSE: list[Any] = ["DT-042\x00"]


def dump(db: Database) -> dict[str, list[str]]:
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in VOLATILE]
    found: dict[str, list[str]] = {}
    with db.engine.connect() as connection:
        for name in tables:
            rows = connection.execute(text(f'SELECT * FROM "{name}"')).all()
            found[name] = sorted(repr(tuple(row)) for row in rows)
    return found


def field_kinds(model: type[Any]) -> dict[str, set[type]]:
    """Each field's plain types (Optional and Annotated unwrapped)."""
    kinds: dict[str, set[type]] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else ()
        kinds[name] = {a for a in (args or (annotation,)) if isinstance(a, type)}
    return kinds


def hostile_values(kinds: set[type], *, prose: bool) -> list[Any]:
    if bool in kinds:
        return []
    if date in kinds:
        return HOSTILE_DATES
    if int in kinds:
        return HOSTILE_INTS
    if str in kinds:
        return HOSTILE_PROSE if prose else HOSTILE_TEXTS
    return []


async def world(bot: BotDriver, db: Database) -> dict[str, Any]:
    """A project with one of everything, An its coordinator, a manager and an administrator, in its channel (a
    weekly meeting on Tuesdays from 24 November 2026, six times, with a report of the first). The
    values each verb's other fields get, so that a hostile value reaches as deep into the handler as it can."""
    an_id = await grant(bot, db, AN, Role.COORDINATOR)
    await grant(bot, db, AN, Role.ADMIN)
    await grant(bot, db, AN, Role.MANAGER)
    await create_project(bot, AN)
    await bot.say(AN, "help", conversation=CHANNEL)
    await bot.say(AN, "registreer 2u DT-042 analyse", conversation=CHANNEL)
    meeting = (await bot.say(AN, "nieuwe vergadering DT-042", conversation=CHANNEL)).cards[0]
    series = {"title": "Werkgroep", "kind": "working_group", "date": "2026-11-24", "time": "10:00"}
    await bot.submit(AN, {**form_data(meeting), **series, "repeat": "weekly", "count": "6"}, conversation=CHANNEL)
    status = {"overall": "green", "schedule": "green", "budget": "green", "scope": "green", "summary": "Goed"}
    await bot.submit(AN, {"verb": "status.save", "code": "DT-042", "form_id": "s1", **status})
    await bot.submit(AN, {"verb": "milestones.save", "code": "DT-042", "title": "Start", "due": "2026-12-01"})
    risk = {"title": "Leverancier", "probability": "2", "impact": "3", "state": "open"}
    await bot.submit(AN, {"verb": "risks.save", "code": "DT-042", **risk})
    await bot.submit(AN, {"verb": "decisions.save", "code": "DT-042", "date": "2026-11-20", "text": "Ja"})
    plan = {"receiver": "An Peeters", "planned": "2027-01-29", "after_care": "3 maanden", "support": "An Peeters"}
    await bot.submit(AN, {"verb": "handover.save", "code": "DT-042", "form_id": "h1", **plan})
    report = {"decisions": "Ja", "action_1": "Offerte vragen", "owner_1": "An Peeters", "due_1": "2026-12-01"}
    await bot.submit(AN, {"verb": "meeting.report_save", "series": 1, "occurrence": "2026-11-24", **report})
    return {
        "code": "DT-042",
        "series": 1,
        "occurrence": "2026-12-01",
        "handover": 1,
        "item": 1,
        "milestone": 1,
        "risk": 1,
        "entry_id": 1,
        "action": 1,
        "monday": "2026-11-23",
        "page": 1,
        "lead": 60,
        "owner": an_id,
        "command": "project",
        "scope": "person",
    }


# Where a field name means different things per verb.
PER_VERB: dict[str, dict[str, Any]] = {"outbox.opt_out": {"kind": "meeting.reminder"}}


def base_data(base: dict[str, Any], verb: str, model: type[Any]) -> dict[str, Any]:
    return {**{k: base[k] for k in model.model_fields if k in base}, **PER_VERB.get(verb, {})}


@dataclass
class Direct:
    """The router as the transport calls it, for one person in the project's channel."""

    db: Database
    clock: Clock
    person: Person

    async def submit(self, verb: str, data: dict[str, Any]) -> Reply:
        services = Services(
            db=self.db,
            clock=self.clock,
            default_language="nl",
            default_timezone="Europe/Brussels",
            capabilities=build_registry(),
        )
        where = Where("msteams", CHANNEL.id, "channel", TENANT, team_id=CHANNEL.team_id)
        request = Request(
            kind="submit",
            person=person_facts(self.person),
            where=where,
            language="nl",
            timezone="Europe/Brussels",
            verb=verb,
            payload=data,
            activity_id="1700000000001",
        )
        return await build_router().dispatch(request, services)


def reply_problems(reply: Reply) -> list[str]:
    said = reply.texts
    if not said and not reply.cards and reply.replace_card is None:
        return ["no answer"]
    if any(apology in text for text in said for apology in APOLOGIES):
        return [f"answered {said[0][:80]!r}"]
    return []


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    errors = [f"ERROR logged: {r.getMessage()[:160]!r}" for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    return errors


async def test_every_card_verb_refuses_hostile_values_cleanly(
    bot: BotDriver, db: Database, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    base = await world(bot, db)
    with db.session() as session:
        [person] = session.exec(select(Person).where(Person.aad_object_id == AN.aad_object_id)).all()
    direct = Direct(db, clock, person)
    router = build_router()
    failures: list[str] = []
    before = dump(db)
    for verb in router.verbs():
        model = router._actions[verb].payload
        prose = free_text_fields(model)
        for name, kinds in field_kinds(model).items():
            for value in hostile_values(kinds, prose=name in prose):
                data = base_data(base, verb, model)
                case = f"{verb} {name}={value!r:.30}"
                caplog.clear()
                try:
                    reply = await direct.submit(verb, {**data, name: value})
                except Exception as exc:  # what the transport would turn into an apology and an ERROR line
                    failures.append(f"{case}: raised {exc!r:.160}")
                    continue
                failures += [f"{case}: {problem}" for problem in reply_problems(reply) + logged_errors(caplog)]
                after = dump(db)
                changed = [table for table in before if before[table] != after[table]]
                if changed:
                    failures.append(f"{case}: rows changed in {changed}")
                    before = after
    assert failures == []


def http_problems(result: TurnResult, caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [f"HTTP {result.status}"] if result.status >= 400 else []
    said = [*result.texts, *([result.invoke_message] if result.invoke_message else [])]
    if not said and not result.cards and not result.updated and result.invoke_card is None:
        found.append("no answer")
    if any(apology in text for text in said for apology in APOLOGIES):
        found.append(f"answered {said[0][:80]!r}")
    return found + logged_errors(caplog)


async def test_text_that_is_no_utf8_is_refused_over_http(
    bot: BotDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """JSON may carry a lone surrogate (\\ud800): valid JSON, no valid text. Every verb's first text field, and
    a typed command, get a readable refusal; nothing is stored."""
    base = await world(bot, db)
    router = build_router()
    failures: list[str] = []
    before = dump(db)
    for verb in router.verbs():
        model = router._actions[verb].payload
        texts = [name for name, kinds in field_kinds(model).items() if str in kinds]
        if not texts:
            continue
        data = base_data(base, verb, model)
        caplog.clear()
        result = await bot.submit(AN, {"verb": verb, **data, texts[0]: "DT-042\ud800"}, conversation=CHANNEL)
        failures += [f"{verb} {texts[0]}: {problem}" for problem in http_problems(result, caplog)]
    for typed in ("project DT-042\ud800", "registreer 2u DT-042 \ud800", "agenda DT-042 \x00"):
        caplog.clear()
        result = await bot.say(AN, typed, conversation=CHANNEL)
        failures += [f"{typed!r}: {problem}" for problem in http_problems(result, caplog)]
        assert result.texts == [
            "Dat bericht bevat tekens die ik niet kan lezen (zoals een nulteken); er is niets bewaard."
        ]
    assert failures == []
    assert dump(db) == before


def test_every_card_payload_has_the_storable_base() -> None:
    """A new verb's payload model gets the checks by construction, or this fails."""
    router = build_router()
    bare = [verb for verb in router.verbs() if not issubclass(router._actions[verb].payload, Payload)]
    assert bare == []


# Typed text: too long, or a lookup that would be many queries -------------------------------------------------

TOO_LONG_NL = (
    "Dat bericht is te lang voor een opdracht: ik lees er tot 2000 tekens. Er is niets bewaard. Kort het in, "
    "of gebruik het formulier (typ **hulp**)."
)


async def test_a_50_kb_command_is_refused_as_too_long_not_as_a_database_problem(
    bot: BotDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    before = dump(db)
    for typed in ("project " + "x" * 50_000, "status " + "é" * 50_000, "registreer 2u " + "a b " * 12_500):
        caplog.clear()
        result = await bot.say(AN, typed)
        assert result.texts == [TOO_LONG_NL], typed[:20]
        assert logged_errors(caplog) == []
    assert dump(db) == before


async def test_a_long_typed_entry_is_a_bounded_number_of_lookups(bot: BotDriver, db: Database) -> None:
    """Under the limit, a time entry whose words name no project tries only heads that could be a name."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2])[:40])

    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = await bot.say(AN, "registreer 2u " + "a b " * 450)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert result.cards  # the form, asking which project
    assert sum("project" in s.lower() for s in statements) < 80, len(statements)


# The "which project?" card -------------------------------------------------------------------------------------


async def test_a_choice_runs_only_lookup_commands_and_awaits_async_ones(
    bot: BotDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    refused = (
        "Die keuze kan ik niet uitvoeren; er is niets gebeurd. Typ de opdracht opnieuw met de projectcode, "
        "bv. **project DT-042**."
    )
    for command in ("help", "settings", "forget me", "log", "nope", "project DT-042"):
        caplog.clear()
        result = await bot.submit(AN, {"verb": "lookup.choose", "command": command, "code": "DT-042"})
        assert result.texts == [refused], command
        assert logged_errors(caplog) == []
    # A command whose handler is a coroutine (importing from Outlook) is awaited, not asserted away.
    imported = await bot.submit(AN, {"verb": "lookup.choose", "command": "import meeting", "code": "DT-042"})
    assert imported.texts and "Sorry" not in imported.texts[0]
    assert logged_errors(caplog) == []
    # The Dutch phrase the handover's choice card carries, and an ordinary lookup, still work.
    handover = await bot.submit(AN, {"verb": "lookup.choose", "command": "overdracht", "code": "DT-042"})
    assert handover.cards or handover.texts
    assert "Sorry" not in " ".join(handover.texts)
    shown = await bot.submit(AN, {"verb": "lookup.choose", "command": "project", "code": "DT-042"})
    assert shown.cards


def test_every_project_lookup_names_a_command_the_choice_card_may_run() -> None:
    """find_project(…, command) puts `command` on the "which project?" card; the router runs it again only when
    the command is declared to take a project."""
    import ast
    from pathlib import Path

    def names(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):  # "handover" if request.language == "en" else "overdracht"
            return names(node.body) | names(node.orelse)
        return set()  # a variable: a wrapper passing its own caller's command on

    router = build_router()
    named: set[str] = set()
    for path in Path("dialogs").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            lookup = isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("find_project", "_project")
            if lookup and isinstance(node, ast.Call) and len(node.args) >= 4:
                named |= names(node.args[3])
    assert named, "no lookups found"
    for name in named:
        found = router.match(name)
        assert found is not None and found[1] == "" and found[0].takes_project, name


# Meetings: answers, agenda items and reports only for real occurrences ----------------------------------------


async def test_rsvps_agenda_items_and_reports_for_dates_that_are_no_occurrence_are_refused(
    bot: BotDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    from storage.meetings import AgendaItem, MeetingReport, Rsvp

    await world(bot, db)
    before = dump(db)
    refused = (
        "“Werkgroep” vindt op die datum niet plaats (geannuleerd, of geen datum van de reeks); ik heb niets bewaard."
    )
    ids = {"series": 1, "lead": 60, "first": True}
    # A Wednesday, a Tuesday after the last one, and two that are no dates.
    for occurrence in ("2026-11-25", "2027-01-05", "2026-13-01", "2026-12-1"):
        for verb, extra in (
            ("meeting.attend", {}),
            ("meeting.decline", {}),
            ("meeting.agenda_add", {"agenda_text": "Begroting"}),
        ):
            result = await bot.execute(AN, verb, {**ids, "occurrence": occurrence, **extra}, conversation=CHANNEL)
            assert result.invoke_message == refused, (verb, occurrence, result.body)
        report = await bot.submit(
            AN, {"verb": "meeting.report_save", "series": 1, "occurrence": occurrence, "decisions": "Ja"}
        )
        assert report.texts == [refused], occurrence
    assert logged_errors(caplog) == []
    assert dump(db) == before
    # A real one is answered and stored.
    await bot.execute(AN, "meeting.attend", {**ids, "occurrence": "2026-12-01"}, conversation=CHANNEL)
    with db.session() as session:
        assert [(r.occurrence_key, r.attending) for r in session.exec(select(Rsvp))] == [("2026-12-01", True)]
        assert len(session.exec(select(AgendaItem)).all()) == 0
        assert len(session.exec(select(MeetingReport)).all()) == 1  # the world's own report, on 24 November
