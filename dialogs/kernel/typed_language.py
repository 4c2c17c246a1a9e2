"""Answering in the language a person types (issue 15, item 4).

In Flanders many people run Teams in English and type Dutch (`uren`, `hulp`, `registreer 2u DT-042`). Until a person
chooses a language in settings, a typed command whose words belong to one language only is answered in that
language, whatever Teams says. A word both languages use (`project`, `status`, `budget`, `export`, `plan`,
`update`, `help`) changes nothing. Card presses carry no words: they follow the person's choice, else Teams.

The first time someone is answered in a language other than Teams', in their personal chat, the answer carries a
one-tap offer to make that language their choice (cards/settings.py: build_language_offer_card; the settings
capability answers it). Yes stores the language: from then on it holds whatever they type. No stores "auto"
(cards.settings.AUTO, the settings form's "as in Teams"): typed words are still followed, and nothing is offered
again. Until they answer, the offer comes back at most once a day (kept in memory: after a restart it may come
once more, which is no nagging)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from cards.i18n import LANGUAGES, Language
from cards.settings import AUTO, build_language_offer_card
from dialogs.kernel.turn import Reply, Request

OFFER_AGAIN_AFTER = timedelta(days=1)
# People whose offer time is remembered, newest last: bounded, so many people cost nothing lasting.
OFFERS_REMEMBERED = 4096


def phrase_language(phrases: Mapping[Language, tuple[str, ...]], phrase: str) -> Language | None:
    """The one language whose phrases of a command include `phrase` (normalised, lower case); None when both do."""
    languages = [language for language in LANGUAGES if phrase in {_folded(p) for p in phrases[language]}]
    return languages[0] if len(languages) == 1 else None


def _folded(phrase: str) -> str:
    return " ".join(phrase.split()).lower()


def chose_language(request: Request) -> bool:
    """The person chose a language in settings (or on the offer): it holds whatever they type."""
    return request.person.preferred_language in LANGUAGES


def in_typed_language(request: Request, typed: Language | None) -> Request:
    """The request answered in the language typed, when the person chose none and the words say which."""
    if typed is None or typed == request.language or chose_language(request):
        return request
    return replace(request, language=typed)


class LanguageOffers:
    """When each person was last offered (in this process), so an unanswered offer is not repeated every turn."""

    def __init__(self) -> None:
        self._offered: OrderedDict[int, datetime] = OrderedDict()

    def with_offer(self, request: Request, reply: Reply, now: datetime) -> Reply:
        """The reply, with the offer added when this answer's language is not Teams' and the person may want it
        kept: in their personal chat, no choice made, the offer not declined and not made in the last day."""
        person_id = request.person.id
        teams = request.teams_language
        if (
            person_id is None
            or teams is None
            or request.language == teams
            or not request.where.is_personal
            or chose_language(request)
            or request.person.preferred_language == AUTO
        ):
            return reply
        last = self._offered.get(person_id)
        if last is not None and now - last < OFFER_AGAIN_AFTER:
            return reply
        self._remember(person_id, now)
        return reply.then(Reply.card(build_language_offer_card(request.language, person_id, request.t)))

    def _remember(self, person_id: int, now: datetime) -> None:
        self._offered[person_id] = now
        self._offered.move_to_end(person_id)
        while len(self._offered) > OFFERS_REMEMBERED:
            self._offered.popitem(last=False)
