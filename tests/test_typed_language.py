"""Answered in the language typed (issue 15, item 4): a person with English Teams who has not chosen a language
types Dutch and is answered in Dutch, with a one-tap offer to keep it; yes makes it their choice (it then holds
whatever they type), no stops the offers; words both languages use change nothing; a forged answer changes
nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from cards.i18n import translator
from cards.settings import AnswerLanguageOffer
from dialogs.app import build_router
from dialogs.kernel.typed_language import OFFER_AGAIN_AFTER, phrase_language
from storage.db import Database
from storage.models import Person
from tests.harness import FakeClock, TeamsUser
from tests.harness.activities import Conversation
from tests.harness.botdriver import BotDriver, TurnResult
from tests.test_turns import card_texts

ELLA = TeamsUser.named("Ella Engels", locale="en-GB")  # Flemish, with Teams in English
NINA = TeamsUser.named("Nina Nederlands", locale="nl-BE")
MALLORY = TeamsUser.named("Mallory Forger", locale="en-GB")
NL, EN = translator("nl"), translator("en")
CHANNEL = Conversation.channel(team_name="Digitaal loket")


def offers(result: TurnResult) -> list[dict[str, Any]]:
    """The offer cards of an answer: those with a button of the offer's verb."""
    return [card for card in result.cards if AnswerLanguageOffer.VERB in str(card.get("actions"))]


def offer_button(card: dict[str, Any], title: str) -> dict[str, Any]:
    action = next(a for a in card["actions"] if a["title"] == title)
    assert action["verb"] == AnswerLanguageOffer.VERB
    data: dict[str, Any] = action["data"]
    return data


def stored_language(db: Database, user: TeamsUser) -> str | None:
    with db.session() as session:
        person = session.exec(select(Person).where(Person.aad_object_id == user.aad_object_id)).one()
        return person.preferred_language


