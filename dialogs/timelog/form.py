"""The log form's Save (a new entry, or an edit of one): read by a form model whose validators say what is wrong
with each field in the reader's language, the project looked up by its code, the entry's rules checked, and the
form shown again, as typed, with an error under each field that needs the person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from cards.i18n import Translator
from cards.payloads import field_errors, length_errors, read_required
from cards.timelog import CATEGORIES, FORM_FIELDS, KINDS, NOTE_MAX, SavePayload, build_time_form_card
from cards.values import parse_date
from dialogs.kernel.owned import KEY_MAX, not_yours, submission_key
from dialogs.kernel.timeparse import Kind, parse_duration
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import Reply, Request, Services, Stop
from dialogs.kernel.who import me
from dialogs.timelog.burn_warning import check_burn
from dialogs.timelog.declaration import capability
from dialogs.timelog.entries import (
    DAY_LIMIT_MINUTES,
    Draft,
    blank_form,
    confirmation,
    day_full,
    ensure_own_entry,
    load_after,
    refusal_of,
    store,
    time_form,
)
from domain.time import EntryFacts
from storage.projects import ProjectRepository
from storage.time_entries import TimeEntryRepository


class TimeEntryForm(BaseModel):
    """What the form's date, duration, kind, activity and note say, each read or refused with the message to show
    under it (a catalog key as the error's type, see _errors). The project needs the database: _read looks it up."""

    model_config = ConfigDict(frozen=True)

    day: date = Field(validation_alias="date")
    minutes: int = Field(validation_alias="duration")
    kind: Kind
    category: str
    note: str

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, value: Any) -> date:
        return read_required(value, parse_date, missing="time.date.missing", invalid="time.date.invalid")

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> int:
        return read_required(
            value,
            lambda typed: parse_duration("".join(typed.split())),
            missing="time.duration.missing",
            invalid="time.duration.invalid",
        )

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if value not in KINDS:
            raise PydanticCustomError("time.kind.invalid", "worked or planned")
        return str(value)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise PydanticCustomError("time.activity.missing", "an activity")
        return value

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return value.strip()[:NOTE_MAX]  # a longer note is refused beside the field first (length_errors)


def _errors(invalid: ValidationError, t: Translator) -> dict[str, str]:
    """Per field, in the reader's language: this form's own messages (time.* catalog keys) and the generic ones."""
    own = {
        str(error["loc"][0]): t(error["type"], **dict(error.get("ctx") or {}))
        for error in invalid.errors()
        if error["type"].startswith("time.") and error["loc"]
    }
    return {**field_errors(invalid, t), **own}


def _typed(payload: SavePayload) -> dict[str, str]:
    return {name: str(getattr(payload, name)) for name in FORM_FIELDS}


def _again(request: Request, services: Services, payload: SavePayload, form_id: str, errors: dict[str, str]) -> Stop:
    """The form again, as typed, with the errors under their fields (for the handler to raise)."""
    who = me(request, services)
    form = time_form(services, who, values=_typed(payload), errors=errors, form_id=form_id, entry_id=payload.entry_id)
    return Stop(Reply(replace_card=build_time_form_card(form, request.t)))


def _read(request: Request, services: Services, payload: SavePayload, form_id: str) -> Draft:
    """The entry the form describes, when every field reads and the entry's rules allow it; else raises Stop with
    the form again."""
    t = request.t
    errors: dict[str, str] = {}
    reference = payload.project.strip()
    project = ProjectRepository(services.db).by_code(payload.project) if reference else None
    if not reference:
        errors["project"] = t("time.project.missing")
    elif project is None:
        errors["project"] = t("time.project.unknown", reference=reference[:60])
    try:
        read: TimeEntryForm | None = TimeEntryForm.model_validate(payload.model_dump())
    except ValidationError as invalid:
        read = None
        errors.update(_errors(invalid, t))
    # Too long is said next to the field, never cut off silently.
    errors.update(length_errors(payload, t))
    if errors or project is None or read is None:
        raise _again(request, services, payload, form_id, errors)
    draft = Draft(project, read.day, read.minutes, read.kind, read.category, read.note)
    refused = refusal_of(draft, request, services, me(request, services))
    if refused is not None:
        raise _again(request, services, payload, form_id, {refused[0]: refused[1]})
    return draft


