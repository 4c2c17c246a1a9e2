"""Cards in a channel are seen and pressed by everyone there (issue 12, item 3): a card that belongs to one person
tells anyone else whose it is and stores nothing for them; a shared form keys its double-submit check on who
submits, so two people never collide. Over HTTP, on both databases."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from storage.db import Database
from storage.directory import Role
from storage.time_entries import TimeEntry
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver
from tests.test_menu import walk
from tests.test_project_turns import AN, BOB, PROJECT, create_project, form_data, grant

CHANNEL = Conversation.channel(team_name="Digitaal loket")


def entries(db: Database) -> list[TimeEntry]:
    with db.session() as session:
        return list(session.exec(select(TimeEntry).order_by(TimeEntry.id)))  # type: ignore[arg-type]


def actions_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The data of each button on a card, by verb."""
    found: dict[str, dict[str, Any]] = {}
    for action in card.get("actions") or []:
        data = dict(action.get("data") or {})
        verb = data.get("verb") or action.get("verb")
        found[str(verb)] = data
    return found


async def team_of_two(bot: BotDriver, db: Database) -> None:
    """An coordinates DT-042 and Bob is on its team; both talk to the bot in the project's channel."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    await grant(bot, db, BOB, Role.COORDINATOR)
    await bot.submit(
        AN, {"verb": "projects.member_save", "code": "DT-042", "person": BOB.aad_object_id, "role": "analyst"}
    )
    await bot.say(AN, "help", conversation=CHANNEL)
    await bot.say(BOB, "help", conversation=CHANNEL)


FORM_OF_AN = "This form belongs to An Peeters; nothing was saved for you. Type **log** for your own."
ENTRY_OF_AN = "This entry belongs to An Peeters; only they can undo or change it. Nothing changed."
FILLED = {"project": "DT-042", "date": "2026-11-23", "kind": "performed", "category": "meeting"}


# Time registration: personal cards ------------------------------------------------------------------------------


async def test_someone_elses_time_form_in_a_channel_is_refused_and_stores_nothing(bot: BotDriver, db: Database) -> None:
    await team_of_two(bot, db)
    form = (await bot.say(AN, "registreer", conversation=CHANNEL)).cards[0]
    saved = await bot.submit(
        AN, {**form_data(form), **FILLED, "duration": "2u", "note": "stuurgroep"}, conversation=CHANNEL
    )
    assert saved.texts == []
    # Bob fills in the same card in the channel: he is told whose it is, in English, and shown nothing of An's.
    other = await bot.submit(
        BOB, {**form_data(form), **FILLED, "duration": "3h", "note": "bob's notes"}, conversation=CHANNEL
    )
    assert other.texts == [FORM_OF_AN]
    assert other.updated == [] and other.cards == []
    assert [(e.minutes, e.note) for e in entries(db)] == [(120, "stuurgroep")]
    # Before An saved it, too: Bob's hours never land on An's form.
    fresh = (await bot.say(AN, "registreer", conversation=CHANNEL)).cards[0]
    first = await bot.submit(BOB, {**form_data(fresh), **FILLED, "duration": "3h"}, conversation=CHANNEL)
    assert first.texts == [FORM_OF_AN]
    assert len(entries(db)) == 1
    # Bob's own form works for him.
    own = (await bot.say(BOB, "log", conversation=CHANNEL)).cards[0]
    mine = await bot.submit(BOB, {**form_data(own), **FILLED, "duration": "3h"}, conversation=CHANNEL)
    assert mine.texts == []
    assert sorted(e.minutes for e in entries(db)) == [120, 180]


async def test_the_double_submit_key_of_a_time_form_includes_who_submits(bot: BotDriver, db: Database) -> None:
    """A card without its owner (older, or its data edited) still never answers with someone else's entry."""
    await team_of_two(bot, db)
    form = (await bot.say(AN, "registreer", conversation=CHANNEL)).cards[0]
    data = {k: v for k, v in form_data(form).items() if k != "owner"}
    await bot.submit(AN, {**data, **FILLED, "duration": "2u", "note": "stuurgroep"}, conversation=CHANNEL)
    other = await bot.submit(BOB, {**data, **FILLED, "duration": "3h", "note": "bob"}, conversation=CHANNEL)
    assert not any("stuurgroep" in text for text in other.texts)
    assert "already" not in " ".join(other.texts)
    assert sorted((e.minutes, e.note) for e in entries(db)) == [(120, "stuurgroep"), (180, "bob")]
    # The same person twice is still one entry.
    again = await bot.submit(BOB, {**data, **FILLED, "duration": "3h", "note": "bob"}, conversation=CHANNEL)
    assert again.texts and again.texts == ["This form was already saved; I did not log the time twice."]
    assert len(entries(db)) == 2


