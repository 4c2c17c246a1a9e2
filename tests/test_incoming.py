"""bot/incoming.py reads an activity's JSON into the very Activity msrest builds, or fails as msrest fails."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.serialization import Model

from bot.incoming import _read_model, _Unusual, read_activity
from tests.harness.activities import ActivityFactory, Conversation, TeamsUser

# The repository's copy of ../shared/fixtures/agents-playground (the same files), so a fresh clone runs this too.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "agents-playground"
TENANT = "5f2b6c1e-3d4a-4b8c-9e7f-0a1b2c3d4e5f"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
ALEX = TeamsUser.named("Alex Wilber", locale="en-US", timezone="America/New_York")
TEAM = Conversation.channel(channel_name="General", reply_chain_id="1700000000001")


def msrest(body: Any) -> Any:
    return Activity().deserialize(body)


def outcome(read: Callable[[Any], Any], body: Any) -> Any:
    """What reading gives: the activity, or the error's type and message."""
    try:
        return read(body)
    except Exception as error:
        return (type(error), str(error))


def assert_same(ours: Any, theirs: Any, path: str = "activity") -> None:
    """Equal, of the same types all the way down (a datetime is no str, a copy of a dict no other kind of map),
    with time zones that say the same (isodate's have no equality of their own)."""
    assert type(ours) is type(theirs), f"{path}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(theirs, Model):
        assert vars(ours).keys() == vars(theirs).keys(), path
        for name, value in vars(theirs).items():
            assert_same(vars(ours)[name], value, f"{path}.{name}")
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), path
        for key, value in theirs.items():
            assert_same(ours[key], value, f"{path}[{key!r}]")
    elif isinstance(theirs, list | tuple):
        assert len(ours) == len(theirs), path
        for index, (mine, value) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, value, f"{path}[{index}]")
    elif isinstance(theirs, datetime):
        assert ours == theirs, path
        assert type(ours.tzinfo) is type(theirs.tzinfo), path
        assert ours.utcoffset() == theirs.utcoffset(), path
        assert ours.tzname() == theirs.tzname(), path
    else:
        assert ours == theirs, path


def assert_reads_like_msrest(body: Any) -> None:
    theirs = outcome(msrest, copy.deepcopy(body))
    ours = outcome(read_activity, body)
    assert_same(ours, theirs)
    if isinstance(theirs, Model):
        assert ours.serialize(keep_readonly=True) == theirs.serialize(keep_readonly=True)