def _editing(request: Request, services: Services, entry_id: int | None) -> EntryFacts | None:
    """The entry the form edits (None: a new one); raises Stop when it is gone or someone else's."""
    if entry_id is None:
        return None
    editing = TimeEntryRepository(services.db).get(entry_id)
    if editing is None:
        raise Stop.saying(request.t("time.entry.gone"))
    ensure_own_entry(request, services, editing)
    return editing


def form_unreadable(request: Request, services: Services, invalid: ValidationError) -> Reply:
    """A form whose fields are not even of the right type: a fresh form rather than a guess."""
    return blank_form(request, services, "performed")


@capability.verb(SavePayload, on_invalid=form_unreadable)
def save_form(request: Request, services: Services, payload: SavePayload) -> Reply:
    """A personal card: in a channel only the person it was opened for saves it (anyone else is told whose it
    is); the double-submit key includes who submits, so no one is ever shown another's entry as "saved"."""
    t = request.t
    if (not_theirs := not_yours(request, services, payload.owner, "card.not_yours.time_form")) is not None:
        return not_theirs
    if payload.entry_id is None:
        saved = save_new(request, services, payload)
        texts = [] if saved.created else [t("time.already_saved")]
        card = confirmation(saved.entry, saved.day_minutes, t, load=load_after(services, saved.entry))
        return Reply(texts=texts, replace_card=card)
    who = me(request, services)
    form_id = payload.form_id[:KEY_MAX] or uuid.uuid4().hex
    entries = TimeEntryRepository(services.db)
    editing = _editing(request, services, payload.entry_id)
    if editing is None:  # not reached: an entry id that names no entry raised Stop
        return Reply.text(t("time.entry.gone"))
    draft = _read(request, services, payload, form_id)
    updated = entries.update(
        editing.id,
        who.id,
        project_id=draft.project.id,
        day=draft.day,
        minutes=draft.minutes,
        kind=draft.kind,
        category=draft.category,
        note=draft.note,
        now=services.clock.now(),
        max_day_minutes=DAY_LIMIT_MINUTES,
    )
    if updated is None:
        return Reply.text(t("time.entry.gone"))
    if updated.entry is None:
        raise _again(request, services, payload, form_id, {"duration": day_full(t, draft, updated.day_minutes)})
    today = today_for(request, services)
    for project_id in {editing.project_id, updated.entry.project_id}:
        check_burn(services, project_id, today=today)
    load = load_after(services, updated.entry)
    return Reply(replace_card=confirmation(updated.entry, updated.day_minutes, t, state="updated", load=load))


@dataclass(frozen=True)
class Saved:
    entry: EntryFacts
    day_minutes: int  # of this kind, this day, this person, with the entry
    created: bool  # False: the same person's same form was saved before (a double click, a retry)


def save_new(request: Request, services: Services, payload: SavePayload) -> Saved:
    """A new entry from the form, stored once per person and form (also the message action's dialog,
    from_message.py); raises Stop with the form again, as typed, when a field needs the person."""
    form_id = payload.form_id[:KEY_MAX] or uuid.uuid4().hex
    entries = TimeEntryRepository(services.db)
    request_key = submission_key(request, form_id, "form:")
    if request_key and (done := entries.by_request_key(request_key)) is not None:
        return Saved(done, entries.day_minutes(done.person_id, done.day, done.kind), created=False)
    draft = _read(request, services, payload, form_id)
    stored = store(request, services, me(request, services), draft, request_key)
    if stored.entry is None:
        raise _again(request, services, payload, form_id, {"duration": day_full(request.t, draft, stored.day_minutes)})
    return Saved(stored.entry, stored.day_minutes, stored.created)
