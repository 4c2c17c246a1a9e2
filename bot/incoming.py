"""An incoming activity's JSON read into botbuilder's Activity exactly as msrest reads it, for a fraction of the work.

`Activity().deserialize(body)` builds a Deserializer for every call (collecting each class of botbuilder.schema), then
for each of the activity's 42 attributes copies its description, runs two key extractors and dispatches on the type
name: about 7.7 % of a help turn's CPU (bench/help_turns.py with py-spy). Here each model class's attribute map is
read once (kept per class) and the JSON is walked key by key, with msrest's rules: keys matched exactly (so Teams'
`conversation.tenantId`, which is not ConversationAccount's `tenantID`, ends up in additional_properties as with
msrest), keys a class does not know kept in its additional_properties, `object` values copied as they are, ISO 8601
instants parsed to the same aware datetimes (isodate's time zones, fractions cut to microseconds), read-only
attributes set after construction. Anything msrest would have to interpret (a number where a string belongs, a
string where an object belongs, a date written another way, a polymorphic or flattened model) goes through msrest
itself, which builds it or raises; tests/test_incoming.py holds both to the same result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botbuilder.schema import Activity
from isodate.tzinfo import UTC, FixedOffset  # type: ignore[import-untyped]  # msrest's own date parser brings it
from msrest.serialization import Model


def read_activity(body: Any) -> Activity:
    """What `Activity().deserialize(body)` returns, and what it raises for a body it cannot read."""
    try:
        return _read_model(Activity, body)
    except _Unusual:
        return Activity().deserialize(body)


class _Unusual(Exception):
    """Something msrest interprets by rules of its own (a conversion, a subtype, a flattened key): let it do so."""


Reader = Callable[[Any], Any]


@dataclass(frozen=True)
class _Layout:
    """How msrest reads one model class: its JSON keys, what it passes to the constructor, what it sets after."""

    readers: dict[str, tuple[str, Reader]]  # JSON key -> (attribute, reader of a value that is not None)
    absent: dict[str, None]  # every attribute, None: msrest passes them all, present or not
    after_construction: tuple[str, ...]  # read-only attributes, set on the built model
    withheld: frozenset[str]  # read-only and constant attributes, never passed to the constructor
    collects_extra: bool  # unknown keys go to additional_properties


_LAYOUTS: dict[type[Any], _Layout | None] = {}
# The names msrest resolves attribute types with: the classes of Activity's package (Model._infer_class_models).
_SCHEMA: dict[str, type[Any]] = Activity._infer_class_models()


def _read_model(model_class: type[Any], data: Any) -> Any:
    if type(data) is not dict:
        raise _Unusual(model_class.__name__)  # msrest fails on it, or parses it when it is JSON text
    layout = _layout(model_class)
    values: dict[str, Any] = dict(layout.absent)
    extra: dict[str, Any] = {}
    for key, value in data.items():
        known = layout.readers.get(key)
        if known is None:
            extra[key] = value  # the JSON value itself, not a copy, as msrest keeps it
        elif value is not None:
            attribute, read = known
            values[attribute] = read(value)
    model = _construct(model_class, layout, values)
    if extra and layout.collects_extra:
        model.additional_properties = extra
    return model


def _construct(model_class: type[Any], layout: _Layout, values: dict[str, Any]) -> Any:
    if not layout.withheld:
        return model_class(**values)
    model = model_class(**{name: value for name, value in values.items() if name not in layout.withheld})
    for attribute in layout.after_construction:
        setattr(model, attribute, values[attribute])
    return model


def _layout(model_class: type[Any]) -> _Layout:
    if model_class not in _LAYOUTS:
        try:
            _LAYOUTS[model_class] = _read_layout(model_class)
        except _Unusual:
            _LAYOUTS[model_class] = None
    known = _LAYOUTS[model_class]
    if known is None:
        raise _Unusual(model_class.__name__)
    return known


def _read_layout(model_class: type[Any]) -> _Layout:
    if getattr(model_class, "_subtype_map", None):
        raise _Unusual("polymorphic")  # msrest picks the subclass from the data
    attribute_map: dict[str, dict[str, Any]] = getattr(model_class, "_attribute_map")  # noqa: B009 (msrest is untyped)
    validation: dict[str, dict[str, Any]] = getattr(model_class, "_validation", {})
    readers: dict[str, tuple[str, Reader]] = {}
    collects_extra = True
    for attribute, description in attribute_map.items():
        key = description["key"]
        if attribute == "additional_properties":
            if key == "":
                continue  # the slot for unknown keys, not an attribute read from the JSON
            collects_extra = False  # a real attribute of that name: msrest keeps no unknown keys then
        if not key or "." in key or key in readers:
            raise _Unusual(key)  # flattened (or escaped) keys, or two attributes reading one key
        readers[key] = (attribute, _reader(description["type"]))
    readonly = tuple(name for name, rules in validation.items() if rules.get("readonly"))
    constant = frozenset(name for name, rules in validation.items() if rules.get("constant"))
    return _Layout(
        readers=readers,
        absent={attribute: None for attribute, _ in readers.values()},
        after_construction=readonly,
        withheld=frozenset(readonly) | constant,
        collects_extra=collects_extra,
    )


def _reader(kind: str) -> Reader:
    basic = _BASIC_READERS.get(kind)
    if basic is not None:
        return basic
    if kind.startswith("[") and kind.endswith("]"):
        return _list_reader(_reader(kind[1:-1]))
    if kind.startswith("{") and kind.endswith("}"):
        return _dict_reader(_reader(kind[1:-1]))
    model_class = _SCHEMA.get(kind)
    if model_class is None or not issubclass(model_class, Model):
        return _unusual_reader(kind)  # enums, dates of other formats, unknown names: msrest's rules
    return lambda value: _read_model(model_class, value)


def _unusual_reader(kind: str) -> Reader:
    def read(value: Any) -> Any:
        raise _Unusual(kind)

    return read


def _list_reader(read_item: Reader) -> Reader:
    def read(value: Any) -> Any:
        if type(value) is not list:
            raise _Unusual("list")
        return [None if item is None else read_item(item) for item in value]

    return read


def _dict_reader(read_item: Reader) -> Reader:
    def read(value: Any) -> Any:
        if type(value) is not dict:
            raise _Unusual("dict")  # msrest also reads a list of {"key", "value"} pairs
        return {key: None if item is None else read_item(item) for key, item in value.items()}

    return read


def _exactly(kind: type) -> Reader:
    """A value already of the type msrest converts to (which then returns it unchanged); others are msrest's."""

    def read(value: Any) -> Any:
        if type(value) is not kind:
            raise _Unusual(kind.__name__)  # msrest converts: 12 -> "12", "true" -> True, ...
        return value

    return read


