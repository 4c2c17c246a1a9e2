"""One contract per card verb: every button on every card the bot can send names a registered verb, and the data the
button carries satisfies that verb's payload contract — the same model the router validates with. A button whose own
data the router would refuse is a button that can only ever answer "something went wrong"."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cards.payloads import Payload
from dialogs.app import build_router
from tests.card_samples import all_samples
from tests.test_verb_walk import walk

ROUTER = build_router()
SAMPLES = list(all_samples())


def _buttons(card: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(verb, the button's own data, the card's inputs as pre-filled) for every button on the card."""
    inputs = {e["id"]: e.get("value", "") for e in walk(card) if str(e.get("type", "")).startswith("Input.")}
    found = []
    for element in walk(card):
        if element.get("type") not in ("Action.Submit", "Action.Execute"):
            continue
        data = dict(element.get("data") or {})
        data.pop("msteams", None)
        verb = element.get("verb") or data.pop("verb", None)
        data.pop("verb", None)
        if verb:
            found.append((str(verb), data, inputs))
    return found


@pytest.mark.parametrize(("name", "card"), SAMPLES, ids=[name for name, _card in SAMPLES])
def test_every_button_names_a_registered_verb_and_its_data_fits_the_contract(name: str, card: dict[str, Any]) -> None:
    for verb, data, inputs in _buttons(card):
        contract = ROUTER.contract(verb)
        assert contract is not None, f"{name}: a button sends {verb!r}, which no capability registered"
        try:
            contract.model_validate({**inputs, **data})
        except ValidationError as invalid:
            # A form may be sent with an input still empty (the form comes back with the field's error); the
            # button's own data, which the person cannot change, must always be valid.
            own = {str(error["loc"][0]) for error in invalid.errors() if error["loc"] and error["loc"][0] in data}
            assert not own, f"{name}: {verb} button data {sorted(own)} refused: {invalid}"


def test_every_verb_is_registered_with_a_contract_that_names_it() -> None:
    for verb in ROUTER.verbs():
        contract = ROUTER.contract(verb)
        assert contract is not None and issubclass(contract, Payload), f"{verb}: payload is not a Payload"
        if verb == "menu.open":
            continue  # the router's own verb
        assert verb == contract.VERB, f"{verb} is registered with {contract.__name__}, whose VERB is {contract.VERB!r}"


def test_a_button_with_data_its_contract_does_not_have_cannot_be_built() -> None:
    from cards.base import submit
    from cards.outbox import OptOutPayload

    with pytest.raises(TypeError, match="no field"):
        submit("Stop", OptOutPayload, kind="time.nudge", scpoe="person")