async def test_undo_and_edit_on_someone_elses_entry_are_refused(bot: BotDriver, db: Database) -> None:
    await team_of_two(bot, db)
    logged = await bot.say(AN, "registreer 2u DT-042 stuurgroep", conversation=CHANNEL)
    buttons = actions_of(logged.cards[0])
    undo = await bot.submit(BOB, buttons["timelog.undo"], conversation=CHANNEL)
    assert undo.texts == [ENTRY_OF_AN]
    assert undo.updated == []
    edit = await bot.submit(BOB, buttons["timelog.edit"], conversation=CHANNEL)
    assert edit.texts == [ENTRY_OF_AN]
    assert edit.updated == [] and edit.cards == []
    # An edit form An opened, submitted by Bob: refused as well, An's entry unchanged.
    an_edit = await bot.submit(AN, buttons["timelog.edit"], conversation=CHANNEL)
    edit_form = an_edit.updated[0]["attachments"][0]["content"]
    changed = await bot.submit(
        BOB, {**form_data(edit_form), **FILLED, "duration": "7h", "note": "bob"}, conversation=CHANNEL
    )
    assert changed.texts == [FORM_OF_AN]
    assert [(e.minutes, e.note, e.day) for e in entries(db)] == [(120, "stuurgroep", date(2026, 11, 23))]


async def test_paging_someone_elses_timesheet_is_refused(bot: BotDriver, db: Database) -> None:
    await team_of_two(bot, db)
    sheet = (await bot.say(AN, "uren", conversation=CHANNEL)).cards[0]
    following = actions_of(sheet)["timelog.week"]
    refused = await bot.execute(BOB, "timelog.week", following, conversation=CHANNEL)
    assert refused.invoke_message == "This timesheet belongs to An Peeters. Type **timesheet** for your own."
    mine = await bot.execute(AN, "timelog.week", following, conversation=CHANNEL)
    assert mine.invoke_card is not None


# Shared forms: anyone the permission rules allow fills them in; each person's submission is stored once --------


def count(db: Database, table: Any) -> int:
    with db.session() as session:
        return len(session.exec(select(table)).all())


def button_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    data = actions_of(card).get(verb)
    assert data is not None, f"no {verb} button"
    return data


