"""What card data may hold at all, whatever the verb: the base of every card payload model, the id and date types,
and the check typed text shares. Card data is whatever the client sends (anyone can post any JSON to a verb), so
values the database or the calendar cannot take are refused here, with a field error, before a handler runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from cards.i18n import Translator, catalog
from cards.values import FIRST_YEAR, ID_MAX, LAST_YEAR, sane

T = TypeVar("T")

# No field of any card is longer; each form states and checks its own, smaller limit next to the field.
CARD_TEXT_MAX = 20_000

UNREADABLE = "text_unreadable"
OUT_OF_RANGE = "number_out_of_range"
DATE_OUT_OF_RANGE = "date_out_of_range"


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored or shown, or None: a NUL character (PostgreSQL text refuses it) or a lone
    surrogate (it cannot be encoded as UTF-8, so neither stored nor sent back)."""
    if "\x00" in text:
        return "nul"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return None


def _in_range(day: date) -> date:
    if sane(day) is None:
        raise PydanticCustomError(
            DATE_OUT_OF_RANGE,
            "a date between {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return day


# A project reference a button carries or a person types (a code, or a name: names are at most 200 characters).
REFERENCE_MAX = 200
Reference = Annotated[str, Field(max_length=REFERENCE_MAX)]
# A row id from card data: positive, and within the database's integer.
Id = Annotated[int, Field(gt=0, le=ID_MAX)]
# A calendar day from card data.
Day = Annotated[date, AfterValidator(_in_range)]


class Payload(BaseModel):
    """The base of every card verb's payload model: the one contract of a verb, declared once next to the card that
    carries it. The card builder makes the button from it (`submit`/`execute` in cards/base.py check the button's
    data against its fields), the capability registers its handler with it, and the router validates what comes
    back with it. No text field holds unreadable characters or more than CARD_TEXT_MAX characters, and no number
    leaves the database's range."""

    # defer_build: each of the ~80 verbs' validators is built when its first card comes back, not all of them while
    # the server starts (≈ 30 ms of the start, bench/startup.py).
    model_config = ConfigDict(str_max_length=CARD_TEXT_MAX, defer_build=True)
    # The verb this payload travels with ("time.log"); every concrete contract sets it.
    VERB: ClassVar[str] = ""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and text_problem(value) is not None:
            raise PydanticCustomError(UNREADABLE, "text with characters that cannot be stored")
        if isinstance(value, int) and not isinstance(value, bool) and not -ID_MAX <= value <= ID_MAX:
            raise PydanticCustomError(OUT_OF_RANGE, "a number out of range")
        return value


@dataclass(frozen=True)
class Prose:
    """Marks a payload field as free text: any readable text is a legitimate value (a note, a name, a title)."""


@dataclass(frozen=True)
class StoredIn(Prose):
    """Marks a payload's free-text field with the column its text is stored in ("table.column") and the most the
    form allows: at most the column's length (a status report's texts allow 2000 of 4000), never more. The form
    states it (maxLength), length_errors() checks it with a message naming it, and tests/test_text_limits.py holds
    it against the database's column on SQLite (which does not enforce VARCHAR lengths) and PostgreSQL (which
    raises). Declared with numbers, not the table class: cards know nothing of storage."""

    column: str
    limit: int


def free_text_fields(model: type[BaseModel]) -> dict[str, Prose]:
    """The model's free-text fields, with where each is stored (StoredIn) when it goes to one column as typed."""
    return {
        name: marker
        for name, info in model.model_fields.items()
        for marker in info.metadata
        if isinstance(marker, Prose)
    }


def length_errors(payload: BaseModel, t: Callable[..., str]) -> dict[str, str]:
    """A field error for every free-text field longer than its column: the form comes back with the error next to
    the field, as typed, instead of the text being cut (silently) or the database refusing it (PostgreSQL)."""
    errors: dict[str, str] = {}
    for name, marker in free_text_fields(type(payload)).items():
        value = getattr(payload, name)
        if isinstance(marker, StoredIn) and isinstance(value, str) and len(value.strip()) > marker.limit:
            errors[name] = t("form.text.too_long", limit=marker.limit, length=len(value.strip()))
    return errors


def read_required(value: Any, parse: Callable[[str], T | None], *, missing: str, invalid: str) -> T:
    """A form field that must be filled in and readable, for a validator: refuses with the capability's own catalog
    keys (`missing`; `invalid` with what was typed as {value}), which field_errors translates."""
    typed = str(value).strip()
    if not typed:
        raise PydanticCustomError(missing, "required")
    parsed = parse(typed)
    if parsed is None:
        raise PydanticCustomError(invalid, "unreadable", {"value": typed[:20]})
    return parsed


def field_errors(invalid: ValidationError, t: Translator) -> dict[str, str]:
    """A form's refusal, field by field, in the reader's language. A validator refuses with a catalog key as the
    error's type (PydanticCustomError("project.date.invalid", "a date", {"value": typed})), translated with its
    context; a refusal of the whole form (a model validator) names its field in the context ("field"). Pydantic's
    own kinds get a generic message. The form comes back with each message under its field."""
    known = catalog(t.language)
    errors: dict[str, str] = {}
    for error in invalid.errors():
        kind, context = error["type"], dict(error.get("ctx") or {})
        name = str(error["loc"][0]) if error["loc"] else str(context.pop("field", ""))
        if kind in known:
            context.pop("field", None)
            message = t(kind, **context)
        elif kind == "missing":
            message = t("error.field_missing", field=name)
        elif kind == "string_too_long":
            message = t("form.text.too_long", limit=context.get("max_length", "?"), length="?")
        else:
            message = t("error.field_invalid", field=name)
        if name:
            errors.setdefault(name, message)
    return errors
