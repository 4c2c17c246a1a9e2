"""Conversations about projects, roles and own data, in Dutch and English, over HTTP on both databases."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import Project
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_turns import card_texts, verbs_on

AN = TeamsUser.named("An Peeters", locale="nl-BE")
BOB = TeamsUser.named("Bob Smith", locale="en-US", timezone="Europe/London")


async def grant(bot: BotDriver, db: Database, user: TeamsUser, role: Role) -> int:
    await bot.say(user, "help")  # the person exists once they have talked
    directory = DirectoryRepository(db)
    [person] = directory.find(user.aad_object_id)
    assert person.id is not None
    directory.grant(person.id, role, actor_id=None, now=person.created_at)
    return person.id


def shown_card(result: TurnResult) -> dict[str, Any]:
    """The card a submit answered with: updated in place, or sent anew."""
    for activity in [*result.updated, *result.sent]:
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content: dict[str, Any] = attachment["content"]
                return content
    raise AssertionError("no card in the answer")


def form_data(card: dict[str, Any]) -> dict[str, Any]:
    [action] = card["actions"]
    data: dict[str, Any] = action["data"]
    return data


PROJECT = {
    "code": "dt-042",
    "name": "Digitaal loket",
    "domain": "2",
    "budget_hours": "1.250,5",
    "start": "2026-01-05",
    "end": "2026-12-18",
    "coordinator": "",
    "manager": "marc@example.test",
}


async def create_project(bot: BotDriver, user: TeamsUser, **changes: str) -> TurnResult:
    form = (await bot.say(user, "nieuw project" if user.locale.startswith("nl") else "new project")).cards[0]
    return await bot.submit(user, {**form_data(form), **PROJECT, **changes})


async def test_new_project_form_validates_fields_keeps_values_and_saves_once(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    form = (await bot.say(AN, "nieuw project")).cards[0]
    assert "Nieuw project" in card_texts(form)
    data = form_data(form)
    refused = await bot.submit(AN, {**data, **PROJECT, "code": "D42", "budget_hours": "veel", "end": "2025-01-01"})
    again = shown_card(refused)
    texts = card_texts(again)
    assert "“D42” is geen geldige code" in texts
    assert "“veel” is geen geldig bedrag" in texts
    assert "Het einde ligt vóór de start." in texts
    assert "Digitaal loket" in texts and "veel" in texts  # what was typed is kept
    with db.session() as session:
        assert session.exec(select(Project)).all() == []
        assert session.exec(select(Person).where(Person.email == "marc@example.test")).all() == []

    saved = await bot.submit(AN, {**form_data(again), **PROJECT})
    assert saved.texts == ["Project DT-042 is aangemaakt."]
    assert "DT-042 · Digitaal loket" in card_texts(shown_card(saved))
    twice = await bot.submit(AN, {**form_data(again), **PROJECT})
    assert twice.texts[0].startswith("Dit formulier was al opgeslagen")
    with db.session() as session:
        [project] = session.exec(select(Project)).all()
    assert str(project.budget_hours) == "1250.50"


async def test_project_card_shows_change_buttons_only_to_those_allowed(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    mine = (await bot.say(AN, "project DT-042")).cards[0]
    assert {"projects.edit", "projects.member_form", "projects.phase_form"} <= set(verbs_on(mine))
    [chart] = [e for e in mine["body"] if e.get("type") == "Image"]  # hours against budget over time
    assert chart["url"].startswith("data:image/png;base64,") and "DT-042" in chart["altText"]
    # Someone who may not see it is told what a code nobody uses tells them: nothing about whether it exists.
    refused = await bot.say(BOB, "project dt-042")
    assert refused.texts[0].replace("dt-042", "dt-043") == (await bot.say(BOB, "project dt-043")).texts[0]
    assert refused.texts == ["I cannot find a project with code or name “dt-042”. Type **projects** for your list."]
    bob_id = await grant(bot, db, BOB, Role.ADMIN)
    assert bob_id
    admin_view = (await bot.say(BOB, "project digitaal")).cards[0]
    assert "Planning" in card_texts(admin_view) and "Change phase" in card_texts(admin_view)
    bob_edit = await bot.submit(BOB, {"verb": "projects.phase_save", "code": "DT-042", "phase": "handover"})
    assert bob_edit.texts == ["DT-042 is now in the handover phase."]


async def test_lookup_ambiguous_then_choose_and_unknown_with_suggestion(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    await create_project(bot, AN, code="DT-043", name="Digitaal archief")
    which = await bot.say(AN, "project digitaal")
    assert "Welk project bedoel je?" in card_texts(which.cards[0])
    chosen = await bot.submit(AN, {"verb": "lookup.choose", "command": "project", "code": "DT-043"})
    assert "DT-043 · Digitaal archief" in card_texts(chosen.cards[0])
    typo = await bot.say(AN, "project archeif")
    assert typo.texts == ["Ik vind geen project “archeif”. Bedoel je misschien **DT-043** (Digitaal archief)?"]
    none = await bot.say(BOB, "project swimming pool")
    assert none.texts[0].startswith("I cannot find a project with code or name “swimming pool”.")


async def test_projects_list_team_member_and_phase_in_english(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, BOB, Role.COORDINATOR)
    await create_project(bot, BOB, name="Digital desk")
    listing = await bot.say(BOB, "projects")
    assert "DT-042" in card_texts(listing.cards[0]) and "coordinator" in card_texts(listing.cards[0])
    await bot.say(AN, "hulp")
    added = await bot.submit(
        BOB,
        {
            "verb": "projects.member_save",
            "code": "DT-042",
            "person": "An Peeters",
            "role": "analyst",
            "external": "false",
        },
    )
    assert added.texts == ["An Peeters is now on the team of DT-042."]
    repeated = await bot.submit(
        BOB,
        {
            "verb": "projects.member_save",
            "code": "DT-042",
            "person": "an peeters",
            "role": "analyst",
            "external": "false",
        },
    )
    assert "already" in repeated.texts[0]
    # Someone named by e-mail who never talked to the bot: a placeholder person, made with the team member.
    by_email = {"verb": "projects.member_save", "code": "DT-042", "person": "Els@Example.test", "external": "true"}
    assert (await bot.submit(BOB, by_email)).texts == ["els@example.test is now on the team of DT-042."]
    assert "already" in (await bot.submit(BOB, by_email)).texts[0]
    with db.session() as session:
        [els] = session.exec(select(Person).where(Person.email == "els@example.test")).all()
        assert els.aad_object_id.startswith("pending:")
    an_list = await bot.say(AN, "projecten")
    assert "teamlid" in card_texts(an_list.cards[0])
    refused = await bot.say(AN, "fase DT-042")
    assert refused.texts[0].startswith("Dat mag je helaas niet. Dit kan: de coördinator van het project")
    bad = await bot.submit(BOB, {"verb": "projects.phase_save", "code": "DT-042", "phase": "party"})
    assert "Choose a phase from the list." in card_texts(shown_card(bad))


async def test_roles_card_for_admins_only(bot: BotDriver, db: Database) -> None:
    refused = await bot.say(AN, "rollen")
    assert refused.texts == ["Dat mag je helaas niet. Dit kan: beheerders."]
    await grant(bot, db, BOB, Role.ADMIN)
    card = (await bot.say(BOB, "roles")).cards[0]
    assert "Bob Smith" in card_texts(card)
    granted = await bot.submit(
        BOB, {"verb": "roles.save", "operation": "grant", "person": "An Peeters", "role": "manager", "domains": "1,2"}
    )
    assert granted.texts == ["An Peeters is now manager."]
    unknown = await bot.submit(BOB, {"verb": "roles.save", "operation": "grant", "person": "Nobody", "role": "admin"})
    assert "I know nobody as “Nobody”" in card_texts(shown_card(unknown))


async def test_my_data_sends_json_and_csv(bot: BotDriver) -> None:
    result = await bot.say(BOB, "my data")
    assert "Your data" in card_texts(result.cards[0])
    files = {a["name"]: a for activity in result.sent for a in activity.get("attachments") or [] if a.get("name")}
    assert set(files) == {"my-data.json", "my-data.csv"}
    # Offered on Teams file consent cards; tests/test_files.py follows them through accept, decline and links.
    assert files["my-data.json"]["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert files["my-data.json"]["content"]["sizeInBytes"] > 0
    dutch = await bot.say(AN, "mijn gegevens")
    assert "Jouw gegevens" in card_texts(dutch.cards[0])


async def test_forget_me_asks_first_then_erases(bot: BotDriver, db: Database) -> None:
    confirm = await bot.say(AN, "vergeet mij")
    card = confirm.cards[0]
    assert "Je gegevens wissen?" in card_texts(card)
    token = next(a["data"]["token"] for a in card["actions"] if a["data"]["verb"] == "privacy.forget")
    stranger = await bot.submit(BOB, {"verb": "privacy.forget", "token": token})
    assert stranger.texts[0].startswith("This button was meant for someone else")
    done = await bot.submit(AN, {"verb": "privacy.forget", "token": token})
    assert done.texts == [
        "Je gegevens zijn gewist. Als je me opnieuw een bericht stuurt, begin je met een leeg profiel."
    ]
    with db.session() as session:
        names = [p.name for p in session.exec(select(Person))]
    assert "An Peeters" not in names
    cancel = await bot.submit(BOB, {"verb": "privacy.forget_cancel"})
    assert cancel.texts == ["All right, I erased nothing."]
