"""Checks a card the way Teams would: Adaptive Card 1.5 schema (without Teams' own `msteams` root key), 28 KB."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError

from cards.base import MAX_CARD_BYTES


@cache
def _validator() -> Draft6Validator:
    schema = json.loads((resources.files("adaptive_cards") / "schemas" / "schema-1.5.json").read_text("utf-8"))
    # The root is an anyOf over every element type; aim at AdaptiveCard so errors say what is wrong.
    schema.pop("anyOf", None)
    schema["$ref"] = "#/definitions/AdaptiveCard"
    # Teams' typeahead (choices.data, a Data.Query) is not in the published 1.5 schema; Teams documents it for
    # Input.ChoiceSet (learn.microsoft.com, "Typeahead search in Adaptive Cards"): accept exactly that shape.
    definitions = schema["definitions"]
    definitions["Data.Query"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", "dataset"],
        "properties": {
            "type": {"enum": ["Data.Query"]},
            "dataset": {"type": "string", "minLength": 1},
            "associatedInputs": {"enum": ["auto", "none"]},
            "count": {"type": "number"},
            "skip": {"type": "number"},
        },
    }
    definitions["Input.ChoiceSet"]["properties"]["choices.data"] = {"$ref": "#/definitions/Data.Query"}
    return Draft6Validator(schema)


def card_problems(card: dict[str, Any]) -> list[str]:
    """Empty when the card is valid; otherwise one line per problem."""
    problems: list[str] = []
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    if size > MAX_CARD_BYTES:
        problems.append(f"card is {size} bytes, over Teams' limit of {MAX_CARD_BYTES}")
    if card.get("version") != "1.5":
        problems.append(f"card version is {card.get('version')!r}, Teams renders 1.5")
    # The schema does not know Teams' host extension at the root; everything else must validate.
    checked = {k: v for k, v in card.items() if k != "msteams"}
    for error in _validator().iter_errors(checked):
        detail = _specific(error)
        path = "/".join(str(p) for p in detail.absolute_path)
        message = detail.message if detail is not error or not error.context else "unknown element type"
        problems.append(f"{path or '<root>'}: {message[:200]}")
    return problems


def _specific(error: ValidationError) -> ValidationError:
    """Inside an anyOf over element types, the branch of the element's own `type` says what is wrong."""
    instance = error.instance
    if not error.context or not isinstance(instance, dict) or "type" not in instance:
        return error
    branches = error.schema.get("anyOf") or error.schema.get("oneOf") or []
    wanted = "/" + str(instance["type"])
    for sub in error.context:
        index = sub.relative_schema_path[0] if sub.relative_schema_path else None
        if isinstance(index, int) and index < len(branches) and _ref_of(branches[index]).endswith(wanted):
            return _specific(sub)
    return error


def _ref_of(branch: dict[str, Any]) -> str:
    refs = [branch.get("$ref", "")] + [part.get("$ref", "") for part in branch.get("allOf", [])]
    return next((ref for ref in refs if ref), "")


def assert_valid_card(card: dict[str, Any]) -> None:
    problems = card_problems(card)
    assert not problems, "\n".join(problems)
