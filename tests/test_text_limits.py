"""Every free-text field has one limit (issue 12, item 4): the length of the column its text is stored in, which
its card states (maxLength) and the bot checks with a message naming it. SQLite does not enforce VARCHAR lengths and
PostgreSQL raises, so on both databases a value of exactly the limit is stored whole and one character more comes
back as a field error, with nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import String
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (every table registered in the metadata)
from cards.i18n import translator
from cards.payloads import StoredIn, free_text_fields
from dialogs.app import build_router
from storage.db import Database
from tests.card_samples import SAMPLES
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_bad_card_data import CHANNEL, dump, logged_errors, world
from tests.test_project_turns import AN

# String columns no card's free text is written to: machine values (ids, keys, states, kinds, zones, codes the
# bot normalises) and values chosen from a list. A new column a form's text goes to belongs on a payload field
# (StoredIn), not here.
NOT_FROM_FREE_TEXT = {
    "bot_state": {"key", "etag"},
    "conversation_ref": {
        "channel_id",
        "conversation_id",
        "conversation_type",
        "tenant_id",
        "service_url",
        "team_id",
        "team_name",
        "teams_channel_id",
        "user_aad_object_id",
        "bot_id",
        "inactive_reason",
    },
    "domain": {"key"},
    "government": {"kind"},
    "lease": {"name", "holder"},
    "outbox_opt_out": {"tenant_id", "kind", "scope", "subject", "created_by"},
    "person": {
        "tenant_id",
        "aad_object_id",
        "teams_user_id",
        "seen_locale",
        "seen_timezone",
        "preferred_language",
        "preferred_timezone",
        "email",
    },
    "audit_log": {"action", "entity", "request_id"},
    "digest_preference": {"weekday", "at_time"},
    "outbox_message": {
        "dedup_key",
        "kind",
        "tenant_id",
        "target_aad_object_id",
        "state",
        "last_error",
        "lease_owner",
        "sent_activity_id",
        "owner_aad_object_id",
    },
    "person_role": {"role"},
    "project": {"code", "phase", "state"},
    "stored_file": {"name", "content_type", "description", "state"},
    "handover": {"after_care_length", "state", "form_id"},
    "meeting_series": {"kind", "timezone", "repeat", "lead_minutes", "form_id", "graph_event_id", "graph_mailbox"},
    "milestone": {"form_id"},
    "project_decision": {"kind", "form_id"},
    "risk": {"description", "state", "form_id"},
    "status_report": {"overall", "schedule", "budget", "scope", "form_id"},
    "time_entry": {"kind", "category", "request_key"},
    "handover_item": {"key", "form_id"},
    "meeting_agenda_item": {"occurrence_key", "form_id"},
    "meeting_occurrence": {"occurrence_key"},
    "meeting_report": {"occurrence_key"},
    "meeting_rsvp": {"occurrence_key"},
}


def stored_fields() -> list[tuple[str, str, StoredIn]]:
    router = build_router()
    return [
        (verb, name, marker)
        for verb in router.verbs()
        for name, marker in free_text_fields(router._actions[verb].payload).items()
        if isinstance(marker, StoredIn)
    ]


def column_length(marker: StoredIn) -> int:
    table, column = marker.column.split(".")
    length = SQLModel.metadata.tables[table].c[column].type.length
    assert isinstance(length, int), f"{marker.column} has no length"
    return length


def test_every_string_column_is_either_a_forms_free_text_or_declared_machine_only() -> None:
    fed = {tuple(m.column.split(".")) for _verb, _name, m in stored_fields()}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String):
                continue
            key = (table.name, column.name)
            declared = column.name in NOT_FROM_FREE_TEXT.get(table.name, set())
            assert (key in fed) != declared, (
                f"{table.name}.{column.name}: fed by a form {key in fed}, listed {declared}"
            )
            assert column.type.length, f"{table.name}.{column.name} has no length: PostgreSQL would take anything"


def _walk(node: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found)


def test_every_free_text_input_states_its_columns_limit() -> None:
    """The card carrying a verb has, for each of its free-text fields, an Input.Text whose maxLength is the
    column's length: Teams stops typing there, and the person sees the limit before the bot has to say it."""
    t = translator("nl")
    cards = [build(t) for _name, _builder, build in SAMPLES]
    problems = []
    for verb, name, marker in stored_fields():
        inputs = []
        for card in cards:
            nodes: list[dict[str, Any]] = []
            _walk(card, nodes)
            if any(n.get("verb") == verb or (n.get("data") or {}).get("verb") == verb for n in nodes):
                inputs += [n for n in nodes if n.get("type") == "Input.Text" and n.get("id") == name]
        if marker.limit > column_length(marker):
            problems.append(f"{verb}.{name}: allows {marker.limit}, its column holds {column_length(marker)}")
        if not inputs:
            problems.append(f"{verb}.{name}: no card sample has this input")
        problems += [
            f"{verb}.{name}: maxLength {i.get('maxLength')} on the card, {marker.limit} in the column"
            for i in inputs
            if i.get("maxLength") != marker.limit
        ]
    assert problems == []


REPORT_DATES = ["2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22", "2026-12-29"]


