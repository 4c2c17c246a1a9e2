"""Project status in conversation: the status form round trip, history, milestones, risks, decisions, the closing
retrospective and lessons, the status card, the portfolio and the board report; over HTTP on both databases."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from docx import Document
from sqlmodel import select

from dialogs.meetings.reminders import upcoming_meetings
from storage.db import Database
from storage.decisions import ProjectDecision, Retrospective
from storage.directory import DirectoryRepository, Role
from storage.files import StoredFile
from storage.meetings import MeetingSeries
from storage.milestones_risks import Milestone, Risk
from storage.projects import Project
from storage.status import StatusReport
from tests.cardcheck import card_problems
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver
from tests.test_project_turns import AN, BOB, create_project, form_data, grant, shown_card
from tests.test_status_jobs import counted
from tests.test_turns import card_texts, verbs_on

MARC = TeamsUser.named("Marc Janssens", locale="nl-BE")
GOOD = {
    "overall": "amber",
    "schedule": "green",
    "budget": "amber",
    "scope": "green",
    "summary": "Analyse afgerond, bouw gestart.",
    "achievements": "Werkgroep twee keer samengekomen.",
    "next_steps": "Testen met Zottegem.",
    "decisions_needed": "Keuze betaalmodule.",
    "blockers": "",
}


def valid(card: dict[str, Any]) -> dict[str, Any]:
    assert card_problems(card) == []
    return card


def submit_data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the card's button with this verb (a form's save button)."""
    for action in card.get("actions") or []:
        data = action.get("data") or {}
        if data.get("verb") == verb:
            return dict(data)
    raise AssertionError(f"no {verb} button on the card")


def reports(db: Database) -> list[StatusReport]:
    with db.session() as session:
        return list(session.exec(select(StatusReport).order_by(StatusReport.id)))  # type: ignore[arg-type]


