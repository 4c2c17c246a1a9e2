"""Every registered text command and card verb, pressed by people who should get nothing (issue 12, item 2).

A coordinator builds a project with everything on it (time, status, milestone, risk, decision, a meeting series in
the working group's channel with an agenda item, a handover, a closed project's lessons) and an admin opens the admin
cards. Every button they were shown, every card the bot sent proactively and every form they submitted is collected,
then replayed as a stranger (no role), a team member of another project, the named manager of another project (no
role: the portfolio and digest are open to them, with only that project) and a guest (no role, writing from another
channel). A replay passes when no row changed except the intruder's own, and nothing of the project was shown: its
name, notes, risk, decision, agenda, the receiving party, the lessons. A verb with no sample fails the walk, so a new
verb cannot slip past it; a verb with no permission rule stops the bot from starting (dialogs/access.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from cards.menu import MenuPayload
from dialogs.app import build_router
from dialogs.kernel.access import COMMAND_RULES, VERB_RULES, MissingRule, permission_table
from dialogs.kernel.turn import Reply
from storage.db import Database
from storage.directory import DirectoryRepository, Role
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver, TurnResult
from tests.harness.connector import FakeConnector
from tests.outbox_support import outbox_sender
from tests.test_meeting_turns import MEETING, STATUS
from tests.test_menu import walk
from tests.test_project_turns import create_project, grant, shown_card

AN = TeamsUser.named("An Peeters", locale="nl-BE")  # coordinator of DT-042
ADA = TeamsUser.named("Ada Admin", locale="en-GB")
JAN = TeamsUser.named("Jan Beheer", locale="nl-BE")  # takes DT-042 over
BART = TeamsUser.named("Bart Claes", locale="nl-BE")  # on DT-042's team
CAROL = TeamsUser.named("Carol Coord", locale="en-GB")  # coordinator of DT-077

STRANGER = TeamsUser.named("Sam Stranger", locale="en-GB")
OTHER_MEMBER = TeamsUser.named("Otto Other", locale="nl-BE")  # on DT-077's team only
OTHER_MANAGER = TeamsUser.named("Mia Manager", locale="nl-BE")  # named manager of DT-077 only, no role
GUEST = TeamsUser.named("Gina Guest", locale="en-GB")

WORKING_GROUP = Conversation.channel(team_name="Digitaal loket")
ELSEWHERE = Conversation.channel(team_id="19:koffieklets@thread.tacv2", team_name="Koffieklets")

# What nobody outside DT-042 may read (the code itself is what the intruder typed, so it may be echoed).
SECRETS = (
    "Digitaal loket",
    "geheime-notitie-7731",
    "status-geheim-5521",
    "risico-geheim-8812",
    "beslissing-geheim-3391",
    "agenda-geheim-4410",
    "mijlpaal-geheim-2290",
    "Jan Beheer",
    "Werkgroep loket",
)
LESSON = "les-geheim-6620"  # of the closed DT-043: people with a place in the organisation may read it


class Recorder:
    """Wraps the driver: keeps every card the bot showed and every submission that was made."""

    def __init__(self, bot: BotDriver) -> None:
        self.bot = bot
        self.cards: list[dict[str, Any]] = []
        self.submitted: list[tuple[TeamsUser, dict[str, Any], Conversation | None]] = []

    def keep(self, result: TurnResult) -> TurnResult:
        for activity in [*result.sent, *result.updated]:
            for attachment in activity.get("attachments") or []:
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                    self.cards.append(attachment["content"])
        if result.invoke_card is not None:
            self.cards.append(result.invoke_card)
        return result

    async def say(self, user: TeamsUser, text: str, conversation: Conversation | None = None) -> TurnResult:
        return self.keep(await self.bot.say(user, text, conversation=conversation))

    async def submit(
        self, user: TeamsUser, value: dict[str, Any], conversation: Conversation | None = None
    ) -> TurnResult:
        self.submitted.append((user, value, conversation))
        return self.keep(await self.bot.submit(user, value, conversation=conversation))


async def build_the_portfolio(rec: Recorder, db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    bot = rec.bot
    await grant(bot, db, AN, Role.COORDINATOR)
    await grant(bot, db, ADA, Role.ADMIN)
    await grant(bot, db, CAROL, Role.COORDINATOR)
    for user in (JAN, BART, STRANGER, OTHER_MEMBER, OTHER_MANAGER):
        await bot.say(user, "help")
    await bot.say(GUEST, "help", conversation=ELSEWHERE)
    rec.keep(await create_project(bot, AN))
    rec.keep(await create_project(bot, CAROL, code="DT-077", name="Netwerk stadhuis", manager="Mia Manager"))
    card = (await rec.say(CAROL, "add team member DT-077")).cards[0]
    await rec.submit(CAROL, {**save_data(card), "person": "Otto Other", "role": "netwerk"})
    card = (await rec.say(AN, "teamlid toevoegen DT-042")).cards[0]
    await rec.submit(AN, {**save_data(card), "person": "Bart Claes", "role": "analist"})

    # Time, status and its registers.
    await rec.say(AN, "registreer 2u DT-042 #analyse geheime-notitie-7731")
    await rec.say(AN, "plan 3u DT-042 volgende dinsdag")
    await rec.say(AN, "plan 6u DT-042 volgende week")  # a week's plan: its Undo (timelog.undo_plan)
    card = (await rec.say(AN, "update DT-042")).cards[0]
    await rec.submit(AN, {**save_data(card), **STATUS, "summary": "status-geheim-5521"})
    card = shown_card(await rec.bot.execute(AN, "milestones.form", {"code": "DT-042"}))
    rec.cards.append(card)
    await rec.submit(AN, {**save_data(card), "title": "mijlpaal-geheim-2290", "due": "2026-12-15"})
    card = shown_card(await rec.bot.execute(AN, "risks.form", {"code": "DT-042"}))
    rec.cards.append(card)
    await rec.submit(
        AN, {**save_data(card), "title": "risico-geheim-8812", "probability": "3", "impact": "4", "mitigation": "x"}
    )
    card = shown_card(await rec.bot.execute(AN, "decisions.form", {"code": "DT-042"}))
    rec.cards.append(card)
    await rec.submit(AN, {**save_data(card), "title": "beslissing-geheim-3391", "decided_on": "2026-11-20"})

    # A meeting series in the working group's channel, with an agenda item; its reminders delivered there.
    await bot.say(BART, "help", conversation=WORKING_GROUP)
    card = (await rec.say(AN, "nieuwe vergadering DT-042", WORKING_GROUP)).cards[0]
    await rec.submit(AN, {**save_data(card), **MEETING}, WORKING_GROUP)
    await rec.say(AN, "agenda DT-042 agenda-geheim-4410", WORKING_GROUP)

    # The handover: planned, and acceptance asked of Jan.
    card = (await rec.say(AN, "overdracht DT-042")).cards[0]
    plan = {
        "receiver": "Jan Beheer",
        "receiver_conversation": "",
        "planned": "2027-01-29",
        "after_care": "2 weken",
        "support": "Bart Claes",
        "stakeholders": "Bart Claes",
        "inform_days": "30",
        "extra_items": "Back-up test",
    }
    await rec.submit(AN, {**save_data(card), **plan})
    rec.keep(await bot.execute(AN, "handover.ask_acceptance", {"code": "DT-042"}))

    # A closed project with its lessons.
    rec.keep(await create_project(bot, AN, code="DT-043", name="Oud archief"))
    rec.keep(await bot.submit(AN, {"verb": "projects.phase_save", "code": "DT-043", "phase": "closed"}))
    card = (await rec.say(AN, "terugblik DT-043")).cards[0]
    await rec.submit(AN, {**save_data(card), "went_well": "goed", "to_improve": "beter", "lessons": LESSON})

    # Everything the coordinator and the admin can open.
    for command in COMMANDS_TO_OPEN:
        await rec.say(AN, command)
        await rec.say(AN, command, WORKING_GROUP)
    for command in ("roles", "domains", "governments", "portfolio", "digest", "lessons", "my data", "forget me"):
        await rec.say(ADA, command)
    await rec.say(ADA, "hulp")  # Dutch words in English Teams: the offer to keep answering in Dutch

    # Proactive cards: the acceptance card and informs now, the meeting's reminders (24 h and 1 h before), then the
    # report card after it, which the coordinator completes with an action item.
    await deliver(db, clock)
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    await deliver(db, clock)
    clock.set(datetime(2026, 11, 24, 10, 5, tzinfo=UTC))
    await deliver(db, clock)
    report = next(c for c in cards_sent(connector) if any(v == "meeting.report_save" for v, _ in buttons([c])))
    await rec.submit(
        AN,
        {
            **save_data(report),
            "decisions": "Go-live",
            "action_1": "agenda-geheim-4410 opvolgen",
            "owner_1": "Bart Claes",
        },
    )
    await rec.say(AN, "acties DT-042")
    rec.cards.extend(cards_sent(connector))

    # Forms behind the buttons that only open something, opened by whoever the button is for.
    openers = {json.dumps([v, d], sort_keys=True, default=str): (v, d) for v, d in buttons(rec.cards) if v in OPENERS}
    for verb, data in openers.values():
        for user in (AN, JAN, ADA):
            if rec.keep(await bot.execute(user, verb, data)).invoke_card is not None:
                break


async def deliver(db: Database, clock: FakeClock) -> None:
    """Send what is due; the sender's pacing waits move the fake clock instead of the wall clock."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=max(seconds, 0.001)))

    async with outbox_sender(db, clock, sleep=sleep) as sender:
        await sender.run_until_idle()