async def test_dutch_words_in_english_teams_get_a_dutch_answer_and_one_offer_a_day(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    first = await bot.say(ELLA, "uren")
    assert "Urenstaat" in card_texts(first.cards[0])  # the timesheet, in Dutch
    [offer] = offers(first)
    assert NL("language.offer.text") in card_texts(offer)
    assert offer_button(offer, NL("language.offer.accept"))["choice"] == "nl"

    again = await bot.say(ELLA, "hulp")
    assert "Waarmee kan ik helpen?" in card_texts(again.cards[0])
    assert offers(again) == [], "not offered again the same day"

    clock.advance(OFFER_AGAIN_AFTER + timedelta(minutes=1))
    assert len(offers(await bot.say(ELLA, "uren"))) == 1, "an unanswered offer may come back a day later"
    assert stored_language(db, ELLA) is None, "offering stores nothing"


async def test_english_words_in_dutch_teams_get_an_english_answer_and_the_offer(bot: BotDriver) -> None:
    answer = await bot.say(NINA, "timesheet")
    assert "Timesheet" in card_texts(answer.cards[0])
    [offer] = offers(answer)
    assert offer_button(offer, EN("language.offer.accept"))["choice"] == "en"


async def test_words_of_teams_own_language_or_of_both_change_nothing_and_offer_nothing(bot: BotDriver) -> None:
    for text in ("timesheet", "help", "export", "menu"):
        answer = await bot.say(ELLA, text)
        assert offers(answer) == [], text
        assert "Urenstaat" not in str(answer.sent) and "Waarmee kan ik helpen?" not in str(answer.sent), text


@pytest.mark.parametrize("word", ["project", "status", "budget", "export", "plan", "update", "help", "?", "menu"])
def test_a_word_both_languages_use_names_no_language(word: str) -> None:
    router = build_router()
    found = router.match(word)
    assert found is not None
    assert phrase_language(found[0].phrases, word) is None


def test_a_word_of_one_language_names_that_language() -> None:
    router = build_router()
    for word, language in (("uren", "nl"), ("hulp", "nl"), ("registreer", "nl"), ("timesheet", "en"), ("log", "en")):
        found = router.match(word)
        assert found is not None, word
        assert phrase_language(found[0].phrases, word) == language, word


async def test_yes_makes_the_language_typed_the_choice_and_it_holds_whatever_is_typed(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    [offer] = offers(await bot.say(ELLA, "uren"))
    accepted = await bot.execute(ELLA, AnswerLanguageOffer.VERB, offer_button(offer, NL("language.offer.accept")))
    assert accepted.invoke_card is not None
    assert card_texts(accepted.invoke_card) == NL("language.offer.accepted")
    assert "actions" not in accepted.invoke_card, "nothing left to press twice"
    assert stored_language(db, ELLA) == "nl"

    clock.advance(OFFER_AGAIN_AFTER * 2)
    english = await bot.say(ELLA, "timesheet")  # English words now: the choice holds
    assert "Urenstaat" in card_texts(english.cards[0])
    assert offers(english) == []


async def test_no_keeps_following_the_words_typed_and_stops_the_offers(
    bot: BotDriver, db: Database, clock: FakeClock
) -> None:
    [offer] = offers(await bot.say(ELLA, "uren"))
    declined = await bot.execute(ELLA, AnswerLanguageOffer.VERB, offer_button(offer, NL("language.offer.decline")))
    assert declined.invoke_card is not None
    assert card_texts(declined.invoke_card) == NL("language.offer.declined")  # in the language of the offer
    assert stored_language(db, ELLA) == "auto"

    clock.advance(OFFER_AGAIN_AFTER * 3)
    dutch = await bot.say(ELLA, "uren")
    assert "Urenstaat" in card_texts(dutch.cards[0]), "still answered in the language typed"
    assert offers(dutch) == [], "never offered again"
    english = await bot.say(ELLA, "timesheet")
    assert "Timesheet" in card_texts(english.cards[0])

    # Saving settings "as in Teams" (for the time zone, say) keeps the no: the offers do not come back.
    await bot.submit(ELLA, {"verb": "settings.save", "language": "auto", "timezone": "Parijs"})
    assert stored_language(db, ELLA) == "auto"
    clock.advance(OFFER_AGAIN_AFTER * 2)
    assert offers(await bot.say(ELLA, "uren")) == []


async def test_a_language_chosen_in_settings_holds_whatever_is_typed_and_a_late_no_does_not_undo_it(
    bot: BotDriver, db: Database
) -> None:
    [offer] = offers(await bot.say(ELLA, "uren"))
    await bot.submit(ELLA, {"verb": "settings.save", "language": "en", "timezone": ""})
    answer = await bot.say(ELLA, "uren")
    assert "Timesheet" in card_texts(answer.cards[0])
    assert offers(answer) == []

    late = await bot.execute(ELLA, AnswerLanguageOffer.VERB, offer_button(offer, NL("language.offer.decline")))
    assert late.invoke_card is not None
    assert card_texts(late.invoke_card) == NL("language.offer.kept", language="English")
    assert stored_language(db, ELLA) == "en"


async def test_in_a_channel_the_answer_follows_the_words_but_no_offer_is_posted(bot: BotDriver) -> None:
    answer = await bot.say(ELLA, "hulp", conversation=CHANNEL)
    assert "Waarmee kan ik helpen?" in card_texts(answer.cards[0])
    assert offers(answer) == []


async def test_a_forged_answer_changes_nobodys_language(bot: BotDriver, db: Database) -> None:
    [offer] = offers(await bot.say(ELLA, "uren"))
    yes = offer_button(offer, NL("language.offer.accept"))
    await bot.say(MALLORY, "help")

    # Someone else's offer, pressed by Mallory: refused, nothing stored for either of them.
    pressed = await bot.execute(MALLORY, AnswerLanguageOffer.VERB, yes)
    assert pressed.invoke_message == EN("card.not_yours.settings", owner="Ella Engels")
    # Data no offer carries: a language the bot does not speak, no owner, an owner out of range.
    for data in (
        {**yes, "choice": "fr"},
        {**yes, "shown": "de"},
        {"choice": "nl", "shown": "nl"},
        {**yes, "owner": -1},
        {**yes, "owner": "Ella"},
    ):
        forged = await bot.execute(ELLA, AnswerLanguageOffer.VERB, data)
        assert forged.invoke_card is None, data
        # In Dutch: what Ella last typed.
        assert (forged.invoke_message or "").startswith(NL("error.invalid_submit", fields="")[:12]), data
        assert stored_language(db, ELLA) is None, data
    assert stored_language(db, MALLORY) is None


async def test_words_of_both_languages_and_card_presses_keep_the_language_last_typed_that_day(
    bot: BotDriver, clock: FakeClock
) -> None:
    timesheet = (await bot.say(ELLA, "uren")).cards[0]
    assert "Urenstaat" in card_texts(timesheet)
    help_card = (await bot.say(ELLA, "help")).cards[0]  # a word of both languages: still Dutch
    assert "Waarmee kan ik helpen?" in card_texts(help_card)

    # The Dutch timesheet's "next week" button answers in Dutch, though Teams speaks English.
    [(verb, data)] = [(a["verb"], a["data"]) for a in timesheet["actions"] if a["title"] == NL("time.sheet.next")]
    pressed = await bot.execute(ELLA, verb, data)
    assert pressed.invoke_card is not None and "Urenstaat" in card_texts(pressed.invoke_card)

    # A day later nothing typed holds any more: Teams' language again.
    clock.advance(timedelta(hours=13))
    assert EN("menu.title") in card_texts((await bot.say(ELLA, "help")).cards[0])
    pressed = await bot.execute(ELLA, verb, data)
    assert pressed.invoke_card is not None and "Timesheet" in card_texts(pressed.invoke_card)
