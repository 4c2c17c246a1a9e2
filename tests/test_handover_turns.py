"""The handover lifecycle as conversations over HTTP with a fake clock, in Dutch and in English: plan, inform, tick
items, reminders at 14 and 3 days, a moved date, acceptance by the right person only (once), after-care, closing,
and the dossier; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from docx import Document
from sqlmodel import col, select

from dialogs.handover.dossier import export
from dialogs.handover.schedule import end_after_care
from dialogs.kernel.turn import Request, Services, Where
from storage.audit import AuditLog
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.handover import Handover, HandoverItem
from storage.linking import LinkRepository
from storage.models import Person
from storage.outbox import OutboxMessage, OutboxState
from storage.people import person_facts
from storage.privacy import PrivacyRepository
from storage.projects import Project
from tests.cardcheck import card_problems
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation, personal_conversation_id
from tests.harness.botdriver import TENANT, BotDriver
from tests.harness.connector import FakeConnector
from tests.outbox_support import outbox_sender
from tests.test_availability_settings import element as element_with_id
from tests.test_project_turns import create_project, form_data, grant, shown_card
from tests.test_turns import card_texts, verbs_on

WORDS = {
    "nl": {
        "handover": "overdracht",
        "form": "Overdracht plannen",
        "past": "Die datum ligt in het verleden.",
        "care_bad": "“voor altijd” begrijp ik niet als duur of datum",
        "receiver_missing": "Wie neemt het project over?",
        "created": "De overdracht van DT-042 is gepland.",
        "again": "Dit formulier was al opgeslagen",
        "expected": "Wat we van je verwachten",
        "early": "Ter herinnering: op",
        "reminder14": "Over 14 dagen",
        "reminder3": "Over 3 dagen",
        "moved": "is verschoven naar",
        "accept": "Aanvaarden",
        "reason_missing": "Laat weten wat er nog ontbreekt",
        "not_yet_notice": "aanvaardt de overdracht van DT-042 nog niet: Back-up nog niet getest",
        "accepted_by": "Aanvaard door Jan Beheer",
        "accepted_notice": "heeft de overdracht van DT-042 aanvaard",
        "after_care": "Nazorg: Stan Stake geeft tweedelijnssupport tot en met",
        "after_care_end": "De nazorg voor Digitaal loket loopt af op",
        "closed": "het project is afgesloten",
        "retro": "Terugblik schrijven",
        "care": "3 maanden",
        "dossier": "Overdrachtsdossier DT-042",
        "env": "Documentatie van de omgeving",
        "acceptance_section": "Aanvaarding",
    },
    "en": {
        "handover": "handover",
        "form": "Plan the handover",
        "past": "That date is in the past.",
        "care_bad": "I do not understand “voor altijd” as a length or date",
        "receiver_missing": "Who takes the project over?",
        "created": "The handover of DT-042 is planned.",
        "again": "This form was saved already",
        "expected": "What is expected of you",
        "early": "A reminder: on",
        "reminder14": "In 14 days",
        "reminder3": "In 3 days",
        "moved": "has moved to",
        "accept": "Accept",
        "reason_missing": "Say what is still missing",
        "not_yet_notice": "does not accept the handover of DT-042 yet: Back-up nog niet getest",
        "accepted_by": "Accepted by Jan Beheer",
        "accepted_notice": "accepted the handover of DT-042",
        "after_care": "After-care: Stan Stake gives second-line support until",
        "after_care_end": "After-care for Digitaal loket ends on",
        "closed": "the project is closed",
        "retro": "Write the retrospective",
        "care": "3 months",
        "dossier": "Handover dossier DT-042",
        "env": "Environment documentation",
        "acceptance_section": "Acceptance",
    },
}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def people(language: str) -> tuple[TeamsUser, TeamsUser, TeamsUser, TeamsUser]:
    locale = "nl-BE" if language == "nl" else "en-GB"
    return (
        TeamsUser.named(f"Coco Coordinator {language}", locale=locale),
        TeamsUser.named("Jan Beheer", locale=locale),
        TeamsUser.named("Stan Stake", locale=locale),
        TeamsUser.named("Walter Wrong", locale=locale),
    )


def cards_to(connector: FakeConnector, user: TeamsUser) -> list[dict[str, Any]]:
    conversation = personal_conversation_id(user.teams_id)
    return [
        attachment["content"]
        for activity in connector.sent_to(conversation)
        for attachment in activity.get("attachments") or []
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


async def deliver(db: Database, clock: FakeClock) -> int:
    async with outbox_sender(db, clock) as sender:
        report = await sender.run_until_idle()
    return report.sent


def valid(card: dict[str, Any]) -> dict[str, Any]:
    assert card_problems(card) == []
    return card


def plan_values(language: str, **changes: str) -> dict[str, str]:
    values = {
        "receiver": "Jan Beheer",
        "receiver_conversation": "",
        "planned": "2027-01-29",
        "after_care": WORDS[language]["care"],
        "support": "Stan Stake",
        "stakeholders": "Stan Stake",
        "inform_days": "30",
        "extra_items": "Back-up test",
    }
    return {**values, **changes}


async def setup(bot: BotDriver, db: Database, language: str) -> tuple[TeamsUser, TeamsUser, TeamsUser, TeamsUser]:
    coordinator, receiver, stakeholder, stranger = people(language)
    await grant(bot, db, coordinator, Role.COORDINATOR)
    for user in (receiver, stakeholder, stranger):
        await bot.say(user, "help")
    saved = await create_project(bot, coordinator)
    assert "DT-042" in saved.texts[0]
    return coordinator, receiver, stakeholder, stranger


def item_ids(db: Database) -> list[int]:
    with db.session() as session:
        return [
            i.id for i in session.exec(select(HandoverItem).order_by(col(HandoverItem.position))) if i.id is not None
        ]


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_whole_handover_lifecycle(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, language: str
) -> None:
    w = WORDS[language]
    coordinator, receiver, stakeholder, stranger = await setup(bot, db, language)

    # Plan: the form, field errors next to the fields with what was typed kept, then saved once.
    form = (await bot.say(coordinator, f"{w['handover']} dt-042")).cards[0]
    assert w["form"] in card_texts(valid(form))
    bad = await bot.submit(
        coordinator,
        {**form_data(form), **plan_values(language, receiver="", planned="2026-01-01", after_care="voor altijd")},
    )
    again = valid(shown_card(bad))
    texts = card_texts(again)
    assert w["past"] in texts and w["care_bad"] in texts and w["receiver_missing"] in texts
    assert "Back-up test" in texts  # what was typed is kept
    with db.session() as session:
        assert session.exec(select(Handover)).all() == []
    saved = await bot.submit(coordinator, {**form_data(again), **plan_values(language)})
    assert saved.texts[0].startswith(w["created"])
    plan = valid(shown_card(saved))
    assert w["env"] in card_texts(plan) and "Back-up test" in card_texts(plan)
    twice = await bot.submit(coordinator, {**form_data(again), **plan_values(language)})
    assert twice.texts[0].startswith(w["again"])
    with db.session() as session:
        assert len(session.exec(select(Handover)).all()) == 1
        assert len(session.exec(select(HandoverItem)).all()) == 7

    # Informed at once: the receiving party and the stakeholder, each once.
    assert await deliver(db, clock) == 2
    for user in (receiver, stakeholder):
        (card,) = [c for c in cards_to(connector, user) if "Digitaal loket" in card_texts(c)]
        assert w["expected"] in card_texts(valid(card))

    # The coordinator ticks items off on the card (updated in place); a double press ticks once.
    ids = item_ids(db)
    for item in ids[:5]:
        ticked = await bot.execute(coordinator, "handover.item_done", {"code": "DT-042", "item": item, "done": True})
        assert ticked.invoke_card is not None and "☑" in card_texts(valid(ticked.invoke_card))
    await bot.execute(coordinator, "handover.item_done", {"code": "DT-042", "item": ids[0], "done": True})
    with db.session() as session:
        ticks = session.exec(select(AuditLog).where(AuditLog.action == "handover.item_done")).all()
    assert len(ticks) == 5
    # Someone else cannot tick.
    refused = await bot.execute(stranger, "handover.item_done", {"code": "DT-042", "item": ids[5], "done": True})
    assert refused.invoke_card is None and refused.invoke_message

    # Informing early: 30 days before (09:00 in Brussels).
    clock.set(utc(2026, 12, 30, 8, 0))
    assert await deliver(db, clock) == 2
    assert w["early"] in card_texts(valid(cards_to(connector, receiver)[-1]))

    # 14 days before, items open: the coordinator gets the list, ticked items left out.
    clock.set(utc(2027, 1, 15, 8, 0))
    assert await deliver(db, clock) == 1
    reminder = valid(cards_to(connector, coordinator)[-1])
    assert w["reminder14"] in card_texts(reminder) and "Back-up test" in card_texts(reminder)
    assert w["env"] not in card_texts(reminder)

    # The date moves a week: what was queued for the old date is cancelled, the new one is queued, people are told.
    edit = (await bot.submit(coordinator, {"verb": "handover.form", "code": "DT-042"})).cards[0]
    moved = await bot.submit(coordinator, {**form_data(edit), **plan_values(language, planned="2027-02-05")})
    assert "DT-042" in moved.texts[0]
    with db.session() as session:
        rows = {r.dedup_key: r.state for r in session.exec(select(OutboxMessage))}
    assert rows["handover:1:remind:3:2027-01-29"] == OutboxState.CANCELLED
    assert rows["handover:1:accept:2027-01-29"] == OutboxState.CANCELLED
    assert rows["handover:1:remind:3:2027-02-05"] == OutboxState.PENDING
    assert rows["handover:1:remind:14:2027-02-05"] == OutboxState.PENDING
    assert "handover:1:early:2027-02-05:p3" not in rows  # its moment had passed already
    assert await deliver(db, clock) == 2
    assert w["moved"] in card_texts(valid(cards_to(connector, stakeholder)[-1]))
    clock.set(utc(2027, 1, 22, 8, 0))
    assert await deliver(db, clock) == 1
    assert w["reminder14"] in card_texts(valid(cards_to(connector, coordinator)[-1]))

    # 3 days before the new date, still open items: reminded again.
    clock.set(utc(2027, 2, 2, 8, 0))
    assert await deliver(db, clock) == 1
    assert w["reminder3"] in card_texts(valid(cards_to(connector, coordinator)[-1]))

    # On the day: the acceptance card goes to the receiving party.
    clock.set(utc(2027, 2, 5, 8, 0))
    assert await deliver(db, clock) == 1
    acceptance = valid(cards_to(connector, receiver)[-1])
    assert w["accept"] in card_texts(acceptance)
    assert {"handover.accept", "handover.not_yet_form"} <= set(verbs_on(acceptance))
    handover_id = 1

    # The wrong person: told what a handover id nobody uses tells them (ids are sequential), nothing changes.
    wrong = await bot.execute(stranger, "handover.accept", {"handover": handover_id})
    unknown = await bot.execute(stranger, "handover.accept", {"handover": handover_id + 1})
    assert wrong.invoke_message is not None and wrong.invoke_message == unknown.invoke_message
    assert "Jan Beheer" not in wrong.invoke_message and "DT-042" not in wrong.invoke_message
    peek = await bot.execute(stranger, "handover.acceptance_view", {"handover": handover_id})
    assert peek.invoke_card is None and peek.invoke_message == unknown.invoke_message
    with db.session() as session:
        assert session.get_one(Handover, handover_id).state == "planned"

    # "Not yet": the reason is asked (and required), the coordinator is told.
    asking = await bot.execute(receiver, "handover.not_yet_form", {"handover": handover_id})
    assert asking.invoke_card is not None and "reason" in repr(valid(asking.invoke_card))
    empty = await bot.execute(receiver, "handover.not_yet", {"handover": handover_id, "reason": " "})
    assert empty.invoke_card is not None and w["reason_missing"] in card_texts(valid(empty.invoke_card))
    reason = {"handover": handover_id, "reason": "Back-up nog niet getest"}
    said = await bot.execute(receiver, "handover.not_yet", reason)
    assert said.invoke_card is not None
    await bot.execute(receiver, "handover.not_yet", reason)  # pressed twice: told once
    assert await deliver(db, clock) == 1
    assert w["not_yet_notice"] in card_texts(valid(cards_to(connector, coordinator)[-1]))

    # Accept: recorded once (double press), audited, the card updated in place, the project in after-care.
    accepted = await bot.execute(receiver, "handover.accept", {"handover": handover_id})
    assert accepted.invoke_card is not None and w["accepted_by"] in card_texts(valid(accepted.invoke_card))
    assert "handover.accept" not in verbs_on(accepted.invoke_card)
    pressed_again = await bot.execute(receiver, "handover.accept", {"handover": handover_id})
    assert pressed_again.invoke_card is not None and w["accepted_by"] in card_texts(pressed_again.invoke_card)
    with db.session() as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "handover.accept")).all()
        handover = session.get_one(Handover, handover_id)
        project = session.exec(select(Project)).one()
    assert len(audits) == 1 and handover.state == "accepted"
    assert handover.accepted_at == utc(2027, 2, 5, 8, 0) and handover.after_care_until == date(2027, 5, 5)
    assert project.phase == "after_care"
    assert await deliver(db, clock) == 1
    assert w["accepted_notice"] in card_texts(valid(cards_to(connector, coordinator)[-1]))

    # During after-care the project card says who gives second-line support until when.
    shown = (await bot.say(coordinator, "project DT-042")).cards[0]
    assert w["after_care"] in card_texts(valid(shown))

    # Two weeks before the end both sides get a reminder.
    clock.set(utc(2027, 4, 21, 7, 0))
    assert await deliver(db, clock) == 2
    assert w["after_care_end"] in card_texts(valid(cards_to(connector, coordinator)[-1]))
    assert w["after_care_end"] in card_texts(valid(cards_to(connector, receiver)[-1]))

    # At the end the daily job closes the project and offers the retrospective.
    clock.set(utc(2027, 5, 5, 5, 5))
    assert end_after_care(db, clock.now()) == 0  # still the last day of after-care
    clock.set(utc(2027, 5, 6, 5, 5))
    assert end_after_care(db, clock.now()) == 1
    assert end_after_care(db, clock.now()) == 0  # a second run closes nothing twice
    with db.session() as session:
        project = session.exec(select(Project)).one()
    assert (project.phase, project.state) == ("closed", "closed")
    assert await deliver(db, clock) == 1
    closing = valid(cards_to(connector, coordinator)[-1])
    assert w["closed"] in card_texts(closing) and w["retro"] in card_texts(closing)
    retro = await bot.submit(coordinator, {"verb": "retro.form", "code": "DT-042"})
    assert "went_well" in repr(retro.cards[0])

    # The dossier, for the receiving party's records, in the reader's language.
    offered = await bot.say(receiver, f"{w['handover']} DT-042 export")
    names = [a.get("name") for activity in offered.sent for a in activity.get("attachments") or [] if a.get("name")]
    assert names and names[0].endswith(".docx") and "DT-042" in names[0]


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_dossier_holds_plan_checklist_links_acceptance_and_after_care(
    bot: BotDriver, db: Database, clock: FakeClock, language: str
) -> None:
    w = WORDS[language]
    coordinator, receiver, _stakeholder, _stranger = await setup(bot, db, language)
    form = (await bot.say(coordinator, f"{w['handover']} DT-042")).cards[0]
    await bot.submit(coordinator, {**form_data(form), **plan_values(language)})
    first = item_ids(db)[0]
    edit = await bot.submit(coordinator, {"verb": "handover.item_form", "code": "DT-042", "item": first})
    bad_link = await bot.submit(coordinator, {**form_data(edit.cards[0]), "title": w["env"], "link": "intranet"})
    assert "https://" in card_texts(valid(shown_card(bad_link)))
    url = "https://intranet.example.be/beheer/omgeving"
    await bot.submit(coordinator, {**form_data(edit.cards[0]), "title": w["env"], "owner": "Stan Stake", "link": url})
    await bot.execute(coordinator, "handover.item_done", {"code": "DT-042", "item": first, "done": True})
    clock.set(utc(2027, 1, 29, 8, 0))
    await bot.execute(receiver, "handover.accept", {"handover": 1})

    with db.session() as session:
        person = session.exec(select(Project)).one()
    assert person.phase == "after_care"
    receiver_person = DirectoryRepository(db).find(receiver.aad_object_id)[0]
    where = Where("msteams", "c", "personal", "t")
    request = Request(
        kind="message",
        person=person_facts(receiver_person),
        where=where,
        language="nl" if language == "nl" else "en",
        timezone="Europe/Brussels",
    )
    services = Services(db=db, clock=clock, default_language="nl", default_timezone="Europe/Brussels")
    reply = export(request, services, "DT-042")
    (file,) = reply.files
    document = Document(io.BytesIO(file.data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert w["dossier"] in text and w["acceptance_section"] in text
    assert w["accepted_by"] in text
    assert "Jan Beheer" in cells and "Stan Stake" in cells and w["env"] in cells and "Back-up test" in cells
    assert url in [rel.target_ref for rel in document.part.rels.values() if rel.is_external]
    assert document.core_properties.language == ("nl-BE" if language == "nl" else "en-GB")


async def test_no_reminder_when_everything_is_done_and_a_team_channel_accepts(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    coordinator, member, _stakeholder, stranger = await setup(bot, db, "en")
    channel = Conversation.channel(team_name="Team Operations")
    await bot.say(member, "help", conversation=channel, mention_bot=True)  # the bot is installed there
    await bot.say(coordinator, "help", conversation=channel, mention_bot=True)
    form = (await bot.say(coordinator, "handover DT-042")).cards[0]
    assert "Team Operations" in card_texts(form)
    both = await bot.submit(
        coordinator, {**form_data(form), **plan_values("en", receiver_conversation="1", extra_items="")}
    )
    assert "Choose a person or a team, not both." in card_texts(shown_card(both))
    conversation = _conversation_choice(shown_card(both))
    await bot.submit(
        coordinator,
        {**form_data(form), **plan_values("en", receiver="", receiver_conversation=conversation, extra_items="")},
    )
    assert await deliver(db, clock) == 2  # the team's channel and the stakeholder
    assert any(
        "What is expected of you" in card_texts(a["attachments"][0]["content"])
        for a in connector.sent
        if a.get("attachments")
    )
    for item in item_ids(db):
        await bot.execute(coordinator, "handover.item_done", {"code": "DT-042", "item": item, "done": True})
    clock.set(utc(2027, 1, 15, 8, 0))
    assert await deliver(db, clock) == 2  # the early informs (due since 30 December); no reminder: all is done
    assert not [c for c in cards_to(connector, coordinator) if "In 14 days" in card_texts(c)]
    with db.session() as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedup_key == "handover:1:remind:14:2027-01-29")
        ).one()
    assert row.state == OutboxState.CANCELLED
    # In the team's channel: the coordinator may not accept their own handover, a team member may.
    own = await bot.execute(coordinator, "handover.accept", {"handover": 1}, conversation=channel)
    assert own.invoke_message is not None and own.invoke_message.startswith("Sorry, only the receiving party")
    elsewhere = await bot.execute(stranger, "handover.accept", {"handover": 1})
    assert elsewhere.invoke_message is not None
    done = await bot.execute(member, "handover.accept", {"handover": 1}, conversation=channel, reply_to_id="card-1")
    # The card belongs to the channel: in its language (the bot's default, Dutch), and updated for everyone there.
    assert done.invoke_card is not None and "Aanvaard door Jan Beheer" in card_texts(done.invoke_card)
    [update] = [r for r in connector.requests_for("update") if r.activity_id == "card-1"]
    assert update.body["attachments"][0]["content"] == done.invoke_card


def _conversation_choice(card: dict[str, Any]) -> str:
    for element in card["body"]:
        if element.get("id") == "receiver_conversation":
            return str(next(c["value"] for c in element["choices"] if c["value"]))
    raise AssertionError("no conversation to choose")


def test_personal_data_of_a_handover_is_exported_and_erased(db: Database) -> None:
    from storage.handover import HandoverRepository
    from storage.models import Person
    from storage.projects import ProjectRepository

    now = utc(2026, 11, 23, 9, 0)
    with db.session() as session:
        jan = Person(tenant_id="t", aad_object_id="aad-jan", name="Jan", created_at=now, updated_at=now)
        session.add(jan)
        session.flush()
        jan_id = jan.id
    assert jan_id is not None
    project = ProjectRepository(db).create("DT-042", {"name": "Loket", "domain_id": 2}, [], actor_id=None, now=now)
    repository = HandoverRepository(db)
    row, _ = repository.save_plan(
        project.id,
        {"planned_on": date(2027, 1, 29), "receiver_person_id": jan_id, "support_person_id": jan_id,
         "after_care_length": "P3M"},
        [jan_id], [], actor_id=None, now=now, form_id="f1", default_owner_id=jan_id,
    )  # fmt: skip
    repository.not_yet(row.id, reason="Jan is on leave", actor_id=jan_id, now=now)
    exported = PrivacyRepository(db).export(jan_id)["handover"]
    roles = {r.get("as") for r in exported}
    assert {"receiving_party", "second_line_support", "said_not_yet", "stakeholder_to_inform"} <= roles
    assert any(r.get("handover_item_of") == "DT-042" for r in exported)
    PrivacyRepository(db).forget(jan_id, now=now)
    after = repository.get(row.id)
    assert after is not None
    assert after.receiver_person is None and after.support is None and after.stakeholders == ()
    assert after.not_yet_reason == "" and all(item.owner is None for item in after.items)


ASK_WORDS = {
    "nl": {
        "ask": "Nu om aanvaarding vragen",
        "asked": "Ik vraag Jan Beheer nu om de overdracht van DT-042 te aanvaarden.",
        "refused": "Ik vind geen project met code of naam “DT-042”. Typ **projecten** voor je lijst.",
        "accepted_by": "Aanvaard door Ada Admin",
        "accepted_notice": "Ada Admin heeft de overdracht van DT-042 aanvaard.",
        "unreachable_title": "Overdracht DT-042: niet iedereen kon ingelicht worden",
        "stakeholder": "(in te lichten): opgegeven met e-mailadres, heeft nog nooit met mij gepraat",
        "receiver": "(ontvangende partij): opgegeven met e-mailadres",
        "receiver_unreachable": "Ik kan de ontvangende partij nog niet bereiken",
    },
    "en": {
        "ask": "Ask for acceptance now",
        "asked": "I am asking Jan Beheer now to accept the handover of DT-042.",
        "refused": "I cannot find a project with code or name “DT-042”. Type **projects** for your list.",
        "accepted_by": "Accepted by Ada Admin",
        "accepted_notice": "Ada Admin accepted the handover of DT-042.",
        "unreachable_title": "Handover DT-042: not everyone could be informed",
        "stakeholder": "(to inform): named by email, has not talked to me yet",
        "receiver": "(receiving party): named by email",
        "receiver_unreachable": "I cannot reach the receiving party yet",
    },
}


def outbox_keys(db: Database) -> dict[str, str]:
    with db.session() as session:
        return {row.dedup_key: row.state for row in session.exec(select(OutboxMessage))}


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_coordinator_asks_for_acceptance_now_and_an_admin_accepts_on_behalf(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, language: str
) -> None:
    w, a = WORDS[language], ASK_WORDS[language]
    coordinator, receiver, _stakeholder, stranger = await setup(bot, db, language)
    admin = TeamsUser.named("Ada Admin", locale=coordinator.locale)
    await grant(bot, db, admin, Role.ADMIN)
    form = (await bot.say(coordinator, f"{w['handover']} DT-042")).cards[0]
    saved = await bot.submit(coordinator, {**form_data(form), **plan_values(language)})
    plan = valid(shown_card(saved))
    assert a["ask"] in card_texts(plan) and "handover.ask_acceptance" in verbs_on(plan)
    assert await deliver(db, clock) == 2  # informed: the receiving party and the stakeholder

    # Only the coordinator (or an admin) may ask; someone who may not even see the project is told it is not there.
    refused = await bot.submit(stranger, {"verb": "handover.ask_acceptance", "code": "DT-042"})
    assert refused.texts == [a["refused"]]
    assert await deliver(db, clock) == 0

    # Two months before the planned date the coordinator asks now: the acceptance card goes out at once (the one
    # queued for the planned date is that same message, brought forward, so it is not sent twice).
    asked = await bot.submit(coordinator, {"verb": "handover.ask_acceptance", "code": "DT-042"})
    assert asked.texts == [a["asked"]]
    assert await deliver(db, clock) == 1
    acceptance = valid(cards_to(connector, receiver)[-1])
    assert w["accept"] in card_texts(acceptance) and "handover.accept" in verbs_on(acceptance)
    assert outbox_keys(db)["handover:1:accept:2027-01-29"] == OutboxState.SENT
    # Asking again the same day sends it once more; a third press that day adds nothing.
    await bot.submit(coordinator, {"verb": "handover.ask_acceptance", "code": "DT-042"})
    await bot.submit(coordinator, {"verb": "handover.ask_acceptance", "code": "DT-042"})
    assert await deliver(db, clock) == 1
    assert len([k for k in outbox_keys(db) if k.startswith("handover:1:accept:")]) == 2

    # An administrator records the acceptance for the receiving party (e.g. accepted by mail): who and when are
    # theirs, the project moves to after-care, the coordinator is told; a second press records nothing more.
    accepted = await bot.execute(admin, "handover.accept", {"handover": 1})
    assert accepted.invoke_card is not None and a["accepted_by"] in card_texts(valid(accepted.invoke_card))
    assert "handover.accept" not in verbs_on(accepted.invoke_card)
    await bot.execute(admin, "handover.accept", {"handover": 1})
    admin_id = DirectoryRepository(db).find(admin.aad_object_id)[0].id
    with db.session() as session:
        handover = session.get_one(Handover, 1)
        audits = session.exec(select(AuditLog).where(AuditLog.action == "handover.accept")).all()
        project = session.exec(select(Project)).one()
    assert handover.state == "accepted" and handover.accepted_by_id == admin_id
    assert handover.accepted_at == clock.now() and project.phase == "after_care"
    assert [audit.actor_id for audit in audits] == [admin_id]
    assert await deliver(db, clock) >= 1
    assert a["accepted_notice"] in card_texts(valid(cards_to(connector, coordinator)[-1]))


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_coordinator_is_told_once_whom_the_information_could_not_reach(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, language: str
) -> None:
    w, a = WORDS[language], ASK_WORDS[language]
    coordinator, _receiver, stakeholder, _stranger = await setup(bot, db, language)
    form = (await bot.say(coordinator, f"{w['handover']} DT-042")).cards[0]
    values = plan_values(language, receiver="nieuw.beheer@example.be", stakeholders="Stan Stake; piet@zottegem.be")
    await bot.submit(coordinator, {**form_data(form), **values})

    # Stan is informed; the coordinator gets one short card naming the two the bot cannot write to, and why.
    assert await deliver(db, clock) == 2
    assert len([c for c in cards_to(connector, stakeholder) if w["expected"] in card_texts(c)]) == 1
    [notice] = [c for c in cards_to(connector, coordinator) if a["unreachable_title"] in card_texts(c)]
    texts = card_texts(valid(notice))
    assert f"nieuw.beheer@example.be** {a['receiver']}" in texts
    assert f"piet@zottegem.be** {a['stakeholder']}" in texts
    assert "Stan Stake" not in texts and "handover.open" in verbs_on(notice)
    # Asking for acceptance cannot reach such a receiving party either: said at once.
    asked = await bot.submit(coordinator, {"verb": "handover.ask_acceptance", "code": "DT-042"})
    assert asked.texts[0].startswith(a["receiver_unreachable"])

    # Saved again unchanged: not told twice. Someone new who cannot be reached: told about that one only.
    edit = (await bot.submit(coordinator, {"verb": "handover.form", "code": "DT-042"})).cards[0]
    await bot.submit(coordinator, {**form_data(edit), **values})
    assert await deliver(db, clock) == 0
    edit = (await bot.submit(coordinator, {"verb": "handover.form", "code": "DT-042"})).cards[0]
    more = {**values, "stakeholders": "Stan Stake; piet@zottegem.be; mia@zottegem.be"}
    await bot.submit(coordinator, {**form_data(edit), **more})
    assert await deliver(db, clock) == 1
    latest = card_texts(valid(cards_to(connector, coordinator)[-1]))
    assert "mia@zottegem.be" in latest and "piet@zottegem.be" not in latest
    assert len([k for k in outbox_keys(db) if k.startswith("handover:1:unreachable:")]) == 2


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_people_named_by_email_are_informed_once_they_talk_to_the_bot(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector, language: str
) -> None:
    w = WORDS[language]
    coordinator, _receiver, stakeholder, _stranger = await setup(bot, db, language)
    form = (await bot.say(coordinator, f"{w['handover']} DT-042")).cards[0]
    values = plan_values(language, receiver="nieuw.beheer@example.be", stakeholders="Stan Stake; piet@zottegem.be")
    await bot.submit(coordinator, {**form_data(form), **values})
    assert await deliver(db, clock) == 2  # Stan, and the coordinator's "could not reach" notice
    assert not any(key.startswith("handover:1:accept:") for key in outbox_keys(db))

    # Piet and the receiving party talk to the bot; Teams' roster gives their addresses, which links them.
    piet = TeamsUser.named("Piet Peeters", locale="nl-BE" if language == "nl" else "en-GB")
    beheer = TeamsUser.named("Nele Beheer", locale="nl-BE" if language == "nl" else "en-GB")
    for user, email in ((piet, "piet@zottegem.be"), (beheer, "Nieuw.Beheer@example.be")):
        member = user.member_record(TENANT, email=email)
        connector.add_member(Conversation.personal(user).id, member, tenant_id=TENANT)
        await bot.say(user, "help")
    assert await deliver(db, clock) == 2
    for user in (piet, beheer):
        informed = [c for c in cards_to(connector, user) if w["expected"] in card_texts(valid(c))]
        assert len(informed) == 1, user.name
    # The receiving party will now be asked to accept on the day; nobody else is told twice.
    assert any(key.startswith("handover:1:accept:") for key in outbox_keys(db))
    assert len([c for c in cards_to(connector, stakeholder) if w["expected"] in card_texts(c)]) == 1
    await bot.say(piet, "help")
    assert await deliver(db, clock) == 0


PHONE_WORDS = {
    "nl": {
        "receiver": "Ontvangende partij",
        "stakeholders": "Worden ook verwittigd",
        "care": "1 maand",
        "care_shown": "1 maand na de aanvaarding",
        "hint": "Tik op ☐ om een punt af te vinken",
        "tick": "Afvinken",
        "edit": "Wijzigen",
    },
    "en": {
        "receiver": "Receiving party",
        "stakeholders": "Also informed",
        "care": "1 month",
        "care_shown": "1 month after acceptance",
        "hint": "Tap ☐ to tick an item off",
        "tick": "Tick off",
        "edit": "Edit",
    },
}


def elements(node: Any, kind: str) -> list[dict[str, Any]]:
    """Every element or action of a type on a card, in reading order."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in node.values():
            found.extend(elements(value, kind))
    elif isinstance(node, list):
        for item in node:
            found.extend(elements(item, kind))
    return found


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_plan_card_reads_at_phone_width(bot: BotDriver, db: Database, language: str) -> None:
    w, p = WORDS[language], PHONE_WORDS[language]
    coordinator, receiver, _stakeholder, _stranger = await setup(bot, db, language)
    directory = DirectoryRepository(db)
    [jan] = directory.find(receiver.aad_object_id)
    assert jan.id is not None
    LinkRepository(db).link_email(jan.id, "jan.beheer@example.be", now=jan.created_at)  # as the Teams roster reports it
    form = (await bot.say(coordinator, f"{w['handover']} DT-042")).cards[0]
    values = plan_values(
        language, receiver="jan.beheer@example.be", after_care=p["care"], stakeholders="Stan Stake, piet@zottegem.be"
    )
    plan = valid(shown_card(await bot.submit(coordinator, {**form_data(form), **values})))
    body = plan["body"]

    # No FactSet (it clips at 390 px): each fact is a small subtle label over its value. People are shown by
    # their name when the bot knows them (Jan, named by his email address), by email address otherwise.
    assert elements(plan, "FactSet") == []
    [label] = [i for i, e in enumerate(body) if e.get("text") == p["receiver"]]
    assert body[label].get("size") == "Small" and body[label].get("isSubtle") is True
    assert body[label + 1]["text"] == "Jan Beheer" and body[label + 1]["wrap"] is True
    [label] = [i for i, e in enumerate(body) if e.get("text") == p["stakeholders"]]
    assert set(body[label + 1]["text"].split(", ")) == {"Stan Stake", "piet@zottegem.be"}
    assert "jan.beheer@example.be" not in card_texts(plan)
    # One month is "1 maand" / "1 month", not "1 maand(en)".
    assert p["care_shown"] in card_texts(plan) and "(en)" not in card_texts(plan) and "(s)" not in card_texts(plan)

    # Each checklist item is one row: the box is the button that ticks it off, tapping the item opens its form;
    # no row of buttons under every item.
    ids = item_ids(db)
    rows = [e for e in body if e.get("type") == "ColumnSet"]
    assert len(rows) == len(ids) == 7 and p["hint"] in card_texts(plan)
    assert [e for e in body if e.get("type") == "ActionSet"] == []
    for row, item in zip(rows, ids, strict=True):
        [box] = elements(row, "Action.Execute")
        assert (box["title"], box["tooltip"], box["verb"]) == ("☐", p["tick"], "handover.item_done")
        assert box["data"] == {"code": "DT-042", "item": item, "done": True}
        tap = row["columns"][1]["selectAction"]
        assert (tap["title"], tap["data"]) == (
            p["edit"],
            {"verb": "handover.item_form", "code": "DT-042", "item": item},
        )
    ticked = await bot.execute(coordinator, "handover.item_done", elements(rows[0], "Action.Execute")[0]["data"])
    assert ticked.invoke_card is not None
    first_row = next(e for e in valid(ticked.invoke_card)["body"] if e.get("type") == "ColumnSet")
    [box] = elements(first_row, "Action.Execute")
    assert box["title"] == "☑" and box["data"]["done"] is False
    opened = (await bot.submit(coordinator, rows[1]["columns"][1]["selectAction"]["data"])).cards[0]
    assert form_data(valid(opened))["item"] == ids[1]
    assert [e.get("id") for e in opened["body"] if e.get("id")] == ["title", "owner", "owner_new", "due", "link"]

    # One month is stored; the edit form offers it back as written ("1 maand"), which it reads again.
    edit = (await bot.submit(coordinator, {"verb": "handover.form", "code": "DT-042"})).cards[0]
    [after_care] = [e for e in edit["body"] if e.get("id") == "after_care"]
    assert after_care["value"] == p["care"]
    typed = {e["id"]: str(e.get("value") or "") for e in edit["body"] if e.get("id")}
    resaved = await bot.submit(coordinator, {**form_data(edit), **typed})
    assert p["care_shown"] in card_texts(valid(shown_card(resaved)))
    with db.session() as session:
        assert session.exec(select(Handover)).one().after_care_length == "P1M"


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_receiver_and_support_are_picked_and_an_address_typed_under_the_picker_wins(
    bot: BotDriver, db: Database, language: str
) -> None:
    """Issue 18 (typeahead): the plan's receiving person and support contact are people pickers (colleagues listed,
    Teams searches them all as one types), with a field for the address of someone not listed."""
    w = WORDS[language]
    coordinator, receiver, stakeholder, _stranger = await setup(bot, db, language)
    form = valid((await bot.say(coordinator, f"{w['handover']} dt-042")).cards[0])
    for name in ("receiver", "support"):
        picker = element_with_id(form, name)
        assert picker["type"] == "Input.ChoiceSet"
        assert picker["choices.data"] == {"type": "Data.Query", "dataset": "people"}
        assert receiver.aad_object_id in {choice["value"] for choice in picker["choices"]}
        assert element_with_id(form, f"{name}_new")["type"] == "Input.Text"

    picked = plan_values(language, receiver=receiver.aad_object_id, support=stakeholder.aad_object_id)
    saved = await bot.submit(coordinator, {**form_data(form), **picked})
    assert saved.texts[0].startswith(w["created"])
    with db.session() as session:
        [handover] = session.exec(select(Handover)).all()
        chosen = session.exec(select(Person).where(Person.aad_object_id == receiver.aad_object_id)).one()
    assert handover.receiver_person_id == chosen.id

    # Editing shows who was picked; an address typed under the picker replaces them.
    edit = valid((await bot.say(coordinator, f"{w['handover']} dt-042")).cards[0])
    if any(e.get("id") == "receiver" for e in elements(edit, "Input.ChoiceSet")):
        assert element_with_id(edit, "receiver").get("value") == receiver.aad_object_id
    else:  # the plan card: its edit button opens the form
        edit = valid(shown_card(await bot.submit(coordinator, {"verb": "handover.form", "code": "DT-042"})))
        assert element_with_id(edit, "receiver").get("value") == receiver.aad_object_id
    typed = {**picked, "receiver_new": "Nieuwe.Beheerder@example.org"}
    changed = await bot.submit(coordinator, {**form_data(edit), **typed})
    assert not [e for e in changed.texts if "error" in e.lower()]
    with db.session() as session:
        handover = session.exec(select(Handover)).one()
        new = session.exec(select(Person).where(Person.email == "nieuwe.beheerder@example.org")).one()
    assert handover.receiver_person_id == new.id
