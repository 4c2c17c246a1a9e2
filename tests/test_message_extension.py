"""The project search message extension (issue 18, item 1): composeExtension/query and composeExtension/selectItem
over HTTP, in Dutch and English, on both databases: matching by code, name, government and coordinator, own projects
first, paging, a stranger finds nothing, the inserted card is the status card with buttons that keep their rules,
and no query of any length or content gives a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage.conversations import ConversationRepository
from storage.db import Database
from storage.directory import Role
from storage.lists import ListRepository
from storage.projects import GovernmentKind, ProjectRepository
from storage.status import StatusRepository
from tests.cardcheck import card_problems
from tests.conftest import START
from tests.harness import Conversation, FakeClock, TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_project_turns import AN, create_project, grant
from tests.test_turns import card_texts

JOHN = TeamsUser.named("John Smith", locale="en-GB")  # coordinator of his own project only
SAM = TeamsUser.named("Sam Stranger", locale="en-GB")  # no role, no project
ADA = TeamsUser.named("Ada Admin", locale="en-GB")  # administrator: sees every project
CHAT = Conversation.group_chat("19:werkgroep-loket@thread.v2")
QUERY = "composeExtension/query"
SELECT = "composeExtension/selectItem"
GOVERNMENT = "Gemeente Herselt"


def query(text: str | None, *, skip: int | None = None, count: int | None = None) -> dict[str, Any]:
    """The value Teams sends as a person types in the search box (initialRun when the pane opens)."""
    parameters = [{"name": "initialRun", "value": "true"}] if text is None else [{"name": "searchText", "value": text}]
    value: dict[str, Any] = {"commandId": "searchProjects", "parameters": parameters}
    if skip is not None or count is not None:
        value["queryOptions"] = {"skip": skip or 0, "count": count or 25}
    return value


def results(answer: TurnResult) -> list[dict[str, Any]]:
    assert answer.status == 200, answer.body
    extension = answer.body["composeExtension"]
    assert extension["type"] == "result", extension
    attachments: list[dict[str, Any]] = extension["attachments"]
    return attachments


def titles(answer: TurnResult) -> list[str]:
    return [attachment["content"]["title"] for attachment in results(answer)]


def codes(answer: TurnResult) -> list[str]:
    return [title.split(" · ")[0] for title in titles(answer)]


def message(answer: TurnResult) -> str:
    assert answer.status == 200, answer.body
    extension = answer.body["composeExtension"]
    assert extension["type"] == "message", extension
    return str(extension["text"])


async def portfolio(bot: BotDriver, db: Database) -> None:
    """An coordinates DT-042 (serving Gemeente Herselt) and DT-043; John coordinates DT-050; Ada
    is administrator and coordinates DT-060."""
    await grant(bot, db, AN, Role.COORDINATOR)
    await grant(bot, db, JOHN, Role.COORDINATOR)
    await grant(bot, db, ADA, Role.ADMIN)
    await bot.say(SAM, "help")
    ListRepository(db).add_government(GOVERNMENT, GovernmentKind.MUNICIPALITY, actor_id=None, now=START)
    government = next(g for g in ProjectRepository(db).governments() if g.name == GOVERNMENT)
    await create_project(bot, AN, governments=str(government.id))
    await create_project(bot, AN, code="DT-043", name="Archief", manager="")
    await create_project(bot, JOHN, code="DT-050", name="Website", manager="")
    await create_project(bot, ADA, code="DT-060", name="Telefonie", manager="")


async def test_a_search_by_code_name_government_or_coordinator_finds_own_projects_in_dutch_and_english(
    bot: BotDriver, db: Database
) -> None:
    await portfolio(bot, db)
    government = GOVERNMENT

    by_code = await bot.invoke(AN, QUERY, query("dt-042"), conversation=CHAT)
    [first] = results(by_code)
    assert first["content"]["title"] == "DT-042 · Digitaal loket"
    assert first["content"]["subtitle"] == "⚪ Nog geen status"
    assert "Coördinator: An Peeters" in first["content"]["text"] and government in first["content"]["text"]
    assert first["content"]["tap"] == {"type": "invoke", "value": {"code": "DT-042"}}
    assert first["preview"]["contentType"] == "application/vnd.microsoft.card.thumbnail"

    assert codes(await bot.invoke(AN, QUERY, query("loket"))) == ["DT-042"]
    assert codes(await bot.invoke(AN, QUERY, query(government.upper()))) == ["DT-042"]
    assert codes(await bot.invoke(AN, QUERY, query("peeters"))) == ["DT-042", "DT-043"]
    assert codes(await bot.invoke(AN, QUERY, query("dt042"))) == ["DT-042"]
    assert codes(await bot.invoke(AN, QUERY, query("Digitaal lokket"))) == ["DT-042"]  # a typo: the close match

    english = await bot.invoke(JOHN, QUERY, query("website"))
    [found] = results(english)
    assert found["content"]["title"] == "DT-050 · Website"
    assert found["content"]["subtitle"] == "⚪ No status yet"
    assert "Coordinator: John Smith" in found["content"]["text"]
    assert codes(await bot.invoke(JOHN, QUERY, query("loket"))) == []  # An's project is not his to see


async def test_an_empty_query_lists_own_projects_first_and_pages(bot: BotDriver, db: Database) -> None:
    await portfolio(bot, db)
    assert codes(await bot.invoke(ADA, QUERY, query(None))) == ["DT-060", "DT-042", "DT-043", "DT-050"]
    assert codes(await bot.invoke(ADA, QUERY, query(""))) == ["DT-060", "DT-042", "DT-043", "DT-050"]
    assert codes(await bot.invoke(ADA, QUERY, query("", skip=1, count=2))) == ["DT-042", "DT-043"]
    assert codes(await bot.invoke(ADA, QUERY, query("", skip=3, count=2))) == ["DT-050"]
    assert codes(await bot.invoke(ADA, QUERY, query("", skip=40, count=2))) == []
    assert codes(await bot.invoke(AN, QUERY, query(None, skip=0, count=1))) == ["DT-042"]
    assert codes(await bot.invoke(AN, QUERY, query(None, skip=1, count=1))) == ["DT-043"]


async def test_the_status_colour_is_the_latest_reports(bot: BotDriver, db: Database, clock: FakeClock) -> None:
    await portfolio(bot, db)
    project = ProjectRepository(db).by_code("DT-042")
    assert project is not None
    values = {
        "overall": "amber",
        "schedule": "green",
        "budget": "amber",
        "scope": "green",
        "summary": "Bouw gestart.",
        "achievements": "",
        "next_steps": "",
        "decisions_needed": "",
        "blockers": "",
    }
    StatusRepository(db).add_report(project.id, values, author_id=None, now=clock.now(), form_id=None)
    [first] = results(await bot.invoke(AN, QUERY, query("DT-042")))
    assert first["content"]["subtitle"] == "🟠 Risico"
    [english] = results(await bot.invoke(ADA, QUERY, query("DT-042")))
    assert english["content"]["subtitle"] == "🟠 At risk"


async def test_a_stranger_finds_nothing_and_cannot_select_a_project_by_its_code(bot: BotDriver, db: Database) -> None:
    await portfolio(bot, db)
    for text in ("DT-042", "loket", "peeters", "", None):
        assert results(await bot.invoke(SAM, QUERY, query(text), conversation=CHAT)) == []
    forged = await bot.invoke(SAM, SELECT, {"code": "DT-042"}, conversation=CHAT)
    assert message(forged) == "I can't find a project “DT-042” that you may view."
    assert forged.sent == []
    other = await bot.invoke(JOHN, SELECT, {"code": "dt-042"})
    assert "DT-042" in message(other) and "Digitaal loket" not in message(other)


async def test_selecting_a_result_inserts_the_status_card_with_buttons_that_keep_their_rules(
    bot: BotDriver, db: Database
) -> None:
    await portfolio(bot, db)
    chosen = await bot.invoke(AN, SELECT, {"code": "DT-042"}, conversation=CHAT)
    [attachment] = results(chosen)
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["preview"]["content"]["title"] == "DT-042 · Digitaal loket"
    inserted = attachment["content"]
    assert card_problems(inserted) == []
    assert "Status DT-042 · Digitaal loket" in card_texts(inserted)
    assert card_texts(inserted) == card_texts((await bot.say(AN, "status DT-042")).cards[0])  # the same card
    buttons = inserted["actions"]
    assert buttons and all(button["type"] == "Action.Execute" for button in buttons)
    history = next(button for button in buttons if button["verb"] == "status.history")
    assert history["data"] == {"code": "DT-042"}

    # Someone else in the chat presses it: the verb's own rule answers, as for any status button.
    refused = await bot.execute(SAM, history["verb"], history["data"], conversation=CHAT)
    assert refused.status == 200
    assert refused.invoke_message is not None and "DT-042" in refused.invoke_message
    assert "Digitaal loket" not in repr(refused.body) + repr(refused.sent)
    update = next(button for button in buttons if button["verb"] == "status.form")
    stranger = await bot.execute(JOHN, update["verb"], update["data"], conversation=CHAT)
    assert "Digitaal loket" not in repr(stranger.body) + repr(stranger.sent)
    # Its coordinator presses it: the history.
    allowed = await bot.execute(AN, history["verb"], history["data"], conversation=CHAT)
    assert allowed.status == 200
    assert any("DT-042" in card_texts(card) for card in [*allowed.cards, allowed.invoke_card or {}])

    english = await bot.invoke(ADA, SELECT, {"code": "DT-042"})
    [card] = results(english)
    assert "Last update" in card_texts(card["content"]) or "No status" in card_texts(card["content"])


@pytest.mark.parametrize(
    "value",
    [
        query("x" * 100_000),
        query("\x00\x1b[31m DT-042 \u202e\ufeff"),
        query("%_\\' OR 1=1 --"),
        query("🙂🙂🙂"),
        query("DT-042", skip=-5, count=10_000),
        {"commandId": "searchProjects", "parameters": "DT-042", "queryOptions": [1]},
        {"commandId": "searchProjects", "parameters": [{"name": "searchText", "value": ["DT-042"]}]},
        {"commandId": "searchProjects", "parameters": [None, 3, {"name": None}], "queryOptions": {"skip": "2"}},
        {"commandId": "searchProjects", "queryOptions": {"skip": True, "count": 1e300}},
        {},
    ],
)
async def test_odd_queries_are_answered_never_a_500(bot: BotDriver, db: Database, value: dict[str, Any]) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    answer = await bot.invoke(AN, QUERY, value)
    assert answer.status == 200
    extension = answer.body["composeExtension"]
    assert extension["type"] in ("result", "message")
    assert len(extension.get("attachments", [])) <= 25


async def test_an_unknown_command_or_a_forged_selection_is_a_clear_message(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    unknown = await bot.invoke(AN, QUERY, {**query("DT-042"), "commandId": "searchEverything"})
    assert message(unknown).startswith("Die zoekopdracht ken ik niet.")
    english = await bot.invoke(JOHN, QUERY, {**query("DT-042"), "commandId": None})
    assert message(english).startswith("I don't know that search.")
    for value in ({}, {"code": 42}, {"code": "x" * 5000}, {"code": "DT"}, {"code": ["DT-042"]}, {"code": "DT-999"}):
        answer = await bot.invoke(AN, SELECT, value)
        assert "find" in message(answer) or "vind" in message(answer)


# The app package ---------------------------------------------------------------------------------------------------


def test_the_manifest_declares_the_search_and_the_meeting_permissions_and_validates(tmp_path: Path) -> None:
    from dialogs.status.search import SEARCH_COMMAND, SEARCH_PARAMETER
    from dialogs.timelog.from_message import COMMAND_ID
    from tests.test_manifest import BOT_ID, _build, _json, _read, _schema_errors

    files = _read(_build(tmp_path))
    manifest, english = _json(files, "manifest.json"), _json(files, "en.json")
    assert _schema_errors("MicrosoftTeams.schema.json", manifest) == []
    assert _schema_errors("MicrosoftTeams.Localization.schema.json", english) == []
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == BOT_ID and extension["composeExtensionType"] == "botBased"
    search, log_time = extension["commands"]
    assert (search["id"], search["type"], search["parameters"][0]["name"]) == (
        SEARCH_COMMAND,
        "query",
        SEARCH_PARAMETER,
    )
    assert (
        search["title"] == "Projecten zoeken" and english["composeExtensions[0].commands[0].title"] == "Search projects"
    )
    assert sorted(search["context"]) == ["commandBox", "compose"]
    assert (log_time["id"], log_time["type"], log_time["context"]) == (COMMAND_ID, "action", ["message"])
    assert english["composeExtensions[0].commands[1].title"] == "Log time"
    assert "groupChat" in manifest["bots"][0]["scopes"]  # a meeting's chat is a group chat
    permissions = {p["name"] for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    assert permissions == {"OnlineMeeting.ReadBasic.Chat", "ChannelMeeting.ReadBasic.Group"}
    assert manifest["webApplicationInfo"]["id"] == BOT_ID


async def test_searching_from_a_chat_the_bot_is_not_in_does_not_record_that_chat(bot: BotDriver, db: Database) -> None:
    """A recorded conversation is one the bot may post in (offered for a meeting's reminders): a message extension
    used from a chat without the bot must not make it one."""
    await portfolio(bot, db)
    elsewhere = Conversation.group_chat("19:collega-chat-zonder-bot@thread.v2")
    assert codes(await bot.invoke(AN, QUERY, query("DT-042"), conversation=elsewhere)) == ["DT-042"]
    assert ConversationRepository(db).get("msteams", elsewhere.id) is None
