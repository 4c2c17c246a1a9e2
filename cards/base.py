"""Building blocks shared by every card: the envelope, headings, field errors, submit buttons, how hours read."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from microsoft_teams.cards.core import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    ExecuteAction,
    QueryData,
    SubmitAction,
    TextBlock,
    TextInput,
)

from cards.i18n import Translator
from cards.payloads import Payload

CARD_VERSION = "1.5"
# Teams refuses cards over 28 KB; tests check every card against this.
MAX_CARD_BYTES = 28 * 1024
VERB_KEY = "verb"
# The typeahead datasets a picker asks Teams to search (application/search, dialogs/kernel/search.py).
PROJECTS_DATASET = "projects"
PEOPLE_DATASET = "people"
CHOICE_TITLE_MAX = 80


def card(body: Sequence[CardElement], actions: Sequence[Any] | None = None) -> dict[str, Any]:
    """A schema-1.5 Adaptive Card as a plain dict, full width in Teams."""
    model = AdaptiveCard(version=CARD_VERSION, body=list(body), actions=list(actions) if actions else None)
    data: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True)
    data["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    data["msteams"] = {"width": "Full"}
    return data


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, weight="Bolder", size="Medium", wrap=True, style="heading")


def paragraph(text: str, *, subtle: bool = False) -> TextBlock:
    return TextBlock(text=text, wrap=True, is_subtle=subtle or None)


def stacked_fact(label: str, value: str) -> list[TextBlock]:
    """A fact that reads at phone width: a small subtle label over its wrapping value. A FactSet puts the value
    beside its title and clips long values (email addresses, long names) on a 390 px screen."""
    return [
        TextBlock(text=label, size="Small", is_subtle=True, wrap=True, spacing="Small"),
        TextBlock(text=value, wrap=True, spacing="None"),
    ]


def field_error(message: str) -> TextBlock:
    """Shown right under an input whose value the bot refused (server-side validation)."""
    return TextBlock(text=message, wrap=True, color="Attention", size="Small", spacing="None")


def picker(
    id: str,
    label: str,
    choices: Sequence[tuple[str, str]],
    *,
    dataset: str,
    value: str | None = None,
    placeholder: str | None = None,
) -> ChoiceSetInput:
    """A field that picks a project or a person: `choices` (value, title) are the static list clients without
    typeahead show (the Playground, the terminal chat); Teams also searches the whole `dataset` as the person types
    (choices.data, answered by the application/search invoke), so what is not in the list can still be found."""
    return ChoiceSetInput(
        id=id,
        label=label,
        style="compact",
        value=value or None,
        placeholder=placeholder,
        choices=[Choice(title=title[:CHOICE_TITLE_MAX], value=key) for key, title in choices],
        choices_data=QueryData(dataset=dataset),
    )


def person_fields(
    label: str,
    people: list[tuple[str, str]],
    values: dict[str, str],
    t: Translator,
    *,
    name: str = "person",
    nobody: bool = False,
    error: str | None = None,
) -> list[Any]:
    """Who: a picker of the colleagues the bot knows (Teams searches them all as one types), with a field under it
    (`{name}_new`) for the address of someone not in it, named before they talk to the bot; one text field when
    nobody is known. nobody: the list starts with "nobody" (a field that may be left empty). error: what was wrong,
    right under the picker."""
    placeholder = t("project.person.placeholder")
    said = [field_error(error)] if error else []
    if not people:
        return [TextInput(id=name, label=label, placeholder=placeholder, value=values.get(name, "")), *said]
    choices = [("", t("person.pick.nobody")), *people] if nobody else people
    chosen = values.get(name) if values.get(name) in {value for value, _ in people} else None
    return [
        picker(name, label, choices, dataset=PEOPLE_DATASET, value=chosen, placeholder=t("person.pick.placeholder")),
        *said,
        TextInput(
            id=f"{name}_new",
            label=t("person.pick.new"),
            placeholder=t("person.pick.new.placeholder"),
            value=values.get(f"{name}_new", ""),
            style="Email",
        ),
    ]


def submit(title: str, contract: type[Payload], **data: Any) -> SubmitAction:
    """A button that posts the card's inputs as a message (Action.Submit), routed by its verb's contract: the
    button's data must be fields of the contract (a misspelt key fails when the card is built)."""
    return SubmitAction(title=title, data={VERB_KEY: _verb(contract, data), **data})


def execute(title: str, contract: type[Payload], **data: Any) -> ExecuteAction:
    """A button whose answer replaces the card in place for everyone (Action.Execute)."""
    return ExecuteAction(title=title, verb=_verb(contract, data), data=data or None)


def _verb(contract: type[Payload], data: dict[str, Any]) -> str:
    unknown = set(data) - set(contract.model_fields)
    if unknown:
        raise TypeError(f"{contract.__name__} ({contract.VERB}) has no field {sorted(unknown)}")
    assert contract.VERB, f"{contract.__name__} declares no VERB"
    return contract.VERB


def hours_text(hours: Decimal | int, t: Translator, *, unit: bool = True) -> str:
    """Hours, written one way on every card and message: decimal hours in the reader's notation with at most two
    decimals, "2,5 u" (nl) or "2.5 h" (en); unit=False gives the bare number, for a table whose header says hours.
    Exports (dialogs/time_export.py, the board document) keep their own formats."""
    number = t.number(Decimal(hours))
    return t("time.hours.value", hours=number) if unit else number


def minutes_text(minutes: int, t: Translator, *, unit: bool = True) -> str:
    """A duration or total kept in minutes (time entries), as hours_text writes it: 150 -> "2,5 u"."""
    return hours_text(Decimal(minutes) / 60, t, unit=unit)
