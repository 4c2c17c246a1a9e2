"""The list cards read by models: each field read, or refused with the message to show under it (a lists.* catalog
key as the error's type, which cards.payloads.field_errors translates). Whether the government to change exists is
looked up by the handler and comes in the validation context ({"current_known": bool}); whether a name is taken is
the repository's answer when it saves."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cards.lists import AUTO_KIND, GOVERNMENT_KINDS
from cards.values import parse_id
from storage.lists import DOMAIN_NAME_MAX, GOVERNMENT_NAME_MAX


def _name(value: Any, limit: int) -> str:
    name = str(value or "").strip()
    if len(name) > limit:
        raise PydanticCustomError("lists.name.too_long", "too long", {"limit": limit})
    return name


class DomainFields(BaseModel):
    """The domains card, read. The Dutch name is read last: whether it may be empty depends on the rest (adding
    needs it; renaming needs one of the two names)."""

    model_config = ConfigDict(frozen=True)

    operation: Literal["add", "rename"]
    domain: int | None  # the domain to rename
    name_en: str
    name_nl: str

    @property
    def renaming(self) -> bool:
        return self.operation == "rename"

    @field_validator("domain", mode="before")
    @classmethod
    def _domain(cls, value: Any, info: ValidationInfo) -> int | None:
        domain = parse_id(value)
        if domain is None and info.data.get("operation") == "rename":
            raise PydanticCustomError("lists.domains.which.missing", "which domain?")
        return domain

    @field_validator("name_en", mode="before")
    @classmethod
    def _name_en(cls, value: Any) -> str:
        return _name(value, DOMAIN_NAME_MAX)

    @field_validator("name_nl", mode="before")
    @classmethod
    def _name_nl(cls, value: Any, info: ValidationInfo) -> str:
        name = _name(value, DOMAIN_NAME_MAX)
        # The English name read and empty (a refused one was not empty: it was too long).
        neither = info.data.get("name_en") == ""
        if not name and (info.data.get("operation") == "add" or neither):
            raise PydanticCustomError("lists.name.missing", "a name")
        return name


class GovernmentFields(BaseModel):
    """The local governments card, read: the government to change (when changing), its kind, its (new) name."""

    model_config = ConfigDict(frozen=True)

    operation: Literal["add", "change"]
    current: str
    kind: str  # AUTO_KIND or one of GOVERNMENT_KINDS
    name: str

    @property
    def changing(self) -> bool:
        return self.operation == "change"

    @field_validator("current", mode="before")
    @classmethod
    def _current(cls, value: Any, info: ValidationInfo) -> str:
        current = str(value or "").strip()
        if info.data.get("operation") != "change":
            return current
        if not current:
            raise PydanticCustomError("lists.governments.current.missing", "which government?")
        if not (info.context or {}).get("current_known"):
            raise PydanticCustomError("lists.governments.current.unknown", "unknown", {"name": current[:80]})
        return current

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if value not in (AUTO_KIND, *GOVERNMENT_KINDS):
            raise PydanticCustomError("lists.governments.kind.invalid", "a kind")
        return str(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any, info: ValidationInfo) -> str:
        name = _name(value, GOVERNMENT_NAME_MAX)
        if name:
            return name
        if info.data.get("operation") == "add":
            raise PydanticCustomError("lists.name.missing", "a name")
        if "current" in info.data and info.data.get("kind") == AUTO_KIND:  # a known government, nothing asked
            raise PydanticCustomError("lists.governments.nothing_to_change", "a name or a kind")
        return name
