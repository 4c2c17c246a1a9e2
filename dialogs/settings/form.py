"""The personal settings form: language, time zone, name, a contact address, one's availability (hours per week
over working days; empty hours: unknown) and the reminder to log time (the reminder's part of the form:
nudge_choice.py; the reminder itself is the time capability's job)."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import ValidationError

from cards.base import minutes_text
from cards.i18n import LANGUAGES, Language, Translator, language_of, translator
from cards.menu import MenuSection
from cards.payloads import field_errors, length_errors
from cards.settings import AUTO, AvailabilitySection, NudgeSection, SaveSettings, SettingsForm, build_settings_card
from dialogs.kernel.owned import not_yours
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.timezones import person_zone, zone_label, zone_name
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.settings import nudge_choice
from dialogs.settings.declaration import capability
from dialogs.settings.fields import SettingsFields
from domain.capacity import Availability, working_days_text
from storage.availability import change_availability
from storage.capacity import CapacityRepository
from storage.directory import DirectoryRepository
from storage.models import Person


def _nudge_section(
    request: Request, services: Services, payload: SaveSettings | None = None, t: Translator | None = None
) -> NudgeSection:
    """The reminder part of the form: as stored, or as typed (payload) when the form comes back with errors."""
    assert request.person.id is not None
    today = services.clock.now().astimezone(person_zone(request.person, request.timezone)).date()
    stored = nudge_choice.nudge_values(services, request.person.id, t or request.t, today)
    if payload is None:
        return NudgeSection(stored.enabled, stored.at, stored.hours, stored.usual)
    return NudgeSection(
        stored.enabled if payload.nudge is None else payload.nudge == "true",
        stored.at if payload.nudge_at is None else payload.nudge_at,
        stored.hours if payload.nudge_hours is None else payload.nudge_hours,
        stored.usual,
    )


@capability.command(
    "settings",
    en=("settings",),
    nl=("instellingen",),
    menu=MenuInfo(
        "menu.settings.title",
        "menu.settings.description",
        {"en": "settings", "nl": "instellingen"},
        section=MenuSection.YOU,
    ),
)
def show_settings(request: Request, services: Services, rest: str) -> Reply:
    form = _form_as_stored(_stored(request, services), request, services, _nudge_section(request, services))
    return Reply.card(build_settings_card(form, request.t))


def _stored(request: Request, services: Services) -> Person:
    """The person's row: their settings as stored (the request carries only who they are)."""
    assert request.person.id is not None
    person = DirectoryRepository(services.db).get(request.person.id)
    assert person is not None
    return person


def _availability(services: Services, person_id: int) -> Availability | None:
    return CapacityRepository(services.db).availability([person_id]).get(person_id)


def _form_as_stored(
    person: Person, request: Request, services: Services, nudge: NudgeSection, language: Language | None = None
) -> SettingsForm:
    """The form as saved, its zones named in the reader's language ("Brussel"; saved as Europe/Brussels)."""
    reader = language or request.language
    return SettingsForm(
        language=person.preferred_language or AUTO,
        timezone=zone_name(person.preferred_timezone, reader) if person.preferred_timezone else "",
        effective_language=request.teams_language or request.language,
        effective_timezone=zone_label(request.teams_timezone or request.timezone, reader),
        name=person.name,
        email=person.contact_email or "",
        verified_email=person.email,
        nudge=nudge,
        availability=AvailabilitySection.of(_availability(services, person.id or 0), translator(reader)),
        owner_id=person.id,
    )


def _typed_form(payload: SaveSettings, request: Request, errors: dict[str, str], services: Services) -> SettingsForm:
    """The form as the person filled it in, with the errors next to their fields."""
    person = _stored(request, services)
    return SettingsForm(
        language=payload.language if payload.language in (AUTO, *LANGUAGES) else AUTO,
        timezone=payload.timezone,
        effective_language=request.teams_language or request.language,
        effective_timezone=zone_label(request.teams_timezone or request.timezone, request.language),
        errors=errors,
        name=person.name if payload.name is None else payload.name,
        email=(person.contact_email or "") if payload.email is None else payload.email,
        verified_email=person.email,
        nudge=_nudge_section(request, services, payload),
        availability=_typed_availability(payload, services, person.id or 0, request.t),
        owner_id=person.id,
    )