def _read_float(value: Any) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    raise _Unusual("float")


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _read_object(value: Any) -> Any:
    """msrest's deserialize_object on JSON: a copy of lists and dicts, the scalars themselves."""
    kind = type(value)
    if kind is dict:
        return {key: _read_object(item) for key, item in value.items()}
    if kind is list:
        return [_read_object(item) for item in value]
    if kind in _JSON_SCALARS:
        return value
    raise _Unusual(kind.__name__)


# What Teams writes (2026-11-28T16:46:35.760Z, 2026-11-28T17:46:35.7604213+01:00); msrest also takes lower case,
# no zone, no fraction digits and other ISO 8601 forms, each by its own rules.
_INSTANT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|([+-])([0-9]{2}):([0-9]{2}))"
)


def _read_instant(value: Any) -> datetime:
    """msrest's deserialize_iso: isodate's UTC for Z, its FixedOffset (named as written) for an offset, the
    fraction cut (not rounded) to microseconds."""
    match = _INSTANT.fullmatch(value) if type(value) is str else None
    if match is None:
        raise _Unusual("iso-8601")
    year, month, day, hour, minute, second, fraction, zone, sign, zone_hours, zone_minutes = match.groups()
    if zone == "Z":
        zone_info = UTC
    else:
        direction = -1 if sign == "-" else 1
        zone_info = FixedOffset(direction * int(zone_hours), direction * int(zone_minutes), zone)
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0
    try:
        instant = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond, zone_info)
        instant.utctimetuple()  # msrest's check: an offset of a day or more, or a year outside 1-9999 in UTC, raises
    except (ValueError, OverflowError) as error:
        raise _Unusual("iso-8601") from error  # msrest raises its own error for these
    return instant


_BASIC_READERS: dict[str, Reader] = {
    "str": _exactly(str),
    "bool": _exactly(bool),
    "int": _exactly(int),
    "float": _read_float,
    "object": _read_object,
    "iso-8601": _read_instant,
}