async def coordinator_with_project(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    created = await create_project(bot, AN)
    assert created.texts == ["Project DT-042 is aangemaakt."]


async def test_status_form_validates_keeps_values_records_once_and_prefills(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    form = (await bot.say(AN, "update dt-042")).cards[0]
    texts = card_texts(form)
    assert "Statusupdate DT-042 · Digitaal loket" in texts
    assert "🟢 Op schema" in texts and "🟠 Risico" in texts and "🔴 Ontspoord" in texts
    save = submit_data(form, "status.save")

    refused = await bot.submit(AN, {**save, **GOOD, "overall": "", "schedule": "red", "summary": " "})
    again = shown_card(refused)
    texts = card_texts(again)
    assert "Kies Op schema, Risico of Ontspoord." in texts
    assert "Schrijf een korte samenvatting." in texts
    assert "Keuze betaalmodule." in texts  # typed values kept
    assert reports(db) == []
    # The error sits right under its field.
    body = again["body"]
    index = next(i for i, e in enumerate(body) if e.get("id") == "summary")
    assert body[index + 1]["text"] == "Schrijf een korte samenvatting."

    inconsistent = await bot.submit(AN, {**save, **GOOD, "overall": "green", "scope": "red"})
    assert "Algemeen kan niet Op schema zijn als een onderdeel Ontspoord is." in card_texts(shown_card(inconsistent))

    saved = await bot.submit(AN, {**submit_data(again, "status.save"), **GOOD})
    assert saved.texts == ["Statusupdate voor DT-042 opgeslagen."]
    assert "Status DT-042 · Digitaal loket" in card_texts(shown_card(saved))
    twice = await bot.submit(AN, {**submit_data(again, "status.save"), **GOOD})
    assert twice.texts == ["Deze update voor DT-042 was al opgeslagen; ze is één keer bewaard."]
    [report] = reports(db)
    assert report.overall == "amber" and report.author_id is not None
    assert report.form_id == f"{report.author_id}:{save['form_id']}"  # each person's submission once

    prefilled = (await bot.say(AN, "update DT-042")).cards[0]
    values = {e["id"]: e.get("value") for e in prefilled["body"] if "id" in e}
    assert values["overall"] == "amber" and values["summary"] == GOOD["summary"]
    assert values["achievements"] in ("", None)  # achievements are "since the last update"
    assert "Ingevuld met de update van" in card_texts(prefilled)

    second = {**GOOD, "overall": "red", "budget": "red", "summary": "Leverancier failliet."}
    await bot.submit(AN, {**submit_data(prefilled, "status.save"), **second})
    assert len(reports(db)) == 2
    status = (await bot.say(AN, "status DT-042")).cards[0]
    texts = card_texts(status)
    assert "🔴 Ontspoord ↘ verslechterd" in texts  # overall, against the previous report
    assert "🟢 Op schema → ongewijzigd" in texts  # schedule
    assert "Leverancier failliet." in texts
    assert "Laatste update vandaag, door An Peeters." in texts
    assert "0 van 1.250,5 uur besteed (0 %)" in texts
    history = (await bot.say(AN, "statusgeschiedenis DT-042")).cards[0]
    assert card_texts(history).count("An Peeters") == 2


async def test_status_in_english_and_refused_to_strangers(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    refused = await bot.say(BOB, "update DT-042")  # a stranger: as if there were no such project
    assert refused.texts == ["I cannot find a project with code or name “DT-042”. Type **projects** for your list."]
    await grant(bot, db, BOB, Role.ADMIN)
    form = (await bot.say(BOB, "update DT-042")).cards[0]
    assert "🟠 At risk" in card_texts(form) and "🔴 Off track" in card_texts(form)
    status = (await bot.say(BOB, "status DT-042")).cards[0]
    assert "No status update yet: ask the coordinator for one." in card_texts(status)
    unknown = await bot.say(BOB, "status")
    assert unknown.texts and "status DT-042" in unknown.texts[0]


async def test_milestones_add_edit_done_late_marked(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await coordinator_with_project(bot, db)
    listing = (await bot.say(AN, "mijlpalen DT-042")).cards[0]
    assert "Nog geen mijlpalen." in card_texts(listing)
    form = (await bot.submit(AN, submit_data(listing, "milestones.form"))).cards[0]
    save = submit_data(form, "milestones.save")
    bad = await bot.submit(AN, {**save, "title": "", "due": "morgen"})
    texts = card_texts(shown_card(bad))
    assert "Geef de mijlpaal een naam." in texts and "“morgen” is geen datum; gebruik bv. 27/11/2026." in texts
    ok = await bot.submit(AN, {**save, "title": "Oplevering fase 1", "due": "2026-11-20"})
    assert "Mijlpaal “Oplevering fase 1” opgeslagen." in card_texts(shown_card(ok))
    again = await bot.submit(AN, {**save, "title": "Oplevering fase 1", "due": "2026-11-20"})
    assert "Dit formulier was al opgeslagen" in card_texts(shown_card(again))
    with db.session() as session:
        [milestone] = session.exec(select(Milestone)).all()
    listing = shown_card(ok)
    assert "⚠️ **Oplevering fase 1**" in card_texts(listing) and "te laat" in card_texts(listing)
    assert "Te laat: 1" in card_texts(listing)
    # At phone width the row's text has the whole width; its buttons sit under it, with the same verbs and data.
    [row] = [element for element in listing["body"] if element["type"] == "Container"]
    assert [item["type"] for item in row["items"]] == ["TextBlock", "TextBlock", "ActionSet"]
    assert row["items"][1]["text"] == "20 nov 2026 · te laat" and row["items"][1]["color"] == "Attention"
    ids = {"code": "DT-042", "milestone": milestone.id}
    assert [(a["title"], a["data"]) for a in row["items"][2]["actions"]] == [
        ("Wijzig", {"verb": "milestones.form", **ids}),
        ("Klaar", {"verb": "milestones.done", **ids}),
    ]

    edit = (await bot.submit(AN, {"verb": "milestones.form", "code": "DT-042", "milestone": milestone.id})).cards[0]
    assert "Oplevering fase 1" in card_texts(edit)
    moved = await bot.submit(
        AN, {**submit_data(edit, "milestones.save"), "title": "Oplevering fase 1", "due": "2026-12-20"}
    )
    assert "gepland" in card_texts(shown_card(moved))

    done = await bot.submit(AN, {"verb": "milestones.done", "code": "DT-042", "milestone": milestone.id})
    assert "“Oplevering fase 1” is afgevinkt." in card_texts(shown_card(done))
    twice = await bot.submit(AN, {"verb": "milestones.done", "code": "DT-042", "milestone": milestone.id})
    assert "“Oplevering fase 1” stond al zo." in card_texts(shown_card(twice))
    # Someone else's milestone id cannot be reached through this project.
    wrong = await bot.submit(AN, {"verb": "milestones.done", "code": "DT-042", "milestone": 999})
    assert wrong.texts == ["Die mijlpaal bestaat niet (meer) in dit project."]


async def test_risk_register_add_validate_close_sorted_by_score(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    listing = (await bot.say(AN, "risico's DT-042")).cards[0]
    form = (await bot.submit(AN, submit_data(listing, "risks.form"))).cards[0]
    save = submit_data(form, "risks.save")
    bad = await bot.submit(
        AN, {**save, "title": "Leverancier te laat", "probability": "7", "impact": "", "owner": "nobody here"}
    )
    texts = card_texts(shown_card(bad))
    assert texts.count("Kies een waarde van 1 tot 5.") == 2
    assert "Leverancier te laat" in texts
    with db.session() as session:
        assert session.exec(select(Risk)).all() == []
    await bot.submit(AN, {**save, "title": "Leverancier te laat", "probability": "3", "impact": "4", "owner": "An"})
    second = (await bot.submit(AN, submit_data(listing, "risks.form"))).cards[0]
    result = await bot.submit(
        AN,
        {
            **submit_data(second, "risks.save"),
            "title": "Datalek",
            "probability": "2",
            "impact": "5",
            "mitigation": "DPIA",
        },
    )
    texts = card_texts(shown_card(result))
    assert texts.index("12 · Leverancier te laat") < texts.index("10 · Datalek")
    rows = [element for element in shown_card(result)["body"] if element["type"] == "Container"]
    for row in rows:  # text over the whole width, the buttons under it
        assert "ColumnSet" not in [item["type"] for item in row["items"]]
        assert row["items"][-1]["type"] == "ActionSet"
        assert [a["data"]["verb"] for a in row["items"][-1]["actions"]] == ["risks.form", "risks.close"]
    with db.session() as session:
        risks = {r.title: r for r in session.exec(select(Risk))}
    assert risks["Leverancier te laat"].score == 12 and risks["Leverancier te laat"].owner_id is not None
    closed = await bot.submit(AN, {"verb": "risks.close", "code": "DT-042", "risk": risks["Datalek"].id})
    assert "Risico “Datalek” gesloten." in card_texts(shown_card(closed))
    status = card_texts((await bot.say(AN, "status DT-042")).cards[0])
    assert "Leverancier te laat" in status and "Datalek" not in status


async def test_decisions_and_scope_changes_recorded_once(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    listing = (await bot.say(AN, "beslissingen DT-042")).cards[0]
    form = (await bot.submit(AN, submit_data(listing, "decisions.form"))).cards[0]
    save = submit_data(form, "decisions.save")
    bad = await bot.submit(AN, {**save, "kind": "scope_change", "date": "", "text": ""})
    assert "Schrijf op wat beslist is." in card_texts(shown_card(bad))
    data = {
        **save,
        "kind": "scope_change",
        "date": "2026-11-20",
        "text": "Betalingen vallen buiten scope.",
        "decided_by": "Stuurgroep",
    }
    ok = await bot.submit(AN, data)
    assert "Scopewijziging vastgelegd." in card_texts(shown_card(ok))
    await bot.submit(AN, data)
    with db.session() as session:
        [decision] = session.exec(select(ProjectDecision)).all()
    assert decision.decided_by == "Stuurgroep" and decision.recorded_by_id is not None


async def test_closing_asks_for_a_retrospective_and_lessons_are_listed(bot: BotDriver, db: Database) -> None:
    await coordinator_with_project(bot, db)
    closed = await bot.submit(AN, {"verb": "projects.phase_save", "code": "DT-042", "phase": "closed"})
    assert "DT-042 is afgesloten. Neem even de tijd voor een korte terugblik:" in closed.texts
    retro = next(c for c in closed.cards if "retro.save" in verbs_on(c))
    save = submit_data(retro, "retro.save")
    empty = await bot.submit(AN, save)
    assert "Vul minstens één veld in." in card_texts(shown_card(empty))
    done = await bot.submit(AN, {**save, "went_well": "Werkgroep", "lessons": "Betrek de DPO vroeg."})
    assert done.texts == ["Terugblik van DT-042 opgeslagen. Bedankt!"]
    with db.session() as session:
        assert len(session.exec(select(Retrospective)).all()) == 1
    lessons = (await bot.say(AN, "lessen")).cards[0]
    assert "Betrek de DPO vroeg." in card_texts(lessons)
    other_domain = await bot.submit(AN, {"verb": "lessons.filter", "domain": "1"})
    assert "Nog geen lessen vastgelegd." in card_texts(other_domain.cards[0])
    by_name = (await bot.say(AN, "lessen digitale transformatie")).cards[0]
    assert "Betrek de DPO vroeg." in card_texts(by_name)


async def test_portfolio_for_a_manager_attention_first(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await coordinator_with_project(bot, db)
    await create_project(bot, AN, code="DT-043", name="Archief")
    await create_project(bot, AN, code="DT-044", name="Netwerk")
    for code, overall in (("DT-042", "green"), ("DT-044", "red")):
        form = (await bot.say(AN, f"update {code}")).cards[0]
        await bot.submit(AN, {**submit_data(form, "status.save"), **GOOD, "overall": overall, "budget": "green"})
    refused = await bot.say(AN, "overzicht")
    assert refused.texts[0].startswith("Sorry, dat mag je niet.") or "managers" in refused.texts[0]
    marc_id = await grant(bot, db, MARC, Role.MANAGER)
    DirectoryRepository(db).set_managed_domains(marc_id, {2}, actor_id=None, now=clock.now())
    card = (await bot.say(MARC, "overzicht")).cards[0]
    texts = card_texts(card)
    assert "Overzicht (3 projecten)" in texts
    order = [texts.index(code) for code in ("DT-044", "DT-043", "DT-042")]
    assert order == sorted(order)  # red, then never updated, then green
    assert "nooit bijgewerkt" in texts
    # The results come first: no input above them; the filters fold into a Filter button with the same payload.
    assert "Input." not in str(card["body"])
    [fold] = [action for action in card["actions"] if action["type"] == "Action.ShowCard"]
    assert fold["title"] == "Filteren"
    assert [i["id"] for i in fold["card"]["body"]] == ["coordinator"]  # one domain of his: nothing to choose there
    # ... and whose overview it is (only they filter and page it: tests/test_shared_cards.py).
    assert fold["card"]["actions"][0]["data"] == {"verb": "portfolio.page", "page": 1, "owner": marc_id}
    [an] = [c["value"] for c in fold["card"]["body"][0]["choices"] if c["title"] == "An Peeters"]
    by_an = (await bot.submit(MARC, {"verb": "portfolio.page", "page": 1, "coordinator": an})).cards[0]
    assert "Gefilterd op coördinator “An Peeters”" in card_texts(by_an)
    assert "Overzicht (3 projecten)" in card_texts(by_an)
    filtered = await bot.submit(
        MARC, {"verb": "portfolio.page", "page": 1, "coordinator": "", "government": "", "domain": "1"}
    )
    assert "Overzicht (3 projecten)" in card_texts(filtered.cards[0])  # domain 1 is not his: ignored
    digest = await bot.say(MARC, "weekoverzicht")
    settings = digest.cards[0]
    bad = await bot.submit(
        MARC,
        {
            **submit_data(settings, "digest.save"),
            "at_time": "25:00",
            "weekday": "monday",
            "enabled": "true",
            "stale_days": "14",
        },
    )
    assert "“25:00” is geen uur; gebruik bv. 08:30." in card_texts(shown_card(bad))
    ok = await bot.submit(
        MARC, {"verb": "digest.save", "at_time": "7u45", "weekday": "friday", "enabled": "true", "stale_days": "10"}
    )
    assert ok.texts == ["Je weekoverzicht komt elke vrijdag om 07:45."]


async def test_board_report_card_and_docx_in_the_readers_language(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await coordinator_with_project(bot, db)
    form = (await bot.say(AN, "update DT-042")).cards[0]
    await bot.submit(AN, {**submit_data(form, "status.save"), **GOOD})
    clock.advance(timedelta(hours=1))
    result = await bot.say(AN, "rapport DT-042")
    card = result.cards[0]
    assert "Projectfiche voor de raad van bestuur: DT-042 · Digitaal loket" in card_texts(card)
    with db.session() as session:
        [stored] = session.exec(select(StoredFile)).all()
    assert stored.name == "rvb-rapport-DT-042-2026-11-23.docx"
    document = Document(io.BytesIO(stored.data))
    headings = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    for section in ("Doel", "Scope", "Betrokken lokale besturen", "Projectteam", "Planning en mijlpalen",
                    "Budget en besteding", "Status", "Grootste risico's", "Beslissingen"):  # fmt: skip
        assert section in headings, section
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Keuze betaalmodule." in text and "0 van 1.250,5 uur besteed (0 %)" in text
    assert len(document.inline_shapes) == 1  # the chart of hours against budget
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert "Risico" in cells  # the overall status, in words, in the status table
    english = await bot.say(BOB, "report DT-042")
    assert english.texts[0].startswith("I cannot find a project with code or name “DT-042”")


SUMMARY_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "status": "status DT-042",
        "new_meeting": "nieuwe vergadering DT-042",
        "handover": "overdracht DT-042",
        "meetings": "Komende vergaderingen",
        "no_meetings": "Geen vergaderingen gepland.",
        "no_handover": "Nog geen overdracht gepland.",
        "first": "di 24 nov 2026 10:00 · Werkgroep loket — Zaal 2",
        "third": "di 8 dec 2026 10:00 · Werkgroep loket — Zaal 2",
        "cancelled": "di 1 dec 2026",
        "planned": "Op 29 jan 2027 aan Jan Beheer · Gepland, nog niet aanvaard",
        "open": "Checklist: nog 7 van 7 punten open.",
        "after_care": "Nazorg: Stan Stake geeft tweedelijnssupport tot en met 23 feb 2027.",
        "accepted": "Op 29 jan 2027 aan Jan Beheer · Aanvaard",
        "care": "3 maanden",
    },
    "en": {
        "status": "status DT-042",
        "new_meeting": "new meeting DT-042",
        "handover": "handover DT-042",
        "meetings": "Upcoming meetings",
        "no_meetings": "No meetings planned.",
        "no_handover": "No handover planned yet.",
        # The reader is in London: an hour earlier than the meeting's Brussels time.
        "first": "Tue 24 Nov 2026 09:00 · Werkgroep loket — Zaal 2",
        "third": "Tue 8 Dec 2026 09:00 · Werkgroep loket — Zaal 2",
        "cancelled": "Tue 1 Dec 2026",
        "planned": "On 29 Jan 2027 to Jan Beheer · Planned, not yet accepted",
        "open": "Checklist: 7 of 7 items still open.",
        "after_care": "After-care: Stan Stake gives second-line support until 23 Feb 2027.",
        "accepted": "On 29 Jan 2027 to Jan Beheer · Accepted",
        "care": "3 months",
    },
}
SERIES = {
    "title": "Werkgroep loket",
    "kind": "working_group",
    "date": "2026-11-24",  # a Tuesday; the clock starts Monday 23 November 09:00 UTC
    "time": "10:00",
    "duration": "60",
    "timezone": "Europe/Brussels",
    "repeat": "weekly",
    "count": "4",
    "place": "Zaal 2",
    "link": "",
    "leads": "24h",
    "skip_holidays": "false",
}


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_status_card_shows_upcoming_meetings_and_the_handover(
    bot: BotDriver, db: Database, clock: FakeClock, language: str
) -> None:
    w = SUMMARY_WORDS[language]
    locale, zone = ("nl-BE", "Europe/Brussels") if language == "nl" else ("en-GB", "Europe/London")
    coordinator = TeamsUser.named(f"Coco Status {language}", locale=locale, timezone=zone)
    receiver = TeamsUser.named("Jan Beheer", locale=locale)
    support = TeamsUser.named("Stan Stake", locale=locale)
    await grant(bot, db, coordinator, Role.COORDINATOR)
    for user in (receiver, support):
        await bot.say(user, "help")
    await create_project(bot, coordinator)

    # Neither yet: the sections say so.
    texts = card_texts(valid((await bot.say(coordinator, w["status"])).cards[0]))
    assert w["meetings"] in texts and w["no_meetings"] in texts and w["no_handover"] in texts

    # A weekly series of four in the working group's channel, one occurrence cancelled: the next three shown,
    # at the reader's time, with title and place.
    channel = Conversation.channel(team_name="Digitaal loket")
    await bot.say(support, "help", conversation=channel)
    form = (await bot.say(coordinator, w["new_meeting"], conversation=channel)).cards[0]
    await bot.submit(coordinator, {**form_data(form), **SERIES}, conversation=channel)
    with db.session() as session:
        [series] = session.exec(select(MeetingSeries)).all()
    await bot.submit(coordinator, {"verb": "meeting.cancel_one", "series": series.id, "occurrence": "2026-12-01"})
    card = valid((await bot.say(coordinator, w["status"])).cards[0])
    texts = card_texts(card)
    assert w["first"] in texts and w["third"] in texts and w["cancelled"] not in texts
    assert texts.count("Werkgroep loket") == 3 and w["no_meetings"] not in texts
    assert "meeting.list" in verbs_on(card)

    # The handover planned: date, receiving party, state and how much of the checklist is open.
    plan = (await bot.say(coordinator, w["handover"])).cards[0]
    await bot.submit(
        coordinator,
        {
            **form_data(plan),
            "receiver": "Jan Beheer",
            "receiver_conversation": "",
            "planned": "2027-01-29",
            "after_care": w["care"],
            "support": "Stan Stake",
            "stakeholders": "",
            "inform_days": "30",
            "extra_items": "Back-up test",
        },
    )
    card = valid((await bot.say(coordinator, w["status"])).cards[0])
    texts = card_texts(card)
    assert w["planned"] in texts and w["open"] in texts and w["no_handover"] not in texts
    assert "handover.open" in verbs_on(card)

    # Accepted: during after-care the card says who gives second-line support until when.
    accepted = await bot.execute(receiver, "handover.accept", {"handover": 1})
    assert accepted.invoke_card is not None
    texts = card_texts(valid((await bot.say(coordinator, w["status"])).cards[0]))
    assert w["accepted"] in texts and w["after_care"] in texts and w["open"] not in texts


async def test_upcoming_meetings_of_several_series_in_two_queries_soonest_first(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await coordinator_with_project(bot, db)
    channel = Conversation.channel(team_name="Digitaal loket")
    await bot.say(BOB, "help", conversation=channel)
    for title, day in (("Stuurgroep", "2026-11-25"), ("Werkgroep", "2026-11-24")):
        form = (await bot.say(AN, "nieuwe vergadering DT-042", conversation=channel)).cards[0]
        await bot.submit(AN, {**form_data(form), **SERIES, "title": title, "date": day}, conversation=channel)
    with db.session() as session:
        project_id = session.exec(select(Project.id)).one()
    with counted(db) as statements:
        found = upcoming_meetings(db, project_id, clock.now(), limit=3)
    assert len(statements) == 2  # the series and their overrides, however many series
    assert [(m.title, m.start.date().isoformat()) for m in found] == [
        ("Werkgroep", "2026-11-24"),
        ("Stuurgroep", "2026-11-25"),
        ("Werkgroep", "2026-12-01"),
    ]
    assert upcoming_meetings(db, project_id + 1, clock.now()) == []
