"""Answering in the language a person types (issue 15, item 4).

In Flanders many people run Teams in English and type Dutch (`uren`, `hulp`, `registreer 2u DT-042`). Until a person
chooses a language in settings, a typed command whose words belong to one language only is answered in that
language, whatever Teams says. A word both languages use (`project`, `status`, `budget`, `export`, `plan`,
`update`, `help`) switches nothing: it is answered in the language the person last typed (that day), else Teams'.
Card presses carry no words: they too follow the language last typed that day, so the buttons of a Dutch answer
answer in Dutch; a press after a day, or on another instance of the bot, follows Teams.

The first time someone is answered in a language other than Teams', in their personal chat, the answer carries a
one-tap offer to make that language their choice (cards/settings.py: build_language_offer_card; the settings
capability answers it). Yes stores the language: from then on it holds whatever they type. No stores "auto"
(cards.settings.AUTO, the settings form's "as in Teams"): typed words are still followed, and nothing is offered
again. Until they answer, the offer comes back at most once a day.

What is remembered here (the language last typed, when the offer was last made) lives in this process only:
after a restart a press may follow Teams once and an unanswered offer may come once more, which is no nagging."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from cards.i18n import LANGUAGES, Language
from cards.settings import AUTO, build_language_offer_card
from dialogs.kernel.turn import Reply, Request

OFFER_AGAIN_AFTER = timedelta(days=1)
# How long the language last typed still holds for words of both languages and for card presses: a working day.
TYPED_LANGUAGE_HOLDS = timedelta(hours=12)
# People remembered, newest last: bounded, so many people cost nothing lasting (one forgotten early merely
# follows Teams on their next press, or is offered once more).
PEOPLE_REMEMBERED = 4096

V = TypeVar("V")


def phrase_language(phrases: Mapping[Language, tuple[str, ...]], phrase: str) -> Language | None:
    """The one language whose phrases of a command include `phrase` (normalised, lower case); None when both do."""
    languages = [language for language in LANGUAGES if phrase in {_folded(p) for p in phrases[language]}]
    return languages[0] if len(languages) == 1 else None


def _folded(phrase: str) -> str:
    return " ".join(phrase.split()).lower()


def chose_language(request: Request) -> bool:
    """The person chose a language in settings (or on the offer): it holds whatever they type."""
    return request.person.preferred_language in LANGUAGES


def in_language(request: Request, language: Language | None) -> Request:
    """The request answered in `language`, when the person chose none and a language is known."""
    if language is None or language == request.language or chose_language(request):
        return request
    return replace(request, language=language)


class _Recent(Generic[V]):
    """A bounded memory per person: the oldest entry goes first."""

    def __init__(self) -> None:
        self._items: OrderedDict[int, tuple[V, datetime]] = OrderedDict()

    def get(self, person_id: int, now: datetime, within: timedelta) -> V | None:
        found = self._items.get(person_id)
        return found[0] if found is not None and now - found[1] < within else None

    def put(self, person_id: int, value: V, now: datetime) -> None:
        self._items[person_id] = (value, now)
        self._items.move_to_end(person_id)
        while len(self._items) > PEOPLE_REMEMBERED:
            self._items.popitem(last=False)


class TypedLanguages:
    """The language each person last typed, and when each was last offered to keep it (this process only)."""

    def __init__(self) -> None:
        self._typed: _Recent[Language] = _Recent()
        self._offered: _Recent[bool] = _Recent()

    def typed(self, request: Request, language: Language | None, now: datetime) -> Request:
        """A typed command's request, in the language of its words; words of both languages (or none matched)
        keep the language last typed."""
        person_id = request.person.id
        if person_id is None:
            return in_language(request, language)
        if language is not None:
            self._typed.put(person_id, language, now)
            return in_language(request, language)
        return in_language(request, self._typed.get(person_id, now, TYPED_LANGUAGE_HOLDS))

    def pressed(self, request: Request, now: datetime) -> Request:
        """A card press's request, in the language the person last typed (that day)."""
        person_id = request.person.id
        if person_id is None:
            return request
        return in_language(request, self._typed.get(person_id, now, TYPED_LANGUAGE_HOLDS))

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
            or self._offered.get(person_id, now, OFFER_AGAIN_AFTER)
        ):
            return reply
        self._offered.put(person_id, True, now)
        return reply.then(Reply.card(build_language_offer_card(request.language, person_id, request.t)))
