"""The handover's form models: each field read, or refused with its own message under it (in the reader's
language), and every problem of a form at once."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from cards.i18n import translator
from dialogs.handover.forms import ItemFields, PlanForm, form_errors
from dialogs.handover.rules import AfterCare

PLAN = {
    "receiver": "Jan Janssens",
    "receiver_conversation": "",
    "planned": "2027-01-29",
    "after_care": "3 maanden",
    "support": "",
    "stakeholders": "",
    "inform_days": "",
    "extra_items": "Back-up test\n\n  Sleutels   overdragen ",
}


def errors(model: type[PlanForm] | type[ItemFields], data: dict[str, str], language: str = "en") -> dict[str, str]:
    with pytest.raises(ValidationError) as invalid:
        model.model_validate(data)
    return form_errors(invalid.value, translator(language))  # type: ignore[arg-type]


def test_a_plan_reads_into_its_values() -> None:
    read = PlanForm.model_validate(PLAN)
    assert read.planned == date(2027, 1, 29)
    assert read.after_care == AfterCare(length="P3M")
    assert read.inform_days == 30  # empty: the default
    assert read.extra_items == ("Back-up test", "Sleutels overdragen")


def test_every_problem_of_a_plan_at_once_each_under_its_field() -> None:
    found = errors(
        PlanForm,
        {**PLAN, "receiver": "", "planned": "gisteren", "after_care": "voor altijd", "inform_days": "400"},
    )
    assert set(found) == {"receiver", "planned", "after_care", "inform_days"}
    assert found["receiver"].startswith("Who takes the project over?")
    assert "voor altijd" in found["after_care"]


def test_a_plan_names_a_person_or_a_conversation_not_both() -> None:
    both = errors(PlanForm, {**PLAN, "receiver_conversation": "3"})
    assert list(both) == ["receiver"]
    assert PlanForm.model_validate({**PLAN, "receiver": "", "receiver_conversation": "3"}).receiver == ""


def test_after_care_ending_before_the_handover_is_refused_only_when_the_date_reads() -> None:
    assert list(errors(PlanForm, {**PLAN, "after_care": "2027-01-01"})) == ["after_care"]
    assert list(errors(PlanForm, {**PLAN, "planned": "", "after_care": "2027-01-01"})) == ["planned"]


def test_too_many_or_too_long_extra_items() -> None:
    assert list(errors(PlanForm, {**PLAN, "extra_items": "\n".join(f"item {i}" for i in range(21))})) == ["extra_items"]
    assert list(errors(PlanForm, {**PLAN, "extra_items": "x" * 201})) == ["extra_items"]


def test_an_item_reads_or_says_what_is_wrong() -> None:
    read = ItemFields.model_validate({"title": "  Sleutels   overdragen ", "due": "", "link": ""})
    assert (read.title, read.due, read.link) == ("Sleutels overdragen", None, "")
    found = errors(ItemFields, {"title": " ", "due": "morgen", "link": "intranet/doc"}, "nl")
    assert set(found) == {"title", "due", "link"}
