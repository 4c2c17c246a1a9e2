"""Managers by relation (issue 15, item 3): whoever a project names as its manager sees it in the portfolio and the
weekly digest and may ask its board report, with or without the manager role; the role adds whole domains. Over
HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cards.i18n import Language, translator
from dialogs.status.digest import DIGEST_KIND, enqueue_weekly_digests
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from storage.outbox import OutboxRepository
from tests.harness import FakeClock, TeamsUser, personal_conversation_id
from tests.harness.botdriver import BotDriver
from tests.harness.connector import FakeConnector
from tests.test_menu import rows
from tests.test_project_turns import AN, PROJECT, create_project, form_data, grant, shown_card
from tests.test_turns import card_texts
from tests.test_verb_walk import deliver

NINA = TeamsUser.named("Nina Noord", locale="nl-BE")  # no role; named manager of DT-043 and DT-044
MARC = TeamsUser.named("Marc Janssens", locale="nl-BE")  # manager by role of domain 1, and named on DT-043 too
SAM = TeamsUser.named("Sam Stranger", locale="en-GB")  # no role, manages nothing
DIGEST_MOMENT = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # the next Monday, 08:30 in Brussels (the default)


async def portfolio_of_four(bot: BotDriver, db: Database) -> None:
    """An coordinates four projects of domain 2: DT-042 (manager: an address nobody uses yet), DT-043 and DT-044
    (manager: Nina), DT-045 (manager: Marc)."""
    await grant(bot, db, AN, Role.COORDINATOR)
    for user in (NINA, MARC, SAM):
        await bot.say(user, "help")  # they exist once they have talked
    await create_project(bot, AN)
    await create_project(bot, AN, code="DT-043", name="Archief", manager="Nina Noord")
    await create_project(bot, AN, code="DT-044", name="Netwerk", manager="Nina Noord")
    await create_project(bot, AN, code="DT-045", name="Telefonie", manager="Marc Janssens")


def portfolio_codes(card: dict[str, Any]) -> set[str]:
    return portfolio_codes_in(card_texts(card))


def portfolio_codes_in(texts: str) -> set[str]:
    return {code for code in ("DT-042", "DT-043", "DT-044", "DT-045", "DT-050") if code in texts}


def texts_sent_to(connector: FakeConnector, user: TeamsUser) -> list[str]:
    """The texts of each card delivered to the user's personal chat."""
    return [
        card_texts(attachment["content"])
        for activity in connector.sent_to(personal_conversation_id(user.teams_id))
        for attachment in activity.get("attachments") or []
    ]


