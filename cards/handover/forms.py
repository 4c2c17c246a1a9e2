"""The handover's two forms, the plan and a checklist item, and the contracts of their Save buttons: the inputs as
the client sends them (an Adaptive Card input arrives as a string, an empty one as "", an unchosen choice set not
at all), read by the handler's form model so that each problem comes back under its field, as typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from microsoft_teams.cards.core import Choice, ChoiceSetInput, DateInput, TextInput

from cards.base import card, field_error, heading, paragraph, person_fields, submit
from cards.i18n import Translator
from cards.payloads import Id, Payload, Prose, Reference, StoredIn

# Longest texts the forms take (the columns are longer where a name or title is stored).
PERSON_MAX = 320
STAKEHOLDERS_MAX = 2000
EXTRA_ITEMS_MAX = 2000
AFTER_CARE_MAX = 40
ITEM_TITLE_MAX = 200  # handover_item.title
ITEM_LINK_MAX = 1000  # handover_item.link

# The verbs' contracts -------------------------------------------------------------------------------------------


class SavePlan(Payload):
    """The plan form's Save."""

    VERB: ClassVar[str] = "handover.save"
    code: Reference
    form_id: Annotated[str, Prose()] = ""
    receiver: str = ""  # the picker's choice, or typed where there is no list
    receiver_new: str = ""  # an address typed under the picker: someone not in its list (wins over the choice)
    receiver_conversation: str = ""
    planned: str = ""
    after_care: str = ""
    support: str = ""
    support_new: str = ""
    stakeholders: str = ""
    inform_days: str = ""
    extra_items: Annotated[str, Prose()] = ""


class SaveItem(Payload):
    """The item form's Save; with `item`, an existing item changed, else a new one."""

    VERB: ClassVar[str] = "handover.item_save"
    code: Reference
    form_id: Annotated[str, Prose()] = ""
    item: Id | None = None
    title: Annotated[str, StoredIn("handover_item.title", ITEM_TITLE_MAX)] = ""
    owner: str = ""  # the picker's choice, or typed where there is no list
    owner_new: str = ""  # an address typed under the picker: someone not in its list (wins over the choice)
    due: str = ""
    link: Annotated[str, StoredIn("handover_item.link", ITEM_LINK_MAX)] = ""


# The plan form --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverForm:
    code: str
    name: str
    form_id: str
    conversations: list[tuple[str, str]]  # (conversation ref id, readable name)
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    editing: bool = False
    # (value, name) of colleagues for the receiver's and the support contact's pickers (Teams searches them all).
    people: list[tuple[str, str]] = field(default_factory=list)


def build_handover_form_card(form: HandoverForm, t: Translator) -> dict[str, Any]:
    values, errors = form.values, form.errors
    key = "handover.form.edit_title" if form.editing else "handover.form.title"
    body: list[Any] = [
        heading(t(key, code=form.code, name=form.name)),
        paragraph(t("handover.form.intro"), subtle=True),
    ]

    def add(element: Any, name: str) -> None:
        body.append(element)
        if name in errors:
            body.append(field_error(errors[name]))

    _add_person(body, form, "receiver", t("handover.form.receiver"), t("handover.form.receiver.placeholder"), t)
    if form.conversations:
        choices = [Choice(title=t("handover.form.no_conversation"), value="")]
        choices += [Choice(title=label[:120], value=ref) for ref, label in form.conversations[:50]]
        add(
            ChoiceSetInput(
                id="receiver_conversation",
                label=t("handover.form.receiver_conversation"),
                choices=choices,
                value=values.get("receiver_conversation", ""),
                style="compact",
            ),
            "receiver_conversation",
        )
    add(DateInput(id="planned", label=t("handover.form.planned"), value=values.get("planned") or None), "planned")
    add(
        TextInput(
            id="after_care",
            label=t("handover.form.after_care"),
            placeholder=t("handover.form.after_care.placeholder"),
            value=values.get("after_care", ""),
            max_length=AFTER_CARE_MAX,
        ),
        "after_care",
    )
    _add_person(body, form, "support", t("handover.form.support"), t("handover.form.person.placeholder"), t)
    add(
        TextInput(
            id="stakeholders",
            label=t("handover.form.stakeholders"),
            placeholder=t("handover.form.stakeholders.placeholder"),
            value=values.get("stakeholders", ""),
            max_length=STAKEHOLDERS_MAX,
        ),
        "stakeholders",
    )
    add(
        TextInput(
            id="inform_days",
            label=t("handover.form.inform_days"),
            value=values.get("inform_days", ""),
            max_length=3,
        ),
        "inform_days",
    )
    if not form.editing:
        body.append(paragraph(t("handover.form.standard_items"), subtle=True))
        add(
            TextInput(
                id="extra_items",
                label=t("handover.form.extra_items"),
                placeholder=t("handover.form.extra_items.placeholder"),
                value=values.get("extra_items", ""),
                is_multiline=True,
                max_length=EXTRA_ITEMS_MAX,
            ),
            "extra_items",
        )
    return card(body, [submit(t("handover.form.save"), SavePlan, code=form.code, form_id=form.form_id)])


# The item form --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemForm:
    code: str
    form_id: str
    item: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    people: list[tuple[str, str]] = field(default_factory=list)  # (value, title): the colleagues to pick from


def _add_person(body: list[Any], form: HandoverForm, name: str, label: str, placeholder: str, t: Translator) -> None:
    """A person field of the plan: a picker of colleagues with a field for the address of someone else (the
    receiving party is often outside the organisation); one text field (a name or an address) when nobody is known."""
    error = form.errors.get(name)
    if form.people:
        body.extend(person_fields(label, form.people, form.values, t, name=name, nobody=True, error=error))
        return
    value = form.values.get(name, "")
    body.append(TextInput(id=name, label=label, placeholder=placeholder, value=value, max_length=PERSON_MAX))
    if error:
        body.append(field_error(error))


def build_handover_item_form_card(form: ItemForm, t: Translator) -> dict[str, Any]:
    values, errors = form.values, form.errors
    key = "handover.item.form.edit_title" if form.item else "handover.item.form.title"
    body: list[Any] = [heading(t(key, code=form.code))]
    owner, owner_error = t("handover.item.form.owner"), errors.get("owner")  # the error sits under the picker
    inputs: list[tuple[Any, str]] = [
        (
            TextInput(
                id="title",
                label=t("handover.item.form.title_field"),
                value=values.get("title", ""),
                max_length=ITEM_TITLE_MAX,
            ),
            "title",
        ),
        *[(element, "") for element in person_fields(owner, form.people, values, t, name="owner", error=owner_error)],
        (DateInput(id="due", label=t("handover.item.form.due"), value=values.get("due") or None), "due"),
        (
            TextInput(
                id="link",
                label=t("handover.item.form.link"),
                placeholder="https://…",
                value=values.get("link", ""),
                max_length=ITEM_LINK_MAX,
                style="Url",
            ),
            "link",
        ),
    ]
    for element, name in inputs:
        body.append(element)
        if name in errors:
            body.append(field_error(errors[name]))
    data: dict[str, Any] = {"code": form.code, "form_id": form.form_id}
    if form.item:
        data["item"] = form.item
    return card(body, [submit(t("handover.item.form.save"), SaveItem, **data)])