# A valid submission of each form, over the world of tests/test_bad_card_data.py; the field under test is replaced.
def forms(base: dict[str, Any]) -> dict[str, dict[str, Any]]:
    status = {"overall": "green", "schedule": "green", "budget": "green", "scope": "green", "summary": "Goed"}
    return {
        "timelog.save": {
            "project": "DT-042",
            "date": "2026-11-23",
            "duration": "1u",
            "kind": "performed",
            "category": "meeting",
        },
        "projects.save": {"code": "DT-077", "name": "Archief", "domain": "2"},
        "projects.member_save": {"code": "DT-042", "person": AN.aad_object_id, "role": "analist"},
        "capacity.add_to_team": {"person": base["owner"], "code": "DT-042"},
        "lists.domain_save": {"operation": "add", "name_nl": "Zorg", "name_en": "Care"},
        "lists.government_save": {"operation": "add", "name": "Gemeente Zottegem", "kind": "municipality"},
        "status.save": {"code": "DT-042", **status},
        "milestones.save": {"code": "DT-042", "title": "Einde", "due": "2026-12-20"},
        "risks.save": {"code": "DT-042", "title": "Budget", "probability": "2", "impact": "2", "state": "open"},
        "decisions.save": {"code": "DT-042", "kind": "decision", "date": "2026-11-21", "text": "Ja"},
        "retro.save": {"code": "DT-042", "went_well": "Veel"},
        "handover.item_save": {"code": "DT-042", "title": "Sleutels"},
        "handover.not_yet": {"handover": 1, "reason": "Back-up nog niet getest"},
        "meeting.save": {
            "code": "DT-042",
            "title": "Stuurgroep",
            "kind": "project",
            "date": "2026-11-26",
            "time": "14:00",
        },
        "meeting.report_save": {"series": 1, "occurrence": "2026-12-01", "decisions": "Ja", "action_1": "Bellen"},
        "meeting.agenda_add": {"series": 1, "occurrence": "2026-12-01", "lead": 60, "agenda_text": "Begroting"},
        "settings.save": {"language": "nl", "timezone": "Europe/Brussels", "name": "An Peeters"},
    }


async def send(bot: BotDriver, verb: str, data: dict[str, Any]) -> TurnResult:
    if verb == "meeting.agenda_add":  # an Action.Execute on the reminder card
        return await bot.execute(AN, verb, data, conversation=CHANNEL)
    return await bot.submit(AN, {"verb": verb, **data}, conversation=CHANNEL)


def said(result: TurnResult) -> str:
    """What the person reads as an answer: messages, and the field errors on a card that came back."""
    texts = [*result.texts, *([result.invoke_message] if result.invoke_message else [])]
    nodes: list[dict[str, Any]] = []
    _walk([*result.sent, *result.updated, result.body], nodes)
    texts += [str(n.get("text")) for n in nodes if n.get("type") == "TextBlock" and n.get("color") == "Attention"]
    return " ".join(texts)


async def test_one_character_over_a_fields_limit_is_a_field_error_and_the_limit_itself_is_stored(
    bot: BotDriver, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    base = await world(bot, db)
    valid = forms(base)
    report_dates = list(REPORT_DATES)
    failures: list[str] = []
    for verb, name, marker in stored_fields():
        assert verb in valid, f"{verb}: add a valid submission to forms()"
        data = dict(valid[verb])
        if verb == "meeting.report_save":  # one report per meeting: each field's checks on a meeting of its own
            data["occurrence"] = report_dates.pop(0)
        before = dump(db)
        caplog.clear()
        over = await send(bot, verb, {**data, name: "x" * (marker.limit + 1)})
        answer = said(over)
        if str(marker.limit) not in answer:
            failures.append(f"{verb}.{name}: {marker.limit + 1} characters, no message naming {marker.limit}")
        if dump(db) != before:
            failures.append(f"{verb}.{name}: {marker.limit + 1} characters stored something")
        failures += [f"{verb}.{name}: {e}" for e in logged_errors(caplog)]
        whole = "x" * marker.limit
        exact = await send(
            bot, verb, {**data, name: whole, **({"form_id": f"{verb}.{name}"} if "form_id" in data else {})}
        )
        failures += [f"{verb}.{name} (exactly {marker.limit}): {e}" for e in logged_errors(caplog)]
        after = dump(db)
        if not any(whole in row for rows in after.values() for row in rows):
            failures.append(f"{verb}.{name}: {marker.limit} characters not stored whole ({said(exact)[:120]})")
    assert failures == []


async def test_typed_text_over_a_limit_is_refused_not_cut(bot: BotDriver, db: Database) -> None:
    """A typed time entry's note and a typed agenda item have the same limits as their forms: refused with the
    limit named, never stored cut off."""
    await world(bot, db)
    before = dump(db)
    note = "n" * 501
    logged = await bot.say(AN, f"registreer 2u DT-042 {note}", conversation=CHANNEL)
    assert "Hoogstens 500 tekens (nu 501)." in said(logged)
    agenda = await bot.say(AN, "agenda DT-042 " + "a" * 1001, conversation=CHANNEL)
    assert agenda.texts == [
        "Een agendapunt mag hoogstens 1000 tekens lang zijn (dit heeft er 1001); er is niets toegevoegd."
    ]
    assert dump(db) == before
