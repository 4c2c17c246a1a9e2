"""The personal settings form: language, time zone, name (correctable), a contact address (display only) and
one's availability (hours per week over working days); and the offer to make the language a person typed in
their choice (dialogs/kernel/typed_language.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from microsoft_teams.cards.core import Choice, ChoiceSetInput, TextBlock, TextInput, TimeInput, ToggleInput

from cards.base import card, execute, field_error, heading, minutes_text, paragraph, submit
from cards.i18n import Language, Translator
from cards.payloads import Id, Payload, StoredIn
from domain.capacity import DAY_KEYS, DEFAULT_WORKING_DAYS, Availability

AUTO = "auto"
# The inputs state the columns' lengths (storage/directory.py; tests/test_text_limits.py keeps them equal).
NAME_MAX = 256
EMAIL_MAX = 320


class SaveSettings(Payload):
    """The settings form. A field that is absent (an older card, or a client that leaves empty inputs out) leaves
    what it sets as it is."""

    VERB: ClassVar[str] = "settings.save"
    language: str = AUTO
    timezone: str = ""
    name: Annotated[str | None, StoredIn("person.name", NAME_MAX)] = None
    email: Annotated[str | None, StoredIn("person.contact_email", EMAIL_MAX)] = None
    # The reminder to log time (read by dialogs/settings/fields.py); absent: leave as it is.
    nudge: str | None = None
    nudge_at: str | None = None
    nudge_hours: str | None = None
    # Availability (read by dialogs/settings/fields.py): hours per week ("" = unknown) and the working days' keys
    # ("mon,tue,..."); absent: leave as it is.
    hours: str | None = None
    days: str | None = None
    owner: Id | None = None  # whose settings card it is (dialogs/kernel/owned.py)


class AnswerLanguageOffer(Payload):
    """A press on the offer to keep answering in the language the person typed: `choice` is that language (yes),
    or AUTO (no: keep answering in the language typed, and do not ask again). `shown` is the language the offer
    was written in, for the answer to a "no". Only the person it was offered to may answer it (`owner`)."""

    VERB: ClassVar[str] = "settings.language_offer"
    choice: Literal["nl", "en", "auto"]
    shown: Literal["nl", "en"]
    owner: Id


def build_language_offer_card(typed: Language, owner_id: int, t: Translator) -> dict[str, Any]:
    """The offer: "you typed in Dutch, so I answered in Dutch; always?", with a yes and a no (t speaks `typed`)."""
    body = [paragraph(t("language.offer.text")), paragraph(t("language.offer.hint"), subtle=True)]
    answers = [
        execute(t("language.offer.accept"), AnswerLanguageOffer, choice=typed, shown=typed, owner=owner_id),
        execute(t("language.offer.decline"), AnswerLanguageOffer, choice=AUTO, shown=typed, owner=owner_id),
    ]
    return card(body, answers)


def build_language_offer_answered(text: str) -> dict[str, Any]:
    """The offer once answered: what was decided, no buttons left to press again."""
    return card([paragraph(text)])


@dataclass(frozen=True)
class NudgeSection:
    """The reminder to log time: on/off, local time, minimum (empty: the usual day, shown in the hint)."""

    enabled: bool = False
    at: str = "16:30"
    hours: str = ""
    usual: str = ""


@dataclass(frozen=True)
class AvailabilitySection:
    """Hours per week as the input shows them ("" when unknown) and the working days' keys ("mon", ...)."""

    hours: str = ""
    days: tuple[str, ...] = ()

    @classmethod
    def of(cls, availability: Availability | None, t: Translator) -> AvailabilitySection:
        """As stored: unknown shows empty hours (the placeholder says 38) over the usual Monday to Friday."""
        if availability is None:
            return cls("", day_values(DEFAULT_WORKING_DAYS))
        return cls(minutes_text(availability.minutes_per_week, t, unit=False), day_values(availability.working_days))


def day_values(days: frozenset[int]) -> tuple[str, ...]:
    """The working days as the day inputs' values: 'mon', 'tue', ... (read back by parse_working_days)."""
    return tuple(DAY_KEYS["en"][day] for day in sorted(days))


