"""What card data may hold at all, whatever the verb: the base of every card payload model, the id and date types,
and the check typed text shares. Card data is whatever the client sends (anyone can post any JSON to a verb), so
values the database or the calendar cannot take are refused here, with a field error, before a handler runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from dialogs.values import FIRST_YEAR, ID_MAX, LAST_YEAR, sane

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


# A row id from card data: positive, and within the database's integer.
Id = Annotated[int, Field(gt=0, le=ID_MAX)]
# A calendar day from card data.
Day = Annotated[date, AfterValidator(_in_range)]


class Payload(BaseModel):
    """The base of every card verb's payload model (a test walks the registry for it): no text field holds
    unreadable characters or more than CARD_TEXT_MAX characters, and no number leaves the database's range."""

    model_config = ConfigDict(str_max_length=CARD_TEXT_MAX)

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
    """Marks a payload's free-text field with the column its text is stored in: the column's length is the field's
    limit, which the form states (maxLength), length_errors() checks with a message naming it, and a test compares
    with the database on SQLite (which does not enforce VARCHAR lengths) and PostgreSQL (which raises)."""

    table: type[Any]
    column: str
    # A form may allow less than its column holds (a status report's texts: 2000 of 4000), never more.
    most: int | None = None

    @property
    def column_length(self) -> int:
        length = self.table.__table__.c[self.column].type.length
        assert isinstance(length, int), f"{self.table.__name__}.{self.column} has no length"
        return length

    @property
    def limit(self) -> int:
        return min(self.most, self.column_length) if self.most is not None else self.column_length


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
