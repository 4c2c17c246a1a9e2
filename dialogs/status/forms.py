"""What the status forms say: each form's fields read into the values stored, or refused with the message shown
under the field (a catalog key as the error's type, its context as the values: see form_errors). Lookups that need
the database (a risk's owner by name) stay in the handler."""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cards.i18n import Translator
from cards.payloads import field_errors
from cards.status.reports import STATUS_TEXT_FIELDS, STATUS_TEXT_MAX
from cards.values import parse_date, whole_number
from dialogs.status import rules
from domain.status import DIMENSIONS, RAG_VALUES, RISK_STATES, WEEKDAYS

F = TypeVar("F", bound=BaseModel)

TEXT_MAX = 4000  # a milestone's description, a risk's mitigation, a decision, each part of a retrospective
TITLE_MAX = 200  # a milestone's or a risk's title, who decided
_OWN = ("status.", "milestone.", "risk.", "decision.", "retro.", "digest.")


def read(form: type[F], payload: BaseModel, t: Translator) -> tuple[F | None, dict[str, str]]:
    """The form's values read from a card's payload, or None and the message per field."""
    try:
        return form.model_validate(payload.model_dump()), {}
    except ValidationError as invalid:
        return None, form_errors(invalid, t)


def form_errors(invalid: ValidationError, t: Translator) -> dict[str, str]:
    """Per field, in the reader's language: the forms' own refusals (a refusal of the whole form names its field in
    its context), and pydantic's own kinds as cards.payloads.field_errors words them."""
    errors = field_errors(invalid, t)
    for error in invalid.errors():
        context = dict(error.get("ctx") or {})
        name = str(error["loc"][0]) if error["loc"] else str(context.pop("field", ""))
        if error["type"].startswith(_OWN) and name:
            errors[name] = t(error["type"], **context)
    return {name: message for name, message in errors.items() if name}


def _one_line_title(value: str, missing: str, too_long: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise PydanticCustomError(missing, "a title")
    if len(title) > TITLE_MAX:
        raise PydanticCustomError(too_long, "a shorter title")
    return title


def _clean(value: str) -> str:
    return value.strip()[:TEXT_MAX]  # a longer text is refused beside its field first (length_errors)


def _too_long(text: str, limit: int) -> str:
    if len(text) > limit:
        raise PydanticCustomError("status.text.too_long", "a shorter text", {"limit": limit})
    return text


class _Fields(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ReportFields(_Fields):
    """A status report: the three dimensions and the overall status (not green when a dimension is red), the
    summary and four other texts."""

    schedule: str
    budget: str
    scope: str
    overall: str  # after the dimensions: it is checked against them
    summary: str
    achievements: str
    next_steps: str
    decisions_needed: str
    blockers: str

    @field_validator("schedule", "budget", "scope", "overall")
    @classmethod
    def _rag(cls, value: str, info: ValidationInfo) -> str:
        rag = value.strip().lower()
        if rag not in RAG_VALUES:
            raise PydanticCustomError("status.rag.missing", "green, amber or red")
        if info.field_name == "overall" and rag == "green" and any(info.data.get(d) == "red" for d in DIMENSIONS):
            raise PydanticCustomError("status.overall.inconsistent", "not green while a dimension is red")
        return rag

    @field_validator(*STATUS_TEXT_FIELDS)
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        text = _too_long(value.strip(), STATUS_TEXT_MAX)
        if info.field_name == "summary" and not text:
            raise PydanticCustomError("status.summary.missing", "a summary")
        return text


class MilestoneFields(_Fields):
    title: str
    due_on: date = Field(validation_alias="due")
    description: str

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _one_line_title(value, "milestone.title.missing", "milestone.title.too_long")

    @field_validator("due_on", mode="before")
    @classmethod
    def _due(cls, value: Any) -> date:
        typed = str(value).strip()
        if not typed:
            raise PydanticCustomError("milestone.due.missing", "a due date")
        due = parse_date(typed)
        if due is None:
            raise PydanticCustomError("milestone.due.invalid", "a date", {"value": typed[:20]})
        return due

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return _clean(value)


class RiskFields(_Fields):
    """A risk; its owner is a name or an e-mail address the handler looks up."""

    title: str
    probability: int
    impact: int
    mitigation: str
    owner: str
    state: str

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _one_line_title(value, "risk.title.missing", "risk.title.too_long")

    @field_validator("probability", "impact", mode="before")
    @classmethod
    def _scale(cls, value: Any) -> int:
        number = whole_number(value)
        if number is None or not 1 <= number <= 5:
            raise PydanticCustomError("risk.scale.invalid", "1 to 5")
        return number

    @field_validator("mitigation")
    @classmethod
    def _mitigation(cls, value: str) -> str:
        return _clean(value)

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return value.strip()

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        if value not in RISK_STATES:
            raise PydanticCustomError("risk.state.invalid", "a risk's state")
        return value


class DecisionFields(_Fields):
    kind: Literal["decision", "scope_change"]
    decided_on: date = Field(validation_alias="date")
    text: str
    decided_by: str

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if value not in ("decision", "scope_change"):
            raise PydanticCustomError("decision.kind.invalid", "a decision or a scope change")
        return value

    @field_validator("decided_on", mode="before")
    @classmethod
    def _day(cls, value: Any) -> date:
        day = parse_date(value) if str(value).strip() else None
        if day is None:
            raise PydanticCustomError("decision.date.invalid", "a date")
        return day

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        text = value.strip()
        if not text:
            raise PydanticCustomError("decision.text.missing", "what was decided")
        return _too_long(text, TEXT_MAX)

    @field_validator("decided_by")
    @classmethod
    def _decided_by(cls, value: str) -> str:
        who = " ".join(value.split())
        if len(who) > TITLE_MAX:
            raise PydanticCustomError("decision.decided_by.too_long", "a shorter name")
        return who


class RetrospectiveFields(_Fields):
    """The three parts of a retrospective; at least one filled in."""

    went_well: str
    to_improve: str
    lessons: str

    @field_validator("went_well", "to_improve", "lessons")
    @classmethod
    def _text(cls, value: str) -> str:
        return _too_long(value.strip(), TEXT_MAX)

    @model_validator(mode="after")
    def _something(self) -> RetrospectiveFields:
        if not (self.went_well or self.to_improve or self.lessons):
            raise PydanticCustomError("retro.empty", "at least one part", {"field": "went_well"})
        return self


class DigestFields(_Fields):
    """When a manager's weekly digest comes, and after how many days without an update a project is stale."""

    enabled: Literal["true", "false"]
    weekday: str
    at_time: time
    stale_days: int

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value not in WEEKDAYS:
            raise PydanticCustomError("digest.settings.weekday.invalid", "a day of the week")
        return value

    @field_validator("at_time", mode="before")
    @classmethod
    def _at(cls, value: Any) -> time:
        at = rules.parse_hhmm(str(value))
        if at is None:
            raise PydanticCustomError(
                "digest.settings.time.invalid", "a time of day", {"value": str(value).strip()[:10]}
            )
        return at

    @field_validator("stale_days", mode="before")
    @classmethod
    def _stale_days(cls, value: Any) -> int:
        days = whole_number(value)
        if days is None or not 1 <= days <= 365:
            raise PydanticCustomError("digest.settings.stale_days.invalid", "1 to 365 days")
        return days
