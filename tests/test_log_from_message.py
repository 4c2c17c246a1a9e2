"""Log time from a message (issue 18, item 2) over HTTP, in Dutch and English, on both databases: the message
action's dialog opens on the log form with the note taken from the message (HTML stripped, shortened) and the
project guessed from a code, a name or the conversation's meeting series; Save records exactly like the form's Save
(same validation, a retry stores once) and answers in the dialog; forged, foreign and unknown submits store nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from cards.timelog import NOTE_MAX
from dialogs.timelog.from_message import guess_project, plain_text, shortened
from domain.projects import ProjectFacts
from storage.db import Database
from storage.directory import Role
from storage.time_entries import TimeEntry
from tests.cardcheck import card_problems
from tests.harness import TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_meeting_turns import MEETING
from tests.test_project_turns import create_project, form_data, grant
from tests.test_turns import card_texts

FETCH = "composeExtension/fetchTask"
SUBMIT = "composeExtension/submitAction"
COMMAND = "logTimeFromMessage"
CHANNEL = Conversation.channel(team_name="Digitaal loket")
STRANGER = TeamsUser.named("Carla Stranger", locale="nl-BE")

LANGS: dict[str, dict[str, Any]] = {
    "nl": {
        "coordinator": TeamsUser.named("An Peeters", locale="nl-BE"),
        "title": "Uren registreren",
        "saved": "Geregistreerd: 2 u op DT-042.",
        "again": "Dit formulier was al opgeslagen; ik heb de uren niet dubbel geregistreerd.",
        "duration_missing": "Hoe lang? Typ bv. 2u30",
        "future": "gepresteerde uren kunnen niet in de toekomst liggen",
        "unknown": "Die opdracht ken ik niet.",
        "unreadable": "Dat formulier kon ik niet lezen, dus er is niets geregistreerd.",
        "new_meeting": "nieuwe vergadering DT-042",
    },
    "en": {
        "coordinator": TeamsUser.named("Ann Peters", locale="en-GB"),
        "title": "Log time",
        "saved": "Logged: 2 h on DT-042.",
        "again": "This form was already saved; I did not log the time twice.",
        "duration_missing": "How long? Type e.g. 2h30",
        "future": "time worked cannot be in the future",
        "unknown": "I don't know that command.",
        "unreadable": "I couldn't read that form, so nothing was logged.",
        "new_meeting": "new meeting DT-042",
    },
}


def entries(db: Database) -> list[TimeEntry]:
    with db.session() as session:
        return list(session.exec(select(TimeEntry).order_by(TimeEntry.id)))  # type: ignore[arg-type]


def message(html: str) -> dict[str, Any]:
    return {"id": "1700000000000", "body": {"contentType": "html", "content": html}, "from": {"user": {"id": "x"}}}


def fetch_value(html: str, command: str = COMMAND) -> dict[str, Any]:
    return {
        "commandId": command,
        "commandContext": "message",
        "context": {"theme": "default"},
        **({"messagePayload": message(html)} if html is not None else {}),
    }


def dialog_card(result: TurnResult) -> dict[str, Any]:
    """The form a dialog answer shows; checked against the card schema on the way."""
    assert result.status == 200, result.body
    task = result.body["task"]
    assert task["type"] == "continue", task
    attachment = task["value"]["card"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    assert card_problems(card) == []
    return card


def dialog_message(result: TurnResult) -> str:
    assert result.status == 200, result.body
    task = result.body["task"]
    assert task["type"] == "message", task
    return str(task["value"])


def field(card: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [element for element in card["body"] if element.get("id") == name]
    return dict(found)


async def open_dialog(bot: BotDriver, user: TeamsUser, html: str, **kwargs: Any) -> dict[str, Any]:
    return dialog_card(await bot.invoke(user, FETCH, fetch_value(html), **kwargs))


async def save(bot: BotDriver, user: TeamsUser, card: dict[str, Any], **inputs: Any) -> TurnResult:
    """Save pressed in the dialog: Teams sends the form's inputs and the button's data as value.data."""
    shown = {
        element["id"]: str(element.get("value", ""))
        for element in card["body"]
        if isinstance(element.get("id"), str) and element["type"].startswith("Input.")
    }
    data = {**shown, **form_data(card), **inputs}
    return await bot.invoke(user, SUBMIT, {"commandId": COMMAND, "commandContext": "message", "data": data})


@pytest.fixture(params=["nl", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def coordinator_with_project(bot: BotDriver, db: Database, lang: str) -> TeamsUser:
    user: TeamsUser = LANGS[lang]["coordinator"]
    await grant(bot, db, user, Role.COORDINATOR)
    await create_project(bot, user, coordinator=user.aad_object_id)
    await create_project(bot, user, code="GIS-007", name="Geoloket Lier", coordinator=user.aad_object_id)
    return user


async def test_the_dialog_opens_on_the_log_form_with_the_note_and_the_project_from_a_code(
    bot: BotDriver, db: Database, lang: str
) -> None:
    words = LANGS[lang]
    an = await coordinator_with_project(bot, db, lang)
    result = await bot.invoke(
        an,
        FETCH,
        fetch_value("<p>Workshop   <b>loket</b> voorbereid&nbsp;voor dt-042</p><p>met&amp; de <i>stad</i></p>"),
    )
    card = dialog_card(result)
    task = result.body["task"]["value"]
    assert task["title"] == words["title"] and task["width"] and task["height"]
    assert field(card, "note")["value"] == "Workshop loket voorbereid voor dt-042 met& de stad"
    assert field(card, "project")["value"] == "DT-042"
    assert field(card, "date")["value"] == "2026-11-23"
    assert field(card, "kind")["value"] == "performed"
    assert words["title"] in card_texts(card)
    assert entries(db) == []


async def test_the_project_is_guessed_from_a_name_and_from_the_linked_conversation(
    bot: BotDriver, db: Database, lang: str
) -> None:
    words = LANGS[lang]
    an = await coordinator_with_project(bot, db, lang)
    by_name = await open_dialog(bot, an, "Overleg over het <b>geoloket lier</b> met de stad")
    assert field(by_name, "project")["value"] == "GIS-007"
    nothing = await open_dialog(bot, an, "Gewoon een bericht zonder project")
    assert "value" not in field(nothing, "project")
    # In the channel that holds DT-042's meetings, a message that names no project is about DT-042.
    await bot.say(an, "help", conversation=CHANNEL)
    form = (await bot.say(an, words["new_meeting"], conversation=CHANNEL)).cards[0]
    await bot.submit(an, {**form_data(form), **MEETING}, conversation=CHANNEL)
    linked = await open_dialog(bot, an, "Verslag van vandaag", conversation=CHANNEL)
    assert field(linked, "project")["value"] == "DT-042"
    # A code in the message wins over the conversation's project.
    named = await open_dialog(bot, an, "Ook GIS-007 besproken", conversation=CHANNEL)
    assert field(named, "project")["value"] == "GIS-007"


async def test_a_long_message_is_shortened_to_the_note_limit(bot: BotDriver, db: Database, lang: str) -> None:
    an = await coordinator_with_project(bot, db, lang)
    card = await open_dialog(bot, an, "<div>" + "woord " * 200 + "</div>")
    note = field(card, "note")["value"]
    assert len(note) <= NOTE_MAX and note.endswith("…") and "  " not in note


async def test_save_records_once_and_answers_in_the_dialog(bot: BotDriver, db: Database, lang: str) -> None:
    words = LANGS[lang]
    an = await coordinator_with_project(bot, db, lang)
    card = await open_dialog(bot, an, "<p>Stuurgroep DT-042</p>")
    first = await save(bot, an, card, duration="2u" if lang == "nl" else "2h", category="meeting")
    assert dialog_message(first) == words["saved"]
    [entry] = entries(db)
    assert (entry.minutes, entry.day, entry.kind, entry.category, entry.note) == (
        120,
        date(2026, 11, 23),
        "performed",
        "meeting",
        "Stuurgroep DT-042",
    )
    # Teams retries, the person double-clicks: stored once, and said so.
    again = await save(bot, an, card, duration="2u" if lang == "nl" else "2h", category="meeting")
    assert dialog_message(again) == f"{words['again']} {words['saved']}"
    assert len(entries(db)) == 1


async def test_errors_come_back_in_the_dialog_under_their_fields(bot: BotDriver, db: Database, lang: str) -> None:
    words = LANGS[lang]
    an = await coordinator_with_project(bot, db, lang)
    card = await open_dialog(bot, an, "Zonder duur")
    refused = dialog_card(await save(bot, an, card, project="DT-042", date="2030-01-01"))
    texts = card_texts(refused)
    assert words["duration_missing"] in texts
    assert field(refused, "note")["value"] == "Zonder duur"  # kept as typed
    assert entries(db) == []
    # A future date for time worked is refused the same way as in the form.
    future = dialog_card(await save(bot, an, card, project="DT-042", date="2030-01-01", duration="1h"))
    assert words["future"] in card_texts(future)
    assert entries(db) == []


async def test_forged_foreign_and_unknown_submits_store_nothing(bot: BotDriver, db: Database, lang: str) -> None:
    words = LANGS[lang]
    an = await coordinator_with_project(bot, db, lang)
    card = await open_dialog(bot, an, "DT-042")
    duration = "1u" if lang == "nl" else "1h"
    unknown = await bot.invoke(an, SUBMIT, {"commandId": "somethingElse", "data": {}})
    assert dialog_message(unknown).startswith(words["unknown"])
    unknown_fetch = await bot.invoke(an, FETCH, fetch_value("x", command="somethingElse"))
    assert dialog_message(unknown_fetch).startswith(words["unknown"])
    for forged in (
        {"duration": ["1h"]},  # a list where text belongs
        {"entry_id": "1"},  # an edit through the dialog
        {"entry_id": "-5"},
        {"note": "x" * 100_000},
    ):
        answer = await save(bot, an, card, **{"duration": duration, **forged})
        assert dialog_message(answer).startswith(words["unreadable"]), forged
    no_data = await bot.invoke(an, SUBMIT, {"commandId": COMMAND, "data": "nonsense"})
    assert no_data.status == 200 and no_data.body["task"]["type"] in ("continue", "message")
    not_a_dict = await bot.invoke(an, SUBMIT, ["what"])
    assert not_a_dict.status == 200
    assert entries(db) == []

    # Someone else submits An's form (the owner on it is An): refused, whoever they are.
    await grant(bot, db, STRANGER, Role.COORDINATOR)
    theirs = await save(bot, STRANGER, card, duration="1u")
    assert "An" in dialog_message(theirs) or "Ann" in dialog_message(theirs)
    # A stranger's own dialog, with a project they are not on: refused under the field, nothing stored.
    own = await open_dialog(bot, STRANGER, "Over DT-042")
    assert not field(own, "project").get("value")  # not guessed: they may not log on it
    refused = dialog_card(await save(bot, STRANGER, own, project="DT-042", duration="1u"))
    assert any(e.get("color") == "Attention" for e in refused["body"])
    assert entries(db) == []


def test_plain_text_and_shortening() -> None:
    assert plain_text(message("a<br>b<br/>c&lt;d&gt;<script>x()</script>")) == "a b c<d>"
    assert plain_text({"body": {"contentType": "text", "content": " a \n b &amp; "}}) == "a b &"
    assert plain_text(None) == "" and plain_text({"body": {"content": 5}}) == ""
    assert shortened("kort") == "kort"
    long = "abc " * 200
    cut = shortened(long, 50)
    assert len(cut) <= 50 and cut.endswith("abc…")


def test_the_guess_prefers_a_code_then_the_longest_name_then_the_one_linked_project() -> None:
    def project(id_: int, code: str, name: str) -> ProjectFacts:
        return ProjectFacts(
            id_, code, name, 1, "", "", "", "", "", None, None, None, None, None, None, None, None, None, None, "", ""
        )

    loket, geo, geo_lier = project(1, "DT-042", "Loket"), project(2, "GIS-007", "Geo"), project(3, "GIS-8", "Geo Lier")
    projects = [loket, geo, geo_lier]
    assert guess_project("over gis-8 en DT-042", projects, []) == geo_lier
    assert guess_project("over het Géo-Lier project", projects, []) == geo_lier
    assert guess_project("XX-999 is niet van jou", projects, [1]) == loket
    assert guess_project("niets", projects, [1, 2]) is None
    assert guess_project("niets", projects, [9]) is None