def cards_sent(connector: FakeConnector) -> list[dict[str, Any]]:
    return [
        attachment["content"]
        for activity in connector.sent
        for attachment in activity.get("attachments") or []
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


COMMANDS_TO_OPEN = (
    "projecten",
    "project DT-042",
    "project bewerken DT-042",
    "fase DT-042",
    "uren",
    "budget DT-042",
    "verlof",
    "status DT-042",
    "statusgeschiedenis DT-042",
    "mijlpalen DT-042",
    "risico's DT-042",
    "beslissingen DT-042",
    "rapport DT-042",
    "overdracht DT-042",
    "vergaderingen DT-042",
    "vergaderingen",
    "acties DT-042",
    "instellingen",
    "project DT-04",  # two match: the card to choose one
)
OPENERS = {
    "projects.edit",
    "projects.member_form",
    "projects.phase_form",
    "projects.open",
    "milestones.form",
    "risks.form",
    "decisions.form",
    "status.form",
    "handover.item_form",
    "handover.form",
    "handover.not_yet_form",
    "meeting.edit",
    "meeting.move_form",
    "meeting.conversation_form",
    "meeting.list",
    "meeting.actions",
    "retro.form",
    "timelog.edit",
}


def save_data(card: dict[str, Any]) -> dict[str, Any]:
    """The data of a form's save button (the one whose verb ends in 'save')."""
    for verb, data in buttons([card]):
        if verb.endswith("save"):
            return {"verb": verb, **{k: v for k, v in data.items()}}
    raise AssertionError(f"no save button on {card}")


def buttons(cards: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (verb, data) a person could send from these cards: the button's data with the card's inputs as filled."""
    for card in cards:
        inputs = {e["id"]: e.get("value", "") for e in walk(card) if str(e.get("type", "")).startswith("Input.")}
        for element in walk(card):
            if element.get("type") in ("Action.Submit", "Action.Execute"):
                data = dict(element.get("data") or {})
                verb = element.get("verb") or data.pop("verb", None)
                data.pop("msteams", None)
                data.pop("verb", None)
                if verb:
                    yield str(verb), {**inputs, **data}


Rows = dict[str, set[tuple[Any, ...]]]
_COLUMNS = {table.name: [c.name for c in table.columns] for table in SQLModel.metadata.sorted_tables}
_SKIPPED = {"conversation_ref", "bot_state"}  # written by every turn of anyone: not data of the project


def snapshot(db: Database) -> Rows:
    with db.engine.connect() as connection:
        return {
            table.name: {tuple(map(_hashable, row)) for row in connection.execute(sa_select(table))}
            for table in SQLModel.metadata.sorted_tables
            if table.name not in _SKIPPED
        }


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, list | dict) else value


def changed_rows(before: Rows, after: Rows, own: set[str]) -> list[str]:
    """Rows added, removed or changed, leaving out the intruder's own (their person row, files, opt-outs, ...)."""
    found = []
    for table, rows in after.items():
        for row in rows ^ before.get(table, set()):
            values = dict(zip(_COLUMNS[table], row, strict=True))
            if table == "person" and str(values.get("id")) in own:
                continue
            if any(str(values.get(column)) in own for column in ("person_id", "owner_id", "actor_id", "subject")):
                continue
            found.append(f"{table}: {str(values)[:200]}")
    return sorted(found)


def shown_text(result: TurnResult) -> str:
    return json.dumps([result.body, result.sent, result.updated], ensure_ascii=False)


def intruders(db: Database) -> list[tuple[TeamsUser, Conversation | None, set[str], tuple[str, ...]]]:
    """(who, where they write from, their own ids, what they must not read)."""
    directory = DirectoryRepository(db)
    found = []
    for user, where, secrets in (
        (STRANGER, None, (*SECRETS, LESSON)),
        (OTHER_MEMBER, None, SECRETS),
        (OTHER_MANAGER, None, SECRETS),
        (GUEST, ELSEWHERE, (*SECRETS, LESSON)),
    ):
        person = directory.identify(user.aad_object_id)
        assert person is not None
        found.append((user, where, {str(person.id), user.aad_object_id}, secrets))
    return found


# Verbs no card of the walk shows, each with why, and the payload a forged press would carry.
SYNTHESIZED: dict[str, dict[str, Any]] = {
    "projects.page": {"page": 2},  # only with more than one page of projects
    "lists.government_page": {"page": 2},  # only with more than one page of local governments
    "meeting.import_list": {"code": "DT-042"},  # only when Microsoft Graph is configured
    "meeting.import": {"code": "DT-042", "event": "AAMkAGI2"},  # idem
    "timelog.hours": {"code": "DT-042"},  # on the budget-burn warning, sent when spending runs ahead
    "retro.form": {"code": "DT-042"},  # on the notice that after-care ended
    "decisions.open": {"code": "DT-042"},  # reached by typing; kept for cards already posted
    "meeting.actions": {"code": "DT-042"},  # idem
    "capacity.add_form": {"person": 1},  # on the free people `beschikbaar` lists (no availability in the walk)
    "capacity.add_to_team": {"person": 1, "code": "DT-042"},  # idem, its follow-up card
}


# Payloads a card carries when it does not say whose it is (an older card): pressed, they run as the presser's own.
# The portfolio narrowed to DT-042's domain must still hold only what the presser may see.
# So must the capacity card narrowed to it (a coordinator of a single project sees no filter, so no button).
OWNERLESS: dict[str, dict[str, Any]] = {
    "portfolio.page": {"page": 1, "domain": "2"},
    "capacity.page": {"page": 1, "domain": "2"},
}


async def test_every_verb_and_command_used_by_an_intruder_shows_and_changes_nothing(
    bot: BotDriver, db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    rec = Recorder(bot)
    await build_the_portfolio(rec, db, clock, connector)
    samples = _samples(rec)
    missing = sorted(set(build_router().verbs()) - samples.keys())
    assert missing == [], f"no walk sample for {missing}: show it on a card the walk opens, or add one"
    problems: list[str] = []
    for user, where, own, secrets in intruders(db):
        for verb, payloads in sorted(samples.items()):
            for data in _distinct(payloads):
                problems += await _press(bot, db, user, where, own, secrets, verb, data)
        for command in build_router().commands():
            nl, en = command.phrases["nl"][0], command.phrases["en"][0]
            for text in (en, f"{nl} DT-042", f"{en} digitaal"):
                before = snapshot(db)
                result = await bot.say(user, text, conversation=where)
                problems += _findings(f"{user.name} typed {text!r}", result, secrets, before, snapshot(db), own)
    assert not problems, "\n".join(problems)


def _samples(rec: Recorder) -> dict[str, list[dict[str, Any]]]:
    """Every verb's payloads: the buttons shown, the forms submitted, and the synthesized ones."""
    samples: dict[str, list[dict[str, Any]]] = {verb: [data] for verb, data in OWNERLESS.items()}
    for verb, data in buttons(rec.cards):
        samples.setdefault(verb, []).append(data)
    for _user, value, _where in rec.submitted:
        samples.setdefault(str(value.get("verb")), []).append({k: v for k, v in value.items() if k != "verb"})
    for verb, data in SYNTHESIZED.items():
        samples.setdefault(verb, []).append(data)
    return samples


async def _press(
    bot: BotDriver,
    db: Database,
    user: TeamsUser,
    where: Conversation | None,
    own: set[str],
    secrets: tuple[str, ...],
    verb: str,
    data: dict[str, Any],
) -> list[str]:
    """Replay a button both ways Teams sends it (a submit and an Action.Execute), with a fresh form id."""
    replay = {**data, "form_id": "intruder-replay"} if "form_id" in data else data
    before = snapshot(db)
    submitted = await bot.submit(user, {"verb": verb, **replay}, conversation=where)
    executed = await bot.execute(user, verb, replay, conversation=where)
    after = snapshot(db)
    found = _findings(f"{user.name} submit {verb}", submitted, secrets, before, after, own)
    found += _findings(f"{user.name} execute {verb}", executed, secrets, after, after, own)
    return found


def _findings(
    what: str, result: TurnResult, secrets: tuple[str, ...], before: Rows, after: Rows, own: set[str]
) -> list[str]:
    found = [f"{what}: HTTP {result.status}"] if result.status >= 500 else []
    leaked = [s for s in secrets if s in shown_text(result)]
    if leaked:
        found.append(f"{what}: shown {leaked}")
    found += [f"{what}: changed {row}" for row in changed_rows(before, after, own)]
    return found


def _distinct(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        seen.setdefault(json.dumps(payload, sort_keys=True, default=str), payload)
    return list(seen.values())[:2]


# The table itself ------------------------------------------------------------------------------------------------


def test_every_command_and_verb_has_exactly_one_rule() -> None:
    router = build_router()
    assert {c.name for c in router.commands()} == set(COMMAND_RULES)
    assert set(router.verbs()) == set(VERB_RULES)


def test_a_verb_registered_without_a_rule_stops_the_bot_from_starting() -> None:
    router = build_router()
    router.action("sneaky.peek", MenuPayload, lambda r, s, p: Reply())
    with pytest.raises(MissingRule, match=r"sneaky\.peek"):
        router.check_rules()


def test_the_table_in_the_security_docs_is_the_one_the_bot_enforces() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    shown = docs.split("<!-- permission-table:start")[1].split("-->\n", 1)[1].split("\n<!-- permission-table:end")[0]
    assert shown.strip() == permission_table().strip()