def digests(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Each digest in the outbox: its payload's arguments, by the Entra object id it goes to."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in OutboxRepository(db).list():
        if row.kind == DIGEST_KIND:
            found.setdefault(row.target_aad_object_id, []).append(row.payload["args"])
    return found


def codes_in(args: dict[str, Any]) -> set[str]:
    return {item["code"] for key in ("updated", "turned", "stale", "milestones") for item in args[key]}


async def test_a_named_manager_without_a_role_sees_exactly_their_projects(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    await portfolio_of_four(bot, db)
    assert "portfolio" in rows((await bot.say(NINA, "help")).cards[0])  # the menu shows her the row

    card = (await bot.say(NINA, "overzicht")).cards[0]
    assert "Overzicht (2 projecten)" in card_texts(card)
    assert portfolio_codes(card) == {"DT-043", "DT-044"}  # not the other projects of the same domain
    # The filters apply within what she may see: her coordinator, a domain that is not hers (ignored).
    [an] = [c["value"] for c in _filter(card, "coordinator")["choices"] if c["title"] == "An Peeters"]
    by_an = (await bot.submit(NINA, {"verb": "portfolio.page", "page": 1, "coordinator": an})).cards[0]
    assert portfolio_codes(by_an) == {"DT-043", "DT-044"}
    other_domain = await bot.submit(NINA, {"verb": "portfolio.page", "page": 1, "domain": "1"})
    assert portfolio_codes(other_domain.cards[0]) == {"DT-043", "DT-044"}
    assert "Gefilterd" not in card_texts(other_domain.cards[0])

    report = await bot.say(NINA, "rapport DT-043")
    assert "Projectfiche voor de raad van bestuur: DT-043 · Archief" in card_texts(report.cards[0])
    # Another project of the domain reads exactly like a code nobody uses.
    refused = await bot.say(NINA, "rapport DT-045")
    nobody = await bot.say(NINA, "rapport DT-099")
    assert refused.cards == [] and refused.texts[0].replace("DT-045", "DT-099") == nobody.texts[0]

    settings = await bot.say(NINA, "weekoverzicht")
    assert "Weekoverzicht" in card_texts(settings.cards[0])
    assert enqueue_weekly_digests(db, DIGEST_MOMENT) == 2  # Nina, and Marc (named on DT-045), no placeholder
    [args] = digests(db)[NINA.aad_object_id]
    assert codes_in(args) == {"DT-043", "DT-044"}  # never updated: both are stale
    assert codes_in(digests(db)[MARC.aad_object_id][0]) == {"DT-045"}
    # ... and sent, each to their own personal chat, listing only their own projects.
    clock.set(DIGEST_MOMENT)
    await deliver(db, clock)
    for user, codes in ((NINA, {"DT-043", "DT-044"}), (MARC, {"DT-045"})):
        [digest] = [text for text in texts_sent_to(connector, user) if "Weekoverzicht 2026-W49" in text]
        assert portfolio_codes_in(digest) == codes


async def test_who_is_no_longer_named_manager_loses_it_at_once(bot: BotDriver, db: Database) -> None:
    await portfolio_of_four(bot, db)
    assert portfolio_codes((await bot.say(NINA, "overzicht")).cards[0]) == {"DT-043", "DT-044"}
    await _name_manager(bot, "DT-044", "Netwerk", "marc@example.test")
    assert portfolio_codes((await bot.say(NINA, "overzicht")).cards[0]) == {"DT-043"}
    # A closed project no longer counts for the portfolio (its board report stays hers: a project rule).
    await bot.submit(AN, {"verb": "projects.phase_save", "code": "DT-043", "phase": "closed"})
    refused = await bot.say(NINA, "overzicht")
    assert refused.cards == [] and refused.texts == [refusal("nl")]
    assert "manager van een lopend project" in refused.texts[0]  # the refusal names the way in
    assert "portfolio" not in rows((await bot.say(NINA, "help")).cards[0])
    forged = await bot.submit(NINA, {"verb": "portfolio.page", "page": 1})
    assert forged.texts == refused.texts and forged.cards == []
    assert enqueue_weekly_digests(db, DIGEST_MOMENT) == 1  # only Marc, still named on DT-045
    assert NINA.aad_object_id not in digests(db)
    assert "DT-043" in card_texts((await bot.say(NINA, "rapport DT-043")).cards[0])


async def test_the_role_and_the_relation_add_up_without_duplicates(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    await portfolio_of_four(bot, db)
    marc_id = await grant(bot, db, MARC, Role.MANAGER)
    DirectoryRepository(db).set_managed_domains(marc_id, {1}, actor_id=None, now=clock.now())
    await create_project(bot, AN, code="DT-050", name="Strategie", domain="1", manager="Marc Janssens")

    card = (await bot.say(MARC, "overzicht")).cards[0]
    assert "Overzicht (2 projecten)" in card_texts(card)  # DT-050 once, though he manages it and its domain
    assert portfolio_codes(card) == {"DT-045", "DT-050"}
    # Both domains can be chosen now; choosing one narrows within what he sees.
    assert [c["value"] for c in _filter(card, "domain")["choices"]] == ["", "1", "2"]
    only_two = (await bot.submit(MARC, {"verb": "portfolio.page", "page": 1, "domain": "2"})).cards[0]
    assert portfolio_codes(only_two) == {"DT-045"}

    assert enqueue_weekly_digests(db, DIGEST_MOMENT) == 2  # Marc once, and Nina
    [args] = digests(db)[MARC.aad_object_id]
    assert codes_in(args) == {"DT-045", "DT-050"}
    assert [item["code"] for item in args["stale"]].count("DT-050") == 1


async def test_neither_role_nor_relation_is_refused_politely(bot: BotDriver, db: Database) -> None:
    await portfolio_of_four(bot, db)
    for text in ("portfolio", "digest"):
        refused = await bot.say(SAM, text)
        assert refused.cards == [] and refused.texts == [refusal("en")]
    assert "named manager of an ongoing project" in refused.texts[0]
    saved = await bot.submit(
        SAM, {"verb": "digest.save", "at_time": "08:30", "weekday": "monday", "enabled": "true", "stale_days": "14"}
    )
    assert saved.texts == [refusal("en")]
    assert "portfolio" not in rows((await bot.say(SAM, "help")).cards[0])
    # A team member is no manager: seeing the project does not open the portfolio.
    member = (await bot.say(AN, "teamlid toevoegen DT-042")).cards[0]
    await bot.submit(AN, {**form_data(member), "person": "Sam Stranger", "role": "analist"})
    assert (await bot.say(SAM, "portfolio")).texts == [refusal("en")]


def refusal(language: Language) -> str:
    t = translator(language)
    return t("permission.refused", who=t("permission.who.view_portfolio"))


def _filter(card: dict[str, Any], name: str) -> dict[str, Any]:
    [fold] = [action for action in card["actions"] if action["type"] == "Action.ShowCard"]
    [found] = [element for element in fold["card"]["body"] if element["id"] == name]
    return found


async def _name_manager(bot: BotDriver, code: str, name: str, manager: str) -> None:
    """The coordinator names someone else manager on the project form."""
    form = (await bot.say(AN, f"wijzig project {code}")).cards[0]
    changes = {"code": code, "name": name, "state": "active", "manager": manager}
    saved = await bot.submit(AN, {**form_data(form), **PROJECT, **changes})
    assert f"Manager\n{manager}" in card_texts(shown_card(saved))