def availability_inputs(section: AvailabilitySection, errors: dict[str, str], t: Translator) -> list[Any]:
    """Hours per week and working days, each with its error or hint below (the settings form, the roles card)."""
    elements: list[Any] = [
        TextInput(
            id="hours", label=t("availability.hours"), placeholder=t("availability.hours.placeholder"),
            value=section.hours,
        ),
        field_error(errors["hours"]) if "hours" in errors else paragraph(t("availability.hours.hint"), subtle=True),
        ChoiceSetInput(
            id="days",
            label=t("availability.days"),
            is_multi_select=True,
            style="compact",
            value=",".join(section.days) or None,
            choices=[
                Choice(title=t(f"availability.day.{key}"), value=key) for key in DAY_KEYS["en"]
            ],
        ),
    ]  # fmt: skip
    if "days" in errors:
        elements.append(field_error(errors["days"]))
    return elements


@dataclass(frozen=True)
class SettingsForm:
    language: str  # "auto", "nl" or "en"
    timezone: str  # empty means: follow Teams
    effective_language: str
    effective_timezone: str
    errors: dict[str, str] = field(default_factory=dict)
    name: str = ""
    email: str = ""  # the contact address the person typed: shown to colleagues, links nothing
    verified_email: str | None = None  # what Teams reported for them: the address that links
    nudge: NudgeSection | None = None  # None: the section is left out
    availability: AvailabilitySection | None = None  # None: the section is left out
    owner_id: int | None = None  # whose settings: in a channel anyone sees the card, only they may save it


def build_settings_card(form: SettingsForm, t: Translator) -> dict[str, Any]:
    language_name = t(f"language.name.{form.effective_language}")
    body: list[Any] = [heading(t("settings.title")), paragraph(t("settings.intro"), subtle=True)]
    if len(form.errors) > 1:  # one error sits right under its field; several need a pointer at the top
        body.append(field_error(t("form.errors_below")).model_copy(update={"spacing": "Medium"}))
    body.append(
        ChoiceSetInput(
            id="language",
            label=t("settings.language"),
            style="compact",
            value=form.language,
            choices=[
                Choice(title=t("settings.language.auto", current=language_name), value=AUTO),
                Choice(title=t("settings.language.nl"), value="nl"),
                Choice(title=t("settings.language.en"), value="en"),
            ],
        )
    )
    if "language" in form.errors:
        body.append(field_error(form.errors["language"]))
    body.append(
        TextInput(
            id="timezone",
            label=t("settings.timezone"),
            placeholder=t("settings.timezone.placeholder"),
            value=form.timezone,
        )
    )
    if "timezone" in form.errors:
        body.append(field_error(form.errors["timezone"]))
    else:
        body.append(paragraph(t("settings.timezone.auto", current=form.effective_timezone), subtle=True))
    body.append(TextInput(id="name", label=t("settings.name"), value=form.name, max_length=NAME_MAX))
    if "name" in form.errors:
        body.append(field_error(form.errors["name"]))
    body.append(
        TextInput(
            id="email",
            label=t("settings.email"),
            placeholder=t("settings.email.placeholder"),
            value=form.email,
            style="Email",
            max_length=EMAIL_MAX,
        )
    )
    if "email" in form.errors:
        body.append(field_error(form.errors["email"]))
    else:
        hint = (
            t("settings.email.hint", verified=form.verified_email)
            if form.verified_email
            else t("settings.email.hint_unverified")
        )
        body.append(paragraph(hint, subtle=True))
    if form.availability is not None:
        body.append(TextBlock(text=t("availability.title"), weight="Bolder", wrap=True, spacing="Large"))
        body.extend(availability_inputs(form.availability, form.errors, t))
    if form.nudge is not None:
        body.extend(_nudge_section(form.nudge, form.errors, t))
    owner = {"owner": form.owner_id} if form.owner_id is not None else {}
    return card(body, [submit(t("settings.save"), SaveSettings, **owner)])


def _nudge_section(nudge: NudgeSection, errors: dict[str, str], t: Translator) -> list[Any]:
    elements: list[Any] = [
        TextBlock(text=t("settings.nudge.title"), weight="Bolder", wrap=True, spacing="Large"),
        ToggleInput(
            id="nudge",
            title=t("settings.nudge.enabled"),
            value="true" if nudge.enabled else "false",
            value_on="true",
            value_off="false",
        ),
        TimeInput(id="nudge_at", label=t("settings.nudge.at"), value=nudge.at),
    ]
    if "nudge_at" in errors:
        elements.append(field_error(errors["nudge_at"]))
    elements.append(
        TextInput(
            id="nudge_hours",
            label=t("settings.nudge.hours"),
            placeholder=t("settings.nudge.hours.placeholder", usual=nudge.usual),
            value=nudge.hours,
        )
    )
    if "nudge_hours" in errors:
        elements.append(field_error(errors["nudge_hours"]))
    else:
        elements.append(paragraph(t("settings.nudge.hint", usual=nudge.usual), subtle=True))
    return elements
