"""The answer to the offer to keep the language a person typed (dialogs/kernel/typed_language.py makes the offer):
yes stores that language as their choice; no stores AUTO, so they are not asked again and typed words are still
followed. Only the person it was offered to may answer it; a "no" on an old card leaves a choice made since."""

from __future__ import annotations

from cards.i18n import LANGUAGES, Translator, translator
from cards.settings import AUTO, AnswerLanguageOffer, build_language_offer_answered
from dialogs.kernel.owned import not_yours
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.settings.declaration import capability
from storage.directory import DirectoryRepository


@capability.verb(AnswerLanguageOffer)
def answer_language_offer(request: Request, services: Services, payload: AnswerLanguageOffer) -> Reply:
    # The offer is personal: in a shared conversation someone else's press must not set another's language.
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.settings")) is not None:
        return refused
    assert request.person.id is not None
    person = DirectoryRepository(services.db).get(request.person.id)
    assert person is not None
    now = services.clock.now()
    if payload.choice == "nl" or payload.choice == "en":
        services.people.set_preferences(
            request.person.id, language=payload.choice, timezone=person.preferred_timezone, now=now
        )
        return _answered(translator(payload.choice), "language.offer.accepted")
    t = translator(payload.shown)
    chosen = person.preferred_language
    if chosen in LANGUAGES:  # chosen in settings since the offer was made: a "no" now does not undo it
        return _answered(t, "language.offer.kept", language=t(f"language.name.{chosen}"))
    services.people.set_preferences(request.person.id, language=AUTO, timezone=person.preferred_timezone, now=now)
    return _answered(t, "language.offer.declined")


def _answered(t: Translator, key: str, **values: str) -> Reply:
    return Reply(replace_card=build_language_offer_answered(t(key, **values)))
