"""The admin's list cards: the domains and the local governments that projects choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from microsoft_teams.cards.core import Choice, ChoiceSetInput, Fact, FactSet, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator
from cards.payloads import Payload, StoredIn

GOVERNMENT_KINDS = ("municipality", "police_zone", "emergency_zone", "intermunicipal", "other")
AUTO_KIND = "auto"
# The inputs state the columns' lengths (storage/projects.py; tests/test_text_limits.py keeps them equal).
NAME_MAX = 128  # a domain's name, in each language
GOVERNMENT_NAME_MAX = 200


class SaveDomain(Payload):
    """The domains card: add a domain, or rename the one chosen (inputs arrive as strings, "" when empty)."""

    VERB: ClassVar[str] = "lists.domain_save"
    operation: Literal["add", "rename"] = "add"
    domain: str = ""  # the chosen domain's id
    name_nl: Annotated[str, StoredIn("domain.name_nl", NAME_MAX)] = ""
    name_en: Annotated[str, StoredIn("domain.name_en", NAME_MAX)] = ""


class SaveGovernment(Payload):
    """The governments card: add a local government, or change the one named (its name, its kind)."""

    VERB: ClassVar[str] = "lists.government_save"
    operation: Literal["add", "change"] = "add"
    page: int = 1
    current: str = ""
    name: Annotated[str, StoredIn("government.name", GOVERNMENT_NAME_MAX)] = ""
    kind: str = AUTO_KIND  # AUTO_KIND or one of GOVERNMENT_KINDS; anything else comes back as the form's error


class GovernmentsPage(Payload):
    VERB: ClassVar[str] = "lists.government_page"
    page: int = 1


@dataclass(frozen=True)
class DomainRow:
    id: int
    name_nl: str
    name_en: str


@dataclass(frozen=True)
class DomainsForm:
    domains: list[DomainRow]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GovernmentsForm:
    governments: list[tuple[str, str]]  # (name, kind) on this page
    page: int = 1
    pages: int = 1
    total: int = 0
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _error(body: list[Any], form_errors: dict[str, str], name: str) -> None:
    if name in form_errors:
        body.append(field_error(form_errors[name]))


def build_domains_card(form: DomainsForm, t: Translator) -> dict[str, Any]:
    body: list[Any] = [heading(t("lists.domains.title")), paragraph(t("lists.domains.intro"), subtle=True)]
    facts = [Fact(title=row.name_nl, value=row.name_en) for row in form.domains]
    body.append(FactSet(facts=facts) if facts else paragraph(t("lists.empty"), subtle=True))
    if form.errors:
        body.append(field_error(t("form.errors_below")).model_copy(update={"spacing": "Medium"}))
    v = form.values
    body.append(
        ChoiceSetInput(
            id="domain",
            label=t("lists.domains.which"),
            style="compact",
            value=v.get("domain") or None,
            placeholder=t("lists.domains.which.placeholder"),
            choices=[Choice(title=f"{row.name_nl} / {row.name_en}", value=str(row.id)) for row in form.domains],
        )
    )
    _error(body, form.errors, "domain")
    body.append(
        TextInput(id="name_nl", label=t("lists.domains.name_nl"), value=v.get("name_nl", ""), max_length=NAME_MAX)
    )
    _error(body, form.errors, "name_nl")
    body.append(
        TextInput(
            id="name_en",
            label=t("lists.domains.name_en"),
            placeholder=t("lists.domains.name_en.placeholder"),
            value=v.get("name_en", ""),
            max_length=NAME_MAX,
        )
    )
    _error(body, form.errors, "name_en")
    body.append(paragraph(t("lists.domains.hint"), subtle=True))
    return card(
        body,
        [
            submit(t("lists.add"), SaveDomain, operation="add"),
            submit(t("lists.domains.rename"), SaveDomain, operation="rename"),
        ],
    )


def build_governments_card(form: GovernmentsForm, t: Translator) -> dict[str, Any]:
    body: list[Any] = [
        heading(t("lists.governments.title")),
        paragraph(t("lists.governments.intro", count=form.total), subtle=True),
    ]
    facts = [Fact(title=name, value=t(f"government.kind.{kind}")) for name, kind in form.governments]
    body.append(FactSet(facts=facts) if facts else paragraph(t("lists.empty"), subtle=True))
    if form.pages > 1:
        body.append(paragraph(t("projects.page", page=form.page, pages=form.pages), subtle=True))
    if form.errors:
        body.append(field_error(t("form.errors_below")).model_copy(update={"spacing": "Medium"}))
    v = form.values
    body.append(
        TextInput(
            id="current",
            label=t("lists.governments.current"),
            placeholder=t("lists.governments.current.placeholder"),
            value=v.get("current", ""),
        )
    )
    _error(body, form.errors, "current")
    body.append(
        TextInput(id="name", label=t("lists.governments.name"), value=v.get("name", ""), max_length=GOVERNMENT_NAME_MAX)
    )
    _error(body, form.errors, "name")
    body.append(
        ChoiceSetInput(
            id="kind",
            label=t("lists.governments.kind"),
            style="compact",
            value=v.get("kind") or AUTO_KIND,
            choices=[
                Choice(title=t("lists.governments.kind.auto"), value=AUTO_KIND),
                *(Choice(title=t(f"government.kind.{kind}"), value=kind) for kind in GOVERNMENT_KINDS),
            ],
        )
    )
    _error(body, form.errors, "kind")
    body.append(paragraph(t("lists.governments.hint"), subtle=True))
    actions = [
        submit(t("lists.add"), SaveGovernment, operation="add", page=form.page),
        submit(t("lists.governments.change"), SaveGovernment, operation="change", page=form.page),
    ]
    if form.page > 1:
        actions.append(submit(t("projects.previous"), GovernmentsPage, page=form.page - 1))
    if form.page < form.pages:
        actions.append(submit(t("projects.next"), GovernmentsPage, page=form.page + 1))
    return card(body, actions)