async def admin_and_coordinator(bot: BotDriver, db: Database) -> None:
    """An coordinates DT-042; Bob is an administrator (may change every project); both are in the channel."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    await grant(bot, db, BOB, Role.ADMIN)
    await bot.say(AN, "help", conversation=CHANNEL)
    await bot.say(BOB, "help", conversation=CHANNEL)


async def open_form(bot: BotDriver, opener: dict[str, Any] | str) -> dict[str, Any]:
    """A form as An opens it in the channel: by typing, or with a button."""
    if isinstance(opener, str):
        result = await bot.say(AN, opener, conversation=CHANNEL)
    else:
        result = await bot.submit(AN, opener, conversation=CHANNEL)
    assert result.cards, (result.texts, opener)
    return result.cards[0]


async def test_shared_forms_store_each_persons_submission_once_never_anothers(bot: BotDriver, db: Database) -> None:
    """The same form, opened by An in the channel, saved by An and then by Bob (who may too): Bob's is stored,
    not answered with An's "already saved"; An's second submit is still stored once."""
    from storage.decisions import ProjectDecision
    from storage.handover import HandoverItem
    from storage.meetings import MeetingSeries
    from storage.milestones_risks import Milestone, Risk
    from storage.projects import Project
    from storage.status import StatusReport

    await admin_and_coordinator(bot, db)
    status = {"overall": "green", "schedule": "green", "budget": "green", "scope": "green", "summary": "An"}
    risk = {"title": "Leverancier", "probability": "2", "impact": "3", "state": "open"}
    meeting = {"title": "Werkgroep", "kind": "working_group", "date": "2026-11-24", "time": "10:00"}
    plan = {"receiver": "An Peeters", "planned": "2027-01-29", "after_care": "3 maanden", "support": "An Peeters"}
    cases: list[tuple[Any, Any, str, dict[str, str], dict[str, str]]] = [
        ("nieuw project", Project, "projects.save", {**PROJECT, "code": "DT-050"}, {**PROJECT, "code": "DT-051"}),
        ("update DT-042", StatusReport, "status.save", status, {**status, "summary": "Bob"}),
        (
            {"verb": "milestones.form", "code": "DT-042"},
            Milestone,
            "milestones.save",
            {"title": "Start", "due": "2026-12-01"},
            {"title": "Einde", "due": "2026-12-20"},
        ),
        ({"verb": "risks.form", "code": "DT-042"}, Risk, "risks.save", risk, {**risk, "title": "Budget"}),
        (
            {"verb": "decisions.form", "code": "DT-042"},
            ProjectDecision,
            "decisions.save",
            {"kind": "decision", "date": "2026-11-20", "text": "An's"},
            {"kind": "decision", "date": "2026-11-21", "text": "Bob's"},
        ),
        ("nieuwe vergadering DT-042", MeetingSeries, "meeting.save", meeting, {**meeting, "title": "Stuurgroep"}),
    ]
    for opener, table, verb, mine, theirs in cases:
        form = await open_form(bot, opener)
        data = button_data(form, verb)
        before = count(db, table)
        first = await bot.submit(AN, {**data, **mine}, conversation=CHANNEL)
        assert count(db, table) == before + 1, (verb, first.texts)
        other = await bot.submit(BOB, {**data, **theirs}, conversation=CHANNEL)
        assert count(db, table) == before + 2, (verb, other.texts)
        assert not any("already" in text or "al " in text for text in other.texts), (verb, other.texts)
        again = await bot.submit(AN, {**data, **mine}, conversation=CHANNEL)
        assert count(db, table) == before + 2, (verb, again.texts)

    # The handover plan: one per project, so Bob's submission of An's form changes it (it is not dropped).
    form = await open_form(bot, {"verb": "handover.form", "code": "DT-042"})
    data = button_data(form, "handover.save")
    await bot.submit(AN, {**data, **plan}, conversation=CHANNEL)
    other = await bot.submit(BOB, {**data, **plan, "planned": "2027-02-26"}, conversation=CHANNEL)
    assert not any("already" in text for text in other.texts), other.texts
    from storage.handover import Handover

    with db.session() as session:
        [handover] = session.exec(select(Handover)).all()
    assert handover.planned_on == date(2027, 2, 26)
    # Checklist items: Bob's item from An's form is added too.
    form = await open_form(bot, {"verb": "handover.item_form", "code": "DT-042"})
    data = button_data(form, "handover.item_save")
    before = count(db, HandoverItem)
    await bot.submit(AN, {**data, "title": "Sleutels"}, conversation=CHANNEL)
    other = await bot.submit(BOB, {**data, "title": "Wachtwoorden"}, conversation=CHANNEL)
    assert not any("already" in text for text in other.texts), other.texts
    await bot.submit(AN, {**data, "title": "Sleutels"}, conversation=CHANNEL)
    assert count(db, HandoverItem) == before + 2


async def test_a_typed_agenda_item_is_keyed_on_its_sender(bot: BotDriver, db: Database) -> None:
    """Teams message ids are unique within a conversation, not across them: two people's messages with the same
    id each add their item."""
    from storage.meeting_records import AgendaItem

    await admin_and_coordinator(bot, db)
    form = await open_form(bot, "nieuwe vergadering DT-042")
    meeting = {"title": "Werkgroep", "kind": "working_group", "date": "2026-11-24", "time": "10:00"}
    await bot.submit(AN, {**button_data(form, "meeting.save"), **meeting}, conversation=CHANNEL)
    an = bot.activities.message(AN, "agenda DT-042 begroting", conversation=CHANNEL)
    bob = bot.activities.message(BOB, "agenda DT-042 planning", conversation=Conversation.group_chat())
    bob["id"] = an["id"]
    await bot.post(an)
    await bot.post(bob)
    await bot.post(an)  # Teams retries: still one item
    with db.session() as session:
        texts = sorted(item.text for item in session.exec(select(AgendaItem)).all())
    assert texts == ["begroting", "planning"]


# Other personal cards: settings, the digest's settings, one's list of projects, one's portfolio -------------------


def submit_data_anywhere(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of a submit button with this verb, also inside a folded (ShowCard) part."""
    found = [
        dict(node["data"])
        for node in walk(card)
        if node.get("type") == "Action.Submit"
        and isinstance(node.get("data"), dict)
        and node["data"].get("verb") == verb
    ]
    assert found, f"no {verb} button"
    return found[0]


