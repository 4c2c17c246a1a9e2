"""Invokes and events declared by name (issue 18, the plumbing under message extensions, dialogs, typeahead and
meeting events): routed over HTTP to the capability that declared them, behind their permission rule, answered in
the invoke's own shape (never a 500), unknown ones answered 200 {} or ignored; one handler per name, and a name
without a rule stops the bot from starting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot import http_app
from dialogs.app import CAPABILITIES
from dialogs.kernel import access
from dialogs.kernel.access import EVERYONE, MissingRule, Rule, Scope
from dialogs.kernel.registry import Capability, Registry
from dialogs.kernel.turn import InvokeResult, Reply, Request, Services, Stop
from storage.conversations import ConversationRepository
from storage.db import Database
from tests.harness import Conversation, FakeClock, TeamsUser
from tests.harness.botdriver import BotDriver
from tests.harness.connector import FakeConnector

AN = TeamsUser.named("An Peeters", locale="nl-BE")
JOHN = TeamsUser.named("John Smith", locale="en-GB")

plumbing = Capability("plumbing-test")


@plumbing.invoke("composeExtension/plumbingTest")
def _query(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    text = str(value.get("text", ""))
    if text == "stop":
        raise Stop.saying(request.t("permission.refused", who=request.t("permission.who.organisation")))
    if text == "boom":
        raise RuntimeError("a defect")
    return InvokeResult({"echo": text, "person": request.person.id, "language": request.language}, status=200)


@plumbing.invoke("task/plumbingTest")
async def _fetch(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    return InvokeResult({"task": {"type": "message", "value": "ok"}})


@plumbing.event("application/vnd.test.plumbing")
def _started(request: Request, services: Services, value: dict[str, Any]) -> Reply | None:
    return Reply.text(f"started {value.get('Title')}") if value.get("Title") else None


RULES = {"composeExtension/plumbingTest": EVERYONE, "task/plumbingTest": Rule(Scope.ORGANISATION)}


@pytest.fixture
def with_plumbing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    registry = Registry((*CAPABILITIES, plumbing))
    monkeypatch.setattr(http_app, "build_registry", lambda: registry)
    for name, rule in RULES.items():
        monkeypatch.setitem(access.INVOKE_RULES, name, rule)
    monkeypatch.setitem(access.EVENT_RULES, "application/vnd.test.plumbing", Rule(Scope.TEAMS))
    yield


@pytest.fixture
async def driver(
    with_plumbing: None, db: Database, clock: FakeClock, connector: FakeConnector
) -> AsyncIterator[BotDriver]:
    async with BotDriver.start(db=db, clock=clock, connector=connector) as started:
        yield started


async def test_a_declared_invoke_is_answered_with_its_handlers_status_and_body(driver: BotDriver) -> None:
    for user, language in ((AN, "nl"), (JOHN, "en")):
        answer = await driver.invoke(user, "composeExtension/plumbingTest", {"text": "DT-042"})
        assert answer.status == 200
        assert answer.body["echo"] == "DT-042"
        assert answer.body["language"] == language
        assert isinstance(answer.body["person"], int)  # the person was recorded, as for any turn
        assert answer.sent == []


async def test_a_stop_or_a_defect_is_answered_in_the_invokes_own_shape_never_a_500(driver: BotDriver) -> None:
    stopped = await driver.invoke(JOHN, "composeExtension/plumbingTest", {"text": "stop"})
    assert stopped.status == 200
    assert stopped.body["composeExtension"]["type"] == "message"
    assert "colleagues" in stopped.body["composeExtension"]["text"] or stopped.body["composeExtension"]["text"]
    failed = await driver.invoke(AN, "composeExtension/plumbingTest", {"text": "boom"})
    assert failed.status == 200
    assert failed.body["composeExtension"]["type"] == "message"
    assert "ref" in failed.body["composeExtension"]["text"].lower() or "[" in failed.body["composeExtension"]["text"]
    assert failed.sent == []


async def test_the_invokes_rule_is_checked_before_its_handler(driver: BotDriver) -> None:
    """This one is for the organisation: someone with no role and no project is refused, as a dialog message."""
    refused = await driver.invoke(JOHN, "task/plumbingTest", {})
    assert refused.status == 200
    assert refused.body["task"]["type"] == "message"
    assert refused.body["task"]["value"] != "ok"


async def test_odd_values_reach_the_handler_as_a_dict(driver: BotDriver) -> None:
    for value in ("a string", [1, 2], 42, None):
        answer = await driver.invoke(AN, "composeExtension/plumbingTest", value)
        assert answer.status == 200
        assert answer.body["echo"] == ""


async def test_an_undeclared_invoke_is_answered_200_with_an_empty_body(driver: BotDriver) -> None:
    answer = await driver.invoke(AN, "composeExtension/plumbingTestSettingUrl", {"commandId": "searchProjects"})
    assert (answer.status, answer.body, answer.sent) == (200, {}, [])


async def test_a_declared_event_posts_its_reply_in_the_conversation(driver: BotDriver, db: Database) -> None:
    chat = Conversation.group_chat("19:meeting_plumbing@thread.v2")
    answered = await driver.event(AN, "application/vnd.test.plumbing", {"Title": "Stuurgroep"}, conversation=chat)
    assert answered.status < 300
    assert answered.texts == ["started Stuurgroep"]
    assert answered.sent[0]["conversation"]["id"] == chat.id
    silent = await driver.event(AN, "application/vnd.test.plumbing", {}, conversation=chat)
    assert silent.sent == []
    assert ConversationRepository(db).get("msteams", chat.id) is not None


async def test_an_undeclared_event_only_records_the_conversation(driver: BotDriver, db: Database) -> None:
    chat = Conversation.group_chat("19:meeting_other@thread.v2")
    answered = await driver.event(
        AN, "application/vnd.microsoft.readReceipt", {"lastReadMessageId": "1"}, conversation=chat
    )
    assert answered.status < 300 and answered.sent == []
    assert ConversationRepository(db).get("msteams", chat.id) is not None


def test_two_capabilities_declaring_the_same_invoke_or_event_stop_the_start(with_plumbing: None) -> None:
    twin = Capability("twin")
    twin.invoke("composeExtension/plumbingTest")(_query)
    with pytest.raises(ValueError, match="composeExtension/plumbingTest"):
        Registry((*CAPABILITIES, plumbing, twin)).router()
    echo = Capability("echo")
    echo.event("application/vnd.test.plumbing")(_started)
    with pytest.raises(ValueError, match="plumbing"):
        Registry((*CAPABILITIES, plumbing, echo)).router()


def test_an_invoke_or_event_without_a_rule_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingRule, match="composeExtension/plumbingTest"):
        Registry((*CAPABILITIES, plumbing)).router()
    for name, rule in RULES.items():
        monkeypatch.setitem(access.INVOKE_RULES, name, rule)
    monkeypatch.setitem(access.INVOKE_RULES, "nobody/declared", EVERYONE)
    with pytest.raises(MissingRule, match="nobody/declared"):
        Registry((*CAPABILITIES, plumbing)).router()
