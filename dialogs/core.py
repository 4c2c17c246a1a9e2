"""The capabilities every installation has: the help menu and personal settings."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from cards.i18n import LANGUAGES, language_of, translator
from cards.settings import AUTO, SAVE_VERB, SettingsForm, build_settings_card
from dialogs.router import MenuInfo, Router
from dialogs.timezones import resolve_timezone
from dialogs.turn import Reply, Request, Services


def register(router: Router) -> None:
    def show_help(request: Request, services: Services, rest: str) -> Reply:
        return Reply.card(router.help_card(request.t))

    router.command(
        "help",
        en=("help", "?", "menu"),
        nl=("hulp", "help", "menu"),
        handler=show_help,
        menu=MenuInfo("menu.help.title", "menu.help.description", {"en": "help", "nl": "hulp"}),
    )
    router.command(
        "settings",
        en=("settings",),
        nl=("instellingen",),
        handler=show_settings,
        menu=MenuInfo("menu.settings.title", "menu.settings.description", {"en": "settings", "nl": "instellingen"}),
    )
    router.action(SAVE_VERB, SettingsPayload, save_settings, on_invalid=settings_unreadable)


class SettingsPayload(BaseModel):
    language: str = AUTO
    timezone: str = ""


def show_settings(request: Request, services: Services, rest: str) -> Reply:
    person = request.person
    form = SettingsForm(
        language=person.preferred_language or AUTO,
        timezone=person.preferred_timezone or "",
        effective_language=request.teams_language or request.language,
        effective_timezone=request.teams_timezone or request.timezone,
    )
    return Reply.card(build_settings_card(form, request.t))


def validate_settings(payload: SettingsPayload, request: Request) -> dict[str, str]:
    t = request.t
    errors: dict[str, str] = {}
    if payload.language not in (AUTO, *LANGUAGES):
        errors["language"] = t("settings.language.invalid")
    zone = payload.timezone.strip()
    if zone and resolve_timezone(zone) is None:
        errors["timezone"] = t("settings.timezone.invalid", value=zone[:64])
    return errors


def save_settings(request: Request, services: Services, payload: SettingsPayload) -> Reply:
    errors = validate_settings(payload, request)
    if errors:
        form = SettingsForm(
            language=payload.language if payload.language in (AUTO, *LANGUAGES) else AUTO,
            timezone=payload.timezone,
            effective_language=request.teams_language or request.language,
            effective_timezone=request.teams_timezone or request.timezone,
            errors=errors,
        )
        return Reply(replace_card=build_settings_card(form, request.t))
    language = None if payload.language == AUTO else payload.language
    zone = resolve_timezone(payload.timezone) if payload.timezone.strip() else None
    assert request.person.id is not None
    person = services.people.set_preferences(
        request.person.id, language=language, timezone=zone, now=services.clock.now()
    )
    # Answer in the language just chosen, so the person sees at once that it worked; the pressed form is
    # refreshed so it no longer shows an error from an earlier attempt.
    t = translator(language_of(person.preferred_language, default=request.teams_language or request.language))
    teams_timezone = request.teams_timezone or request.timezone
    timezone = person.preferred_timezone or teams_timezone
    saved_form = SettingsForm(
        language=person.preferred_language or AUTO,
        timezone=person.preferred_timezone or "",
        effective_language=request.teams_language or request.language,
        effective_timezone=teams_timezone,
    )
    return Reply(
        texts=[t("settings.saved", language=t(f"language.name.{t.language}"), timezone=timezone)],
        replace_card=build_settings_card(saved_form, t),
    )


def settings_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    """A settings card whose fields are not even strings: show a fresh form rather than guess."""
    return show_settings(request, services, "")
