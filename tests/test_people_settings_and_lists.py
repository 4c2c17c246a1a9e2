"""Correcting one's own name and email, the admin's lists (domains, local governments), and the menu per person.

Conversations over HTTP, in Dutch and English, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from dialogs.app import build_router
from storage.audit import AuditLog
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.models import Person
from storage.projects import Domain, Government, ProjectRepository
from tests.harness import TeamsUser
from tests.harness.botdriver import BotDriver
from tests.test_project_turns import grant, shown_card
from tests.test_turns import card_texts, verbs_on

AN = TeamsUser.named("An Peeters", locale="nl-BE")
BOB = TeamsUser.named("Bob Smith", locale="en-US", timezone="Europe/London")


def field_value(card: dict[str, Any], field_id: str) -> Any:
    return next(e for e in card["body"] if e.get("id") == field_id).get("value")


def error_under(card: dict[str, Any], field_id: str) -> str:
    """The text right under an input: its error, when the bot refused the value."""
    body = card["body"]
    index = next(i for i, e in enumerate(body) if e.get("id") == field_id)
    following = body[index + 1]
    assert following.get("color") == "Attention", f"no error under {field_id}"
    return str(following["text"])


def person(db: Database, user: TeamsUser) -> Person:
    [found] = DirectoryRepository(db).find(user.aad_object_id)
    return found


def audit(db: Database, action: str) -> list[AuditLog]:
    with db.session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)))


# Name and email in settings -------------------------------------------------------------------------------------


async def test_settings_show_name_and_email_and_refuse_bad_values_in_dutch(bot: BotDriver, db: Database) -> None:
    form = (await bot.say(AN, "instellingen")).cards[0]
    assert field_value(form, "name") == "An Peeters"
    assert field_value(form, "email") == ""
    texts = card_texts(form)
    assert "Naam" in texts and "Contactadres (e-mail)" in texts
    # The card says what the address is for, and that it links nothing (Teams has not reported one in this test).
    assert "koppel ik je via het adres dat Teams me geeft; dat heb ik nog niet gekregen" in texts

    refused = await bot.submit(
        AN, {"verb": "settings.save", "language": "auto", "timezone": "", "name": "  ", "email": "an@peeters"}
    )
    again = shown_card(refused)
    assert error_under(again, "name") == "Vul je naam in."
    assert error_under(again, "email") == "“an@peeters” is geen geldig e-mailadres. Gebruik de vorm naam@domein.be."
    assert field_value(again, "email") == "an@peeters"  # what was typed is kept
    assert "Er staan fouten in het formulier" in card_texts(again) or len(again["body"]) > len(form["body"])
    stored = person(db, AN)
    assert (stored.name, stored.email, stored.contact_email) == ("An Peeters", None, None)
    assert audit(db, "person.name") == [] and audit(db, "person.contact_email") == []


async def test_corrected_name_and_email_are_saved_audited_once_and_kept_over_teams(
    bot: BotDriver, db: Database
) -> None:
    values = {
        "verb": "settings.save",
        "language": "auto",
        "timezone": "",
        "name": " An Peeters-Janssens ",
        "email": "An.Peeters@Zottegem.be",
    }
    saved = await bot.submit(AN, values)
    assert saved.texts == [
        "Je instellingen zijn opgeslagen: taal Nederlands, tijdzone Brussel (Europe/Brussels). "
        "Ik noem je voortaan An Peeters-Janssens. Je contactadres is nu an.peeters@zottegem.be."
    ]
    refreshed = shown_card(saved)
    assert field_value(refreshed, "name") == "An Peeters-Janssens"
    assert field_value(refreshed, "email") == "an.peeters@zottegem.be"
    me = person(db, AN)
    # A typed address is a contact preference: the linking address stays what Teams reports (none yet here).
    assert (me.name, me.contact_email, me.email) == ("An Peeters-Janssens", "an.peeters@zottegem.be", None)
    [named] = audit(db, "person.name")
    assert (named.actor_id, named.entity, named.entity_id, named.fields) == (me.id, "person", me.id, ["name"])
    assert [row.fields for row in audit(db, "person.contact_email")] == [["contact_email"]]

    twice = await bot.submit(AN, values)  # the same card again: nothing more recorded
    assert twice.texts == ["Je instellingen zijn opgeslagen: taal Nederlands, tijdzone Brussel (Europe/Brussels)."]
    assert len(audit(db, "person.name")) == 1 and len(audit(db, "person.contact_email")) == 1

    # Teams keeps sending its own display name; the correction stays.
    await bot.say(AN, "hulp")
    assert person(db, AN).name == "An Peeters-Janssens"
    # Someone who never corrected their name still follows Teams.
    await bot.say(BOB, "help")
    await bot.say(TeamsUser(BOB.aad_object_id, "Robert Smith", BOB.teams_id, BOB.locale, BOB.timezone), "help")
    assert person(db, BOB).name == "Robert Smith"


async def test_a_typed_address_someone_waits_for_takes_nothing_and_can_be_removed_in_english(
    bot: BotDriver, db: Database
) -> None:
    await bot.say(BOB, "help")
    placeholder = DirectoryRepository(db).person_for_email("marc@example.test", now=person(db, BOB).created_at)
    base = {"verb": "settings.save", "language": "auto", "timezone": "", "name": "Bob Smith"}

    saved = await bot.submit(BOB, {**base, "email": "Marc@example.test"})
    assert saved.texts[0].endswith("Your contact address is now marc@example.test.")
    assert (person(db, BOB).email, person(db, BOB).contact_email) == (None, "marc@example.test")
    # The placeholder an import made for that address keeps its place; the address still finds only it.
    assert DirectoryRepository(db).get(placeholder.id or 0) is not None
    assert [p.id for p in DirectoryRepository(db).find("marc@example.test")] == [placeholder.id]

    removed = await bot.submit(BOB, {**base, "email": ""})
    assert removed.texts[0].endswith("Your contact address is removed.")
    assert person(db, BOB).contact_email is None
    assert len(audit(db, "person.contact_email")) == 2


# Domains ---------------------------------------------------------------------------------------------------------


async def test_domains_are_for_admins_and_the_refusal_says_who(bot: BotDriver, db: Database) -> None:
    assert (await bot.say(AN, "domeinen")).texts == ["Dat mag je helaas niet. Dit kan: beheerders."]
    assert (await bot.say(BOB, "governments")).texts == [
        "Sorry, you are not allowed to do that. Who can: administrators."
    ]
    # Pressing a stale button does not get round the policy either.
    forged = await bot.submit(AN, {"verb": "lists.domain_save", "operation": "add", "name_nl": "Stiekem"})
    assert forged.texts == ["Dat mag je helaas niet. Dit kan: beheerders."]
    forged_gov = await bot.submit(BOB, {"verb": "lists.government_save", "operation": "add", "name": "Sneaky"})
    assert forged_gov.texts == ["Sorry, you are not allowed to do that. Who can: administrators."]
    with db.session() as session:
        assert len(session.exec(select(Domain)).all()) == 2
        assert session.exec(select(Government)).all() == []


async def test_admin_adds_and_renames_domains_in_dutch(bot: BotDriver, db: Database) -> None:
    admin_id = await grant(bot, db, AN, Role.ADMIN)
    card = (await bot.say(AN, "domeinen")).cards[0]
    assert "Digitale transformatie" in card_texts(card) and "Digital transformation" in card_texts(card)
    assert set(verbs_on(card)) == {"lists.domain_save"}

    empty = await bot.submit(AN, {"verb": "lists.domain_save", "operation": "add", "name_nl": " ", "name_en": ""})
    assert error_under(shown_card(empty), "name_nl") == "Vul een naam in."

    add = {"verb": "lists.domain_save", "operation": "add", "domain": "", "name_nl": "Veiligheid & zorg", "name_en": ""}
    added = await bot.submit(AN, add)
    assert added.texts == ["“Veiligheid & zorg” is toegevoegd."]
    assert "Veiligheid & zorg" in card_texts(shown_card(added))
    again = await bot.submit(AN, add)
    assert again.texts == ["“Veiligheid & zorg” stond al in de lijst."]
    with db.session() as session:
        new = session.exec(select(Domain).where(Domain.name_nl == "Veiligheid & zorg")).one()
    assert (new.key, new.name_en) == ("veiligheid-zorg", "Veiligheid & zorg")
    assert [(a.actor_id, a.entity_id) for a in audit(db, "domain.add")] == [(admin_id, new.id)]
    # A new domain is at once a choice for projects.
    assert "Veiligheid & zorg" in [d.name("nl") for d in ProjectRepository(db).domains()]

    rename = {
        "verb": "lists.domain_save",
        "operation": "rename",
        "domain": str(new.id),
        "name_nl": "",
        "name_en": "Safety & care",
    }
    renamed = await bot.submit(AN, rename)
    assert renamed.texts == ["“Veiligheid & zorg” is aangepast."]
    assert [a.fields for a in audit(db, "domain.rename")] == [["name_en"]]
    assert (await bot.submit(AN, rename)).texts == ["Er is niets veranderd aan “Veiligheid & zorg”."]

    clash = await bot.submit(AN, {**rename, "name_nl": "digitale transformatie", "name_en": ""})
    assert error_under(shown_card(clash), "name_nl") == "Die naam is al in gebruik: “Digitale transformatie”."
    unchosen = await bot.submit(AN, {**rename, "domain": ""})
    assert error_under(shown_card(unchosen), "domain") == "Kies het domein dat je wil hernoemen."
    assert field_value(shown_card(unchosen), "name_en") == "Safety & care"  # typed values kept
    assert len(audit(db, "domain.rename")) == 1


# Local governments -----------------------------------------------------------------------------------------------


async def test_admin_adds_and_changes_local_governments_in_english(bot: BotDriver, db: Database) -> None:
    admin_id = await grant(bot, db, BOB, Role.ADMIN)
    card = (await bot.say(BOB, "local governments")).cards[0]
    assert "Governments in the list: 0." in card_texts(card)

    def save(**values: str) -> dict[str, Any]:
        return {
            "verb": "lists.government_save",
            "operation": "add",
            "current": "",
            "name": "",
            "kind": "auto",
            **values,
        }

    guessed = await bot.submit(BOB, save(name="Politiezone Aalst"))
    assert guessed.texts == ["“Politiezone Aalst” is added."]
    assert "police zone" in card_texts(shown_card(guessed))
    chosen = await bot.submit(BOB, save(name="Farys", kind="intermunicipal"))
    assert chosen.texts == ["“Farys” is added."]
    assert (await bot.submit(BOB, save(name="farys"))).texts == ["“Farys” was already in the list."]
    with db.session() as session:
        kinds = {g.name: g.kind for g in session.exec(select(Government))}
    assert kinds == {"Politiezone Aalst": "police_zone", "Farys": "intermunicipal"}
    assert {a.actor_id for a in audit(db, "government.add")} == {admin_id} and len(audit(db, "government.add")) == 2

    changed = await bot.submit(BOB, save(operation="change", current="FARYS", name="Farys TMVW", kind="other"))
    assert changed.texts == ["“Farys TMVW” is updated."]
    [update] = audit(db, "government.update")
    assert update.fields == ["name", "kind"]
    unknown = await bot.submit(BOB, save(operation="change", current="Atlantis", name="x"))
    assert error_under(shown_card(unknown), "current") == "I know no government called “Atlantis”."
    nothing = await bot.submit(BOB, save(operation="change", current="Farys TMVW"))
    assert error_under(shown_card(nothing), "name") == "Fill in a new name or choose a kind."
    clash = await bot.submit(BOB, save(operation="change", current="Farys TMVW", name="politiezone aalst"))
    assert error_under(shown_card(clash), "name") == "That name is already taken: “Politiezone Aalst”."
    bad_kind = await bot.submit(BOB, save(name="Gemeente Zele", kind="kingdom"))
    assert error_under(shown_card(bad_kind), "kind") == "Choose a kind from the list."
    assert len(audit(db, "government.update")) == 1


async def test_long_government_list_is_paged_in_dutch(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.ADMIN)
    with db.session() as session:
        for i in range(30):
            session.add(Government(name=f"Gemeente {i:02}", kind="municipality"))
    first = (await bot.say(AN, "besturen")).cards[0]
    texts = card_texts(first)
    assert "Besturen in de lijst: 30." in texts and "Pagina 1 van 2" in texts
    assert "Gemeente 24" in texts and "Gemeente 25" not in texts
    second = await bot.submit(AN, {"verb": "lists.government_page", "page": 2})
    texts = card_texts(shown_card(second))
    assert "Gemeente 25" in texts and "Gemeente 00" not in texts and "Pagina 2 van 2" in texts


# The menu as each person may use it ------------------------------------------------------------------------------


def menu_commands(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("verb") == "menu.open":
                found.append(data["command"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_menu_reaches_own_data_for_everyone_and_admin_lists_only_for_admins(bot: BotDriver, db: Database) -> None:
    everyone = menu_commands((await bot.say(AN, "hulp")).cards[0])
    assert {"my data", "forget me", "settings", "projects"} <= set(everyone)
    assert not {"roles", "domains", "governments"} & set(everyone)
    texts = card_texts((await bot.say(AN, "hulp")).cards[0])
    assert ("Vergeet mij" in texts and "Mijn gegevens" in texts) or "mijn gegevens" in texts

    await grant(bot, db, BOB, Role.ADMIN)
    admin_menu = (await bot.say(BOB, "help")).cards[0]
    assert {"roles", "domains", "governments", "my data", "forget me"} <= set(menu_commands(admin_menu))
    assert "Local governments" in card_texts(admin_menu) and "Roles" in card_texts(admin_menu)
    # The menu that comes with "I did not understand" is the person's menu too.
    puzzled = await bot.say(BOB, "fly me to the moon")
    assert "domains" in menu_commands(puzzled.cards[0])

    # Every menu button works from the card.
    for command, expected in (("domains", "Domains"), ("governments", "Local governments"), ("roles", "Roles")):
        opened = await bot.submit(BOB, {"verb": "menu.open", "command": command})
        assert expected in card_texts(opened.cards[0])
    forget = await bot.submit(AN, {"verb": "menu.open", "command": "forget me"})
    assert "Je gegevens wissen?" in card_texts(forget.cards[0])
    # A stale admin button in a non-admin's hands gets the polite refusal.
    refused = await bot.submit(AN, {"verb": "menu.open", "command": "roles"})
    assert refused.texts == ["Dat mag je helaas niet. Dit kan: beheerders."]


def test_manifest_command_list_leaves_admin_commands_out() -> None:
    router = build_router()
    english = [command for command, _ in router.command_list("en")]
    assert "my data" in english and "forget me" in english
    assert not {"roles", "domains", "governments"} & set(english)
