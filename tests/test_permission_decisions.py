"""Two rules the issue left to decide (README 'Who may do what', docs/security.md): who silences a whole channel,
and who reads lessons and retrospectives. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from storage.db import Database
from storage.directory import Role
from storage.opt_outs import OptOutRepository
from tests.harness import TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import TENANT, BotDriver
from tests.test_meeting_turns import MEETING
from tests.test_project_turns import create_project, form_data, grant
from tests.test_turns import card_texts

AN = TeamsUser.named("An Peeters", locale="nl-BE")  # coordinator; her working group meets in CHANNEL
BART = TeamsUser.named("Bart Claes", locale="nl-BE")  # a member of the channel, no role
ADA = TeamsUser.named("Ada Admin", locale="en-GB")
GINA = TeamsUser.named("Gina Guest", locale="en-GB")  # no role, on no project
OTTO = TeamsUser.named("Otto Other", locale="en-GB")  # on another project's team
CHANNEL = Conversation.channel(team_name="Digitaal loket")
REMINDERS = {"kind": "meeting.reminder", "scope": "conversation"}


def silenced(db: Database) -> bool:
    return OptOutRepository(db).is_opted_out(
        tenant_id=TENANT, kind="meeting.reminder", conversation_id=CHANNEL.id, person_aad_object_id=None
    )


async def test_only_the_coordinator_meeting_there_or_an_admin_silences_a_whole_channel(
    bot: BotDriver, db: Database
) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN)
    await bot.say(BART, "help", conversation=CHANNEL)
    form = (await bot.say(AN, "nieuwe vergadering DT-042", conversation=CHANNEL)).cards[0]
    await bot.submit(AN, {**form_data(form), **MEETING}, conversation=CHANNEL)

    refused = await bot.execute(BART, "outbox.opt_out", REMINDERS, conversation=CHANNEL)
    assert refused.invoke_message is not None
    assert refused.invoke_message.startswith("Enkel de coördinator van een project dat hier vergadert")
    assert not silenced(db)
    # Bart can still stop them for himself.
    mine = await bot.execute(BART, "outbox.opt_out", {**REMINDERS, "scope": "person"}, conversation=CHANNEL)
    assert mine.invoke_message is not None and not silenced(db)

    done = await bot.execute(AN, "outbox.opt_out", REMINDERS, conversation=CHANNEL)
    assert (done.invoke_message is not None and "niet meer in dit gesprek" in done.invoke_message) or silenced(db)
    assert silenced(db)


async def test_an_admin_may_silence_a_channel_too(bot: BotDriver, db: Database) -> None:
    await grant(bot, db, ADA, Role.ADMIN)
    await bot.execute(ADA, "outbox.opt_out", REMINDERS, conversation=CHANNEL)
    assert silenced(db)


async def test_lessons_are_for_people_with_a_role_or_a_project_place_not_for_guests(
    bot: BotDriver, db: Database
) -> None:
    await grant(bot, db, AN, Role.COORDINATOR)
    await create_project(bot, AN, code="DT-043", name="Oud archief")
    await bot.submit(AN, {"verb": "projects.phase_save", "code": "DT-043", "phase": "closed"})
    form = (await bot.say(AN, "terugblik DT-043")).cards[0]
    await bot.submit(AN, {**form_data(form), "went_well": "goed", "to_improve": "beter", "lessons": "Vroeg testen."})
    await create_project(bot, AN, code="DT-044", name="Nieuw archief")
    await bot.say(OTTO, "help")
    member = (await bot.say(AN, "teamlid toevoegen DT-044")).cards[0]
    await bot.submit(AN, {**form_data(member), "person": "Otto Other", "role": "analist"})

    guest = await bot.say(GINA, "lessons")
    assert guest.cards == [] and guest.texts == [
        "Sorry, you are not allowed to do that. Who can: people with a role in the organisation or a place on a "
        "project team."
    ]
    forged = await bot.submit(GINA, {"verb": "lessons.filter", "domain": ""})
    assert forged.texts == guest.texts
    teammate = await bot.say(OTTO, "lessons")
    assert "Vroeg testen." in card_texts(teammate.cards[0])