async def test_someone_elses_settings_card_changes_nothing_for_either(bot: BotDriver, db: Database) -> None:
    from storage.models import Person

    await team_of_two(bot, db)
    card = (await bot.say(AN, "instellingen", conversation=CHANNEL)).cards[0]
    data = submit_data_anywhere(card, "settings.save")
    refused = await bot.submit(
        BOB, {**data, "language": "nl", "timezone": "Asia/Tokyo", "name": "An Peeters"}, conversation=CHANNEL
    )
    assert refused.texts == ["These settings belong to An Peeters; nothing changed. Type **settings** for your own."]
    with db.session() as session:
        people = {p.aad_object_id: p for p in session.exec(select(Person)).all()}
    bob, an = people[BOB.aad_object_id], people[AN.aad_object_id]
    assert (bob.name, bob.preferred_language, bob.preferred_timezone) == ("Bob Smith", None, None)
    assert (an.preferred_language, an.preferred_timezone) == (None, None)
    saved = await bot.submit(AN, {**data, "language": "nl", "timezone": "Europe/Brussels"}, conversation=CHANNEL)
    assert saved.texts == ["Je instellingen zijn opgeslagen: taal Nederlands, tijdzone Brussel (Europe/Brussels)."]


async def test_someone_elses_digest_settings_card_is_refused(bot: BotDriver, db: Database) -> None:
    from storage.status import DigestPreference

    await grant(bot, db, AN, Role.ADMIN)
    await grant(bot, db, BOB, Role.ADMIN)
    card = (await bot.say(AN, "weekoverzicht", conversation=CHANNEL)).cards[0]
    data = submit_data_anywhere(card, "digest.save")
    refused = await bot.submit(BOB, {**data, "enabled": "false"}, conversation=CHANNEL)
    assert refused.texts == [
        "These digest settings belong to An Peeters; nothing changed. Type **digest** for your own."
    ]
    assert count(db, DigestPreference) == 0


async def test_someone_elses_project_list_and_portfolio_are_not_paged_by_others(bot: BotDriver, db: Database) -> None:
    an_id = await grant(bot, db, AN, Role.ADMIN)
    await create_project(bot, AN)
    await grant(bot, db, BOB, Role.ADMIN)
    listing = await bot.submit(BOB, {"verb": "projects.page", "page": 1, "owner": an_id}, conversation=CHANNEL)
    assert listing.texts == ["This list belongs to An Peeters. Type **projects** for your own."]
    assert listing.cards == [] and listing.updated == []
    overview = (await bot.say(AN, "overzicht", conversation=CHANNEL)).cards[0]
    data = submit_data_anywhere(overview, "portfolio.page")
    refused = await bot.submit(BOB, {**data, "domain": "2"}, conversation=CHANNEL)
    assert refused.texts == ["This overview belongs to An Peeters. Type **portfolio** for your own."]
    assert refused.cards == [] and refused.updated == []
    mine = await bot.submit(AN, {**data, "domain": "2"}, conversation=CHANNEL)
    assert mine.cards or mine.updated