def _typed_availability(
    payload: SaveSettings, services: Services, person_id: int, t: Translator
) -> AvailabilitySection:
    """The availability inputs as typed (as stored for those the card did not send)."""
    stored = AvailabilitySection.of(_availability(services, person_id), t)
    return AvailabilitySection(
        stored.hours if payload.hours is None else payload.hours,
        stored.days if payload.days is None else tuple(day for day in payload.days.split(",") if day.strip()),
    )


def settings_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    """A settings card whose fields are not even strings: show a fresh form rather than guess."""
    return show_settings(request, services, "")


@capability.verb(SaveSettings, on_invalid=settings_unreadable)
def save_settings(request: Request, services: Services, payload: SaveSettings) -> Reply:
    # A personal card: someone else pressing it in a channel would otherwise take on its owner's name and choices.
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.settings")) is not None:
        return refused
    assert request.person.id is not None
    fields: SettingsFields | None = None
    errors: dict[str, str] = {}
    current = nudge_choice.current_choice(services, request.person.id)
    availability = _availability(services, request.person.id)
    try:
        fields = SettingsFields.model_validate(
            payload.model_dump(),
            context={"current": current, "availability": availability, "language": request.language},
        )
    except ValidationError as invalid:
        errors = field_errors(invalid, request.t)
    errors.update(length_errors(payload, request.t))  # too long: the message names the limit the card states
    if errors or fields is None:
        return Reply(replace_card=build_settings_card(_typed_form(payload, request, errors, services), request.t))
    language = _language_to_store(fields.language, request)
    now = services.clock.now()
    email: str | bool | None = False if payload.email is None else (payload.email.strip() or None)
    corrected = DirectoryRepository(services.db).correct(request.person.id, name=payload.name, email=email, now=now)
    person = services.people.set_preferences(request.person.id, language=language, timezone=fields.timezone, now=now)
    nudge = fields.nudge_choice()
    nudge_changed = nudge_choice.save_nudge(services, request.person.id, nudge)
    wanted = fields.availability()
    availability_changed = change_availability(services.db, request.person.id, wanted, now=now, by=request.person.id)
    # Answer in the language just chosen, so the person sees at once that it worked; the pressed form is
    # refreshed so it no longer shows an error from an earlier attempt.
    chosen = person.preferred_language if person.preferred_language in LANGUAGES else None
    t = translator(language_of(chosen, default=request.teams_language or request.language))
    timezone = zone_label(person.preferred_timezone or request.teams_timezone or request.timezone, t.language)
    saved_form = _form_as_stored(person, request, services, _nudge_section(request, services, t=t), t.language)
    saved = [t("settings.saved", language=t(f"language.name.{t.language}"), timezone=timezone)]
    saved += _corrected(person, corrected, t)
    if nudge_changed:
        at = nudge.at.strftime("%H:%M")
        saved.append(t("settings.nudge.saved_on", at=at) if nudge.enabled else t("settings.nudge.saved_off"))
    if availability_changed:
        saved.append(availability_said(wanted, t))
    return Reply(texts=[" ".join(saved)], replace_card=build_settings_card(saved_form, t))


def _language_to_store(language: str, request: Request) -> str | None:
    """The form's choice as stored: a language, or None to follow Teams. "As in Teams" keeps an earlier "no" to the
    offer to keep the language typed (AUTO), so saving the form for the time zone does not bring the offer back."""
    if language != AUTO:
        return language
    return AUTO if request.person.preferred_language == AUTO else None


def _corrected(person: Person, corrected: Collection[str], t: Translator) -> list[str]:
    """What the answer says of a corrected name and contact address."""
    said = []
    if "name" in corrected:
        said.append(t("settings.name.saved", name=person.name))
    if "email" in corrected:
        contact = person.contact_email
        said.append(t("settings.email.saved", email=contact) if contact else t("settings.email.removed"))
    return said


def availability_said(availability: Availability | None, t: Translator) -> str:
    """'Je beschikbaarheid is nu 30,4 u per week over ma, di, wo, do.', or that it is unknown again."""
    if availability is None:
        return t("settings.availability.removed")
    hours = minutes_text(availability.minutes_per_week, t)
    return t("settings.availability.saved", hours=hours, days=working_days_text(availability.working_days, t.language))