@pytest.fixture
def without_msrest(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reading must not hand these to msrest: otherwise the comparison would hold trivially."""

    monkeypatch.setattr(Activity, "deserialize", _refuse)
    yield


def read_without_msrest(body: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = msrest(copy.deepcopy(body))
    with monkeypatch.context() as patch:
        patch.setattr(Activity, "deserialize", _refuse)
        ours = read_activity(body)
    assert_same(ours, theirs)
    assert ours.serialize(keep_readonly=True) == theirs.serialize(keep_readonly=True)


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("read_activity fell back to msrest")


# What clients send ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.json")))
def test_the_playgrounds_captures_read_like_msrest(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    read_without_msrest(json.loads((FIXTURES / name).read_text()), monkeypatch)


def test_there_are_captures_to_compare() -> None:
    assert len(list(FIXTURES.glob("*.json"))) >= 7


def _factory_activities() -> dict[str, Callable[[ActivityFactory], dict[str, Any]]]:
    return {
        "message": lambda f: f.message(ALEX, "help"),
        "message in a channel, mentioning the bot": lambda f: f.message(ALEX, "status", TEAM, mention_bot=True),
        "message in a group chat": lambda f: f.message(ALEX, "help", Conversation.group_chat(name="Planning")),
        "card submit": lambda f: f.card_submit(ALEX, {"hours": "7,5", "verb": "timelog.save", "nested": {"a": [1]}}),
        "Action.Execute": lambda f: f.invoke_action(ALEX, "status.report", {"project": 12, "flags": [True, None]}),
        "file consent": lambda f: _file_consent(f),
        "message extension query": lambda f: f.invoke(ALEX, "composeExtension/query", {"parameters": []}),
        "meeting start": lambda f: f.event(
            ALEX, "application/vnd.microsoft.meetingStart", {"Id": "m1", "StartTime": "2026-12-04T09:00:00Z"}
        ),
        "install in a personal chat": lambda f: f.install(ALEX),
        "install in a channel": lambda f: f.install(ALEX, TEAM),
        "uninstall": lambda f: f.uninstall(ALEX),
        "members added, personal": lambda f: f.members_added(ALEX),
        "members added, channel": lambda f: f.members_added(ALEX, TEAM),
        "person joined": lambda f: f.members_added(ALEX, TEAM, bot=False),
        "members removed": lambda f: f.members_removed(ALEX, TEAM),
    }


def _file_consent(factory: ActivityFactory) -> dict[str, Any]:
    activity = factory.invoke(ALEX, "fileConsent/invoke")
    activity["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": {"file": "hours.xlsx", "token": "abc"},
        "uploadInfo": {
            "contentUrl": "https://contoso.sharepoint.com/personal/alex/Documents/Applications/hours.xlsx",
            "name": "hours.xlsx",
            "uploadUrl": "https://contoso.sharepoint.com/upload/hours.xlsx",
            "uniqueId": "1A2B3C",
            "fileType": "xlsx",
        },
    }
    return activity


@pytest.mark.parametrize("case", sorted(_factory_activities()))
def test_the_harness_activities_read_like_msrest(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = ActivityFactory(SERVICE_URL, TENANT)
    read_without_msrest(_factory_activities()[case](factory), monkeypatch)


def test_teams_tenant_id_lands_where_msrest_puts_it(without_msrest: None) -> None:
    """ConversationAccount maps tenant_id to "tenantID": Teams' "tenantId" is an additional property."""
    activity = read_activity(ActivityFactory(SERVICE_URL, TENANT).message(ALEX, "help"))

    assert activity.conversation.tenant_id is None
    assert activity.conversation.additional_properties == {"tenantId": TENANT}
    assert activity.additional_properties == {}


# Odd but readable -------------------------------------------------------------------------------------------------


def _message() -> dict[str, Any]:
    return ActivityFactory(SERVICE_URL, TENANT).message(ALEX, "help", TEAM, mention_bot=True)


@pytest.mark.parametrize(
    "timestamp",
    [
        "2026-12-04T09:15:02.1234567Z",  # Teams' seven digits, cut (not rounded) to six
        "2026-12-04T09:15:02.9999999Z",
        "2026-12-04T10:15:02.7604213+01:00",
        "2026-12-04T04:15:02.5-05:00",
        "2026-12-04T14:45:02+05:30",
        "2026-12-04T09:15:02.000+00:00",
        "2026-12-04T09:15:02-00:00",
        "2026-12-04T09:15:02+01:75",  # isodate takes minutes past 59 as they are
        "2026-12-04T09:15:02.123456789012Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
    ],
)
def test_instants_read_like_msrest_without_it(timestamp: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = _message()
    body["timestamp"] = body["localTimestamp"] = body["expiration"] = timestamp
    read_without_msrest(body, monkeypatch)


@pytest.mark.parametrize(
    "timestamp",
    [
        "2026-12-04t09:15:02z",  # msrest upper-cases
        "2026-12-04T09:15:02",  # no zone: naive
        "2026-12-04T09:15:02.Z",
        "2026-12-04T09:15:02+0100",
        "2026-12-04T09:15:02,5Z",
        "2026-12-04 09:15:02Z",
        "2026-02-30T09:15:02Z",  # no such day: msrest raises
        "2026-12-04T24:00:00Z",
        "2026-12-04T09:15:02+24:00",  # an offset datetime refuses
        "0001-01-01T00:30:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:30:00-01:00",
        "yesterday",
        "",
        1733303702,
        ["2026-12-04T09:15:02Z"],
    ],
)
def test_other_instants_are_msrests_to_read_or_refuse(timestamp: Any) -> None:
    body = _message()
    body["timestamp"] = timestamp
    assert_reads_like_msrest(body)


def test_unknown_keys_are_kept_as_msrest_keeps_them(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _message()
    body["somethingNew"] = {"nested": [1, 2, {"deep": None}]}
    body["from"]["userRole"] = "user"
    body["recipient"]["extra"] = [None]
    body["entities"][0]["mentioned"]["surprise"] = True
    body["conversation"]["tenantID"] = "spelled-as-msrest-maps-it"
    read_without_msrest(body, monkeypatch)


def test_nulls_read_like_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _message()
    body.update(text=None, channelData=None, value=None, entities=[None, {"type": None}], membersAdded=None)
    body["from"]["name"] = None
    body["conversation"] = {"id": "a:1", "isGroup": None, "properties": None}
    body["nothingKnown"] = None
    read_without_msrest(body, monkeypatch)


def test_every_kind_of_attribute_reads_like_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _message()
    body.update(
        channelData={"tenant": {"id": TENANT}, "team": {"id": "19:t", "deep": [{"a": [[1.5, -2, False]]}]}},
        value={"action": {"data": {"verb": "x", "ids": [1, 2]}}, "trigger": "manual"},
        attachments=[
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": {"type": "AdaptiveCard"}},
            None,
        ],
        suggestedActions={"to": ["29:1", None], "actions": [{"type": "imBack", "title": "Yes", "value": "yes"}]},
        semanticAction={"id": "s", "state": "start", "entities": {"e": {"type": "thing", "x": 1}, "n": None}},
        textHighlights=[{"text": "help", "occurrence": 1}],
        relatesTo={"activityId": "1", "user": {"id": "29:1"}, "conversation": {"id": "a:1"}, "channelId": "msteams"},
        reactionsAdded=[{"type": "like"}],
        membersAdded=[{"id": "29:1", "properties": {"x": 1}}],
        listenFor=["yes", "no"],
        historyDisclosed=False,
        deliveryMode="expectReplies",
    )
    read_without_msrest(body, monkeypatch)


def test_channel_data_and_value_are_copies_as_with_msrest(without_msrest: None) -> None:
    body = _message()
    activity = read_activity(body)

    assert activity.channel_data == body["channelData"]
    assert activity.channel_data is not body["channelData"]
    assert activity.channel_data["tenant"] is not body["channelData"]["tenant"]


# What msrest converts or refuses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"from": "29:1-a-string-where-an-account-belongs"},
        {"from": ["29:1"]},
        {"conversation": 12},
        {"entities": {"type": "clientInfo"}},
        {"entities": ["clientInfo"]},
        {"membersAdded": "29:1"},
        {"id": 12},  # msrest makes it "12"
        {"text": {"a": 1}},
        {"text": True},
        {"historyDisclosed": "true"},
        {"historyDisclosed": 1},
        {"textHighlights": [{"text": "a", "occurrence": "2"}]},
        {"textHighlights": [{"text": "a", "occurrence": 2.0}]},
        {"textHighlights": [{"text": "a", "occurrence": True}]},  # msrest makes it 1
        {"semanticAction": {"entities": [{"key": "e", "value": {"type": "t"}}]}},
        {"suggestedActions": {"to": "29:1"}},
    ],
)
def test_what_msrest_converts_or_refuses_comes_from_msrest(change: dict[str, Any]) -> None:
    body = _message()
    body.update(change)
    assert_reads_like_msrest(body)


@pytest.mark.parametrize("body", [None, [], "not json", '{"type": "message", "text": "json text"}', 12])
def test_a_body_that_is_no_object_is_msrests(body: Any) -> None:
    assert_reads_like_msrest(body)


# Anything else ----------------------------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def _instants(draw: st.DrawFn) -> str:
    instant = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    offset = draw(st.integers(min_value=-14 * 60, max_value=14 * 60))
    local = instant.replace(tzinfo=UTC) + timedelta(minutes=offset)
    digits = draw(st.integers(min_value=0, max_value=9))
    fraction = "." + (f"{local.microsecond:06d}" + "7" * 3)[:digits] if digits else ""
    sign, minutes = ("-" if offset < 0 else "+"), abs(offset)
    zone = draw(st.sampled_from(["Z", f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"]))
    return local.replace(tzinfo=None).isoformat(timespec="seconds") + fraction + zone


def _mostly(typed: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a value of the msrest type, else any JSON (which msrest converts or refuses)."""
    return st.integers(min_value=0, max_value=9).flatmap(lambda draw: _json if draw == 0 else typed)


def _value_of(kind: str) -> st.SearchStrategy[Any]:
    if kind.startswith("["):
        return _mostly(st.lists(_value_of(kind[1:-1]) | st.none(), max_size=3))
    if kind.startswith("{"):
        return _mostly(st.dictionaries(st.text(max_size=4), _value_of(kind[1:-1]) | st.none(), max_size=2))
    typed: dict[str, st.SearchStrategy[Any]] = {
        "str": st.text(max_size=8),
        "bool": st.booleans(),
        "int": st.integers(),
        "float": st.floats(allow_nan=False),
        "object": _json,
        "iso-8601": _instants(),
    }
    return _mostly(typed[kind] if kind in typed else st.deferred(lambda: _model_json(kind)))


def _model_json(name: str) -> st.SearchStrategy[dict[str, Any]]:
    model_class = Activity._infer_class_models()[name]
    fields = {description["key"]: _value_of(description["type"]) for description in model_class._attribute_map.values()}
    return st.fixed_dictionaries({}, optional={**fields, "unknownKey": _json})


@settings(max_examples=300, deadline=None)
@given(body=_model_json("Activity"))
def test_any_activity_shaped_json_reads_like_msrest(body: dict[str, Any]) -> None:
    assert_reads_like_msrest(body)


# Rules botbuilder's schema does not use today, kept as msrest has them ----------------------------------------------


class _Receipt(Model):  # type: ignore[misc]
    _validation: ClassVar[dict[str, Any]] = {"number": {"readonly": True}, "kind": {"constant": True}}
    _attribute_map: ClassVar[dict[str, Any]] = {
        "number": {"key": "number", "type": "int"},
        "kind": {"key": "kind", "type": "str"},
        "note": {"key": "note", "type": "str"},
        "additional_properties": {"key": "additionalProperties", "type": "{object}"},
    }
    kind = "receipt"

    def __init__(self, *, note: str | None = None, additional_properties: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.number = None
        self.note = note
        self.additional_properties = additional_properties


class _Flattened(Model):  # type: ignore[misc]
    _attribute_map: ClassVar[dict[str, Any]] = {"name": {"key": "properties.name", "type": "str"}}


class _Polymorphic(Model):  # type: ignore[misc]
    _attribute_map: ClassVar[dict[str, Any]] = {"kind": {"key": "kind", "type": "str"}}
    _subtype_map: ClassVar[dict[str, Any]] = {"kind": {"special": "_Special"}}


@pytest.mark.parametrize(
    "data",
    [
        {"number": 7, "kind": "other", "note": "n", "unknown": 1},
        {"note": "n", "additionalProperties": {"a": [1]}},
        {},
    ],
)
def test_read_only_constant_and_real_additional_properties_read_like_msrest(data: dict[str, Any]) -> None:
    assert_same(_read_model(_Receipt, data), _Receipt.deserialize(copy.deepcopy(data)))


@pytest.mark.parametrize("model_class", [_Flattened, _Polymorphic])
def test_flattened_and_polymorphic_models_are_left_to_msrest(model_class: type[Any]) -> None:
    with pytest.raises(_Unusual):
        _read_model(model_class, {"kind": "special", "properties": {"name": "x"}})
