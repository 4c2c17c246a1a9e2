"""The personal settings form: language and time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from microsoft_teams.cards.core import Choice, ChoiceSetInput, TextInput

from cards.base import card, field_error, heading, paragraph, submit
from cards.i18n import Translator

SAVE_VERB = "settings.save"
AUTO = "auto"


@dataclass(frozen=True)
class SettingsForm:
    language: str  # "auto", "nl" or "en"
    timezone: str  # empty means: follow Teams
    effective_language: str
    effective_timezone: str
    errors: dict[str, str] = field(default_factory=dict)


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
    return card(body, [submit(t("settings.save"), SAVE_VERB)])
