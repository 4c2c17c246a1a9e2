"""Files: Teams file consent in a personal chat, signed download links elsewhere, and `my data` through both."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from bot.settings import Settings
from dialogs.file_links import LinkProblem, Ticket, check, sign
from storage.db import Database, create_db_engine
from storage.files import FileRepository, FileState
from storage.people import PersonRepository, PersonSeen
from storage.privacy import PrivacyRepository
from tests.harness import Conversation, FakeClock, FakeConnector, TeamsUser
from tests.harness.botdriver import BotDriver, TurnResult
from tests.harness.database import postgres_url
from tests.harness.uploads import FakeUploadServer

CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"
SECRET = "s" * 40
AN = TeamsUser.named("An Peeters", locale="nl-BE")
BOB = TeamsUser.named("Bob Smith", locale="en-US", timezone="Europe/London")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LINK = re.compile(r"\]\((?P<url>[^)]+/files/[^)]+)\)")


@pytest.fixture
async def uploads() -> AsyncIterator[FakeUploadServer]:
    async with FakeUploadServer() as server:
        yield server


def settings() -> Settings:
    return Settings(dev=True, database_url="sqlite://", default_locale="nl-BE", file_secret=SECRET)


@pytest.fixture
async def bot(db: Database, clock: FakeClock, connector: FakeConnector) -> AsyncIterator[BotDriver]:
    async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings()) as driver:
        yield driver


def consent_cards(result: TurnResult) -> list[dict[str, Any]]:
    return [a for activity in result.sent for a in activity.get("attachments") or [] if a["contentType"] == CONSENT]


def link_path(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return urlsplit(match["url"]).path


def consent_answer(
    bot: BotDriver, user: TeamsUser, action: str, card: dict[str, Any], upload_info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `fileConsent/invoke` Teams sends when the person presses Allow or Decline on a consent card."""
    activity = bot.activities.invoke_action(user, "unused")
    activity["name"] = "fileConsent/invoke"
    context = card["content"]["acceptContext" if action == "accept" else "declineContext"]
    activity["value"] = {"type": "fileUpload", "action": action, "context": context}
    if upload_info is not None:
        activity["value"]["uploadInfo"] = upload_info
    return activity


# The signed token (pure) ---------------------------------------------------------------------------------------

KEY = b"k" * 32


@given(
    file_id=st.integers(min_value=1, max_value=2**53),
    person_id=st.integers(min_value=1, max_value=2**53),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 365),
)
def test_a_token_round_trips_until_it_expires(file_id: int, person_id: int, minutes: int) -> None:
    expires = NOW + timedelta(minutes=minutes)
    token = sign(KEY, Ticket(file_id, person_id, expires))
    assert check(KEY, token, NOW) == check(KEY, token, expires - timedelta(seconds=1))
    ok = check(KEY, token, NOW)
    assert ok.problem is None and ok.ticket == Ticket(file_id, person_id, expires)
    assert check(KEY, token, expires).problem == LinkProblem.EXPIRED
    assert check(b"another key" * 3, token, NOW).problem == LinkProblem.FORGED


@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw-_x9."))
def test_any_changed_character_is_refused(position: int, replacement: str) -> None:
    token = sign(KEY, Ticket(7, 3, NOW + timedelta(minutes=15)))
    index = position % len(token)
    tampered = token[:index] + replacement + token[index + 1 :]
    if tampered == token:
        return
    assert check(KEY, tampered, NOW).problem in (LinkProblem.FORGED, LinkProblem.MALFORMED)


@given(st.text(max_size=300))
def test_garbage_is_never_accepted(garbage: str) -> None:
    assert check(KEY, garbage, NOW).ticket is None or check(KEY, garbage, NOW).problem is not None


def test_a_token_for_another_person_or_file_cannot_be_made_from_one() -> None:
    token = sign(KEY, Ticket(7, 3, NOW + timedelta(minutes=15)))
    payload, signature = token.split(".")
    other = sign(KEY, Ticket(7, 4, NOW + timedelta(minutes=15))).split(".")[0]
    assert check(KEY, f"{other}.{signature}", NOW).problem == LinkProblem.FORGED
    assert check(KEY, "", NOW).problem == LinkProblem.MALFORMED
    assert check(KEY, "a.b.c", NOW).problem == LinkProblem.MALFORMED
    assert check(KEY, payload + "." + "!!", NOW).problem in (LinkProblem.MALFORMED, LinkProblem.FORGED)
    with pytest.raises(ValueError):
        sign(b"", Ticket(1, 1, NOW))


# The table ------------------------------------------------------------------------------------------------------


def person_id(db: Database, name: str = "An") -> int:
    seen = PersonSeen(tenant_id="t", aad_object_id=f"aad-{name}", teams_user_id=f"29:{name}", name=name, locale=None,
                      timezone=None)  # fmt: skip
    person = PersonRepository(db).record_seen(seen, NOW)
    assert person.id is not None
    return person.id


def test_an_offer_is_claimed_once_and_only_by_its_owner(db: Database) -> None:
    files = FileRepository(db)
    an, bob = person_id(db, "An"), person_id(db, "Bob")
    row = files.store(
        owner_id=an, name="x.json", content_type="application/json", data=b"{}", state=FileState.OFFERED,
        now=NOW, ttl=timedelta(hours=24),
    )  # fmt: skip
    assert row.id is not None
    assert files.claim_upload(row.id, bob, now=NOW) is None
    assert files.claim_upload(row.id, an, now=NOW) is not None
    assert files.claim_upload(row.id, an, now=NOW) is None
    assert files.decline_to_link(row.id, an, now=NOW) is None
    files.uploaded(row.id, now=NOW)
    uploaded = files.get(row.id)
    assert uploaded is not None and uploaded.state == "uploaded" and uploaded.data == b""
    expired = files.store(
        owner_id=an, name="y.csv", content_type="text/csv", data=b"a", state=FileState.OFFERED,
        now=NOW - timedelta(days=2), ttl=timedelta(hours=24),
    )  # fmt: skip
    assert expired.id is not None
    assert files.claim_upload(expired.id, an, now=NOW) is None
    assert files.purge_expired(NOW) == 1
    assert files.get(expired.id) is None and files.get(row.id) is not None


def test_files_are_exported_erased_and_expire_with_the_privacy_registry(db: Database) -> None:
    files = FileRepository(db)
    an = person_id(db, "An")
    files.store(
        owner_id=an, name="rapport.docx", content_type="application/octet-stream", data=b"An's secrets",
        state=FileState.LINK, now=NOW, ttl=timedelta(minutes=15),
    )  # fmt: skip
    privacy = PrivacyRepository(db)
    [exported] = privacy.export(an)["files"]
    assert exported["name"] == "rapport.docx" and exported["size_bytes"] == 12 and "data" not in exported
    assert privacy.apply_retention(now=NOW + timedelta(minutes=16))["stored_file"] == 1
    files.store(
        owner_id=an, name="again.docx", content_type="text/plain", data=b"x", state=FileState.LINK,
        now=NOW, ttl=timedelta(minutes=15),
    )  # fmt: skip
    privacy.forget(an, now=NOW)
    assert privacy.export(an)["files"] == []


# Over HTTP -------------------------------------------------------------------------------------------------------


async def test_my_data_in_a_personal_chat_offers_two_files_and_accept_uploads_once(
    bot: BotDriver, uploads: FakeUploadServer
) -> None:
    result = await bot.say(BOB, "my data")
    assert result.status in (200, 201)
    cards = consent_cards(result)
    assert [c["name"] for c in cards] == ["my-data.json", "my-data.csv"]
    json_card = cards[0]
    assert json_card["content"]["description"] == "Everything I store about you (JSON)"
    assert json_card["content"]["acceptContext"] == json_card["content"]["declineContext"]
    size = json_card["content"]["sizeInBytes"]

    info = uploads.upload_info("my-data.json")
    accepted = await bot.post(consent_answer(bot, BOB, "accept", json_card, info))
    assert accepted.status == 200
    [upload] = uploads.uploads
    assert len(upload.body) == size
    assert upload.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert upload.headers["Content-Length"] == str(size)
    assert "Authorization" not in upload.headers  # the upload URL is pre-authorised; the bot's token stays home
    assert "Bob Smith" in json.loads(upload.body)["person"][0]["name"]
    [message] = accepted.sent
    [attachment] = message["attachments"]
    assert attachment["contentType"] == FILE_INFO
    assert attachment["contentUrl"] == info["contentUrl"]
    assert attachment["name"] == "my-data.json"
    assert attachment["content"] == {"uniqueId": "1A2B3C", "fileType": "json"}

    retried = await bot.post(consent_answer(bot, BOB, "accept", json_card, info))
    assert retried.status == 200 and retried.sent == []
    assert len(uploads.uploads) == 1


async def test_decline_gives_a_link_that_downloads_the_file(bot: BotDriver, clock: FakeClock) -> None:
    cards = consent_cards(await bot.say(AN, "mijn gegevens"))
    assert [c["name"] for c in cards] == ["mijn-gegevens.json", "mijn-gegevens.csv"]
    declined = await bot.post(consent_answer(bot, AN, "decline", cards[1]))
    assert declined.status == 200
    [text] = declined.texts
    assert text.startswith("**mijn-gegevens.csv**: [downloaden](http://127.0.0.1:")
    assert "De link werkt 15 minuten en alleen voor jou" in text
    assert (await bot.post(consent_answer(bot, AN, "decline", cards[1]))).sent == []  # Teams retried

    response = await bot.client.get(link_path(text))
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"mijn-gegevens.csv\"; filename*=UTF-8''mijn-gegevens.csv"
    )
    assert response.headers["Cache-Control"].startswith("no-store")
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbfsection,row,field,value")
    assert "person,1,name,An Peeters" in body.decode("utf-8-sig")

    clock.advance(timedelta(minutes=15))
    expired = await bot.client.get(link_path(text), headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert expired.status == 410
    assert "verlopen" in await expired.text()


async def test_a_tampered_or_foreign_link_is_refused(bot: BotDriver, db: Database) -> None:
    text = (await bot.say(BOB, "my data", conversation=Conversation.group_chat())).texts[0]
    path = link_path(text)
    token = path.rsplit("/", 1)[-1]
    payload, signature = token.split(".")
    tampered = await bot.client.get(f"/files/{payload}.{signature[:-2]}AA", headers={"Accept-Language": "en-GB"})
    assert tampered.status == 403
    assert "not valid" in await tampered.text()
    assert (await bot.client.get("/files/nonsense")).status == 403
    # A genuine token for a file that is gone (purged, or erased with its owner) is gone too.
    FileRepository(db).purge_expired(datetime(2100, 1, 1, tzinfo=UTC))
    assert (await bot.client.get(path)).status == 410


async def test_a_group_chat_gets_links_directly(bot: BotDriver) -> None:
    result = await bot.say(AN, "mijn gegevens", conversation=Conversation.group_chat(), mention_bot=True)
    assert consent_cards(result) == []
    links = [t for t in result.texts if "/files/" in t]
    assert [t.split("**")[1] for t in links] == ["mijn-gegevens.json", "mijn-gegevens.csv"]
    response = await bot.client.get(link_path(links[0]))
    assert response.status == 200
    assert json.loads(await response.read())["person"][0]["name"] == "An Peeters"


async def test_a_failed_upload_falls_back_to_a_link(bot: BotDriver, uploads: FakeUploadServer) -> None:
    card = consent_cards(await bot.say(BOB, "my data"))[0]
    uploads.fail_next(500)
    result = await bot.post(consent_answer(bot, BOB, "accept", card, uploads.upload_info("my-data.json")))
    assert result.status == 200
    [text] = result.texts
    assert text.startswith("I could not put **my-data.json** in your OneDrive, so here is a download link instead.")
    assert (await bot.client.get(link_path(text))).status == 200


async def test_an_offer_nobody_answered_for_a_day_is_gone(
    bot: BotDriver, clock: FakeClock, uploads: FakeUploadServer
) -> None:
    card = consent_cards(await bot.say(BOB, "my data"))[0]
    clock.advance(timedelta(hours=25))
    result = await bot.post(consent_answer(bot, BOB, "accept", card, uploads.upload_info("my-data.json")))
    assert result.status == 200
    assert result.texts[0].startswith("That file is no longer waiting for you")
    assert uploads.uploads == []
    # Someone else's answer to Bob's card does nothing to it either.
    card = consent_cards(await bot.say(BOB, "my data"))[0]
    stranger = await bot.post(consent_answer(bot, AN, "accept", card, uploads.upload_info("my-data.json")))
    assert stranger.texts[0].startswith("Dat bestand ligt niet meer voor je klaar")
    assert uploads.uploads == []


async def test_another_instance_serves_the_link(db: Database, clock: FakeClock, connector: FakeConnector) -> None:
    """Two bot processes on one database (same schema, separate Database objects) share links via the table."""
    if db.is_sqlite:
        other = Database.from_url(db.engine.url.render_as_string(hide_password=False))
    else:
        url = postgres_url()
        assert url is not None
        with db.engine.connect() as connection:
            schema = str(connection.execute(text("SHOW search_path")).scalar())
        other = Database(create_db_engine(url, search_path=schema))
    try:
        async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings()) as first:
            message = (await first.say(BOB, "my data", conversation=Conversation.group_chat())).texts[0]
        async with BotDriver.start(db=other, clock=clock, connector=connector, settings=settings()) as second:
            response = await second.client.get(link_path(message))
            assert response.status == 200
            assert json.loads(await response.read())["person"][0]["name"] == "Bob Smith"
    finally:
        other.dispose()


# Configuration ---------------------------------------------------------------------------------------------------


def test_the_file_secret_is_explicit_or_derived_from_the_app_password_and_serve_needs_one() -> None:
    from pydantic import ValidationError

    from bot.cli import CliError, check_can_serve
    from bot.settings import AppType

    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(file_secret="short")
    assert Settings(file_secret=SECRET).file_link_key() == SECRET.encode()
    derived = Settings(app_password="pw").file_link_key()
    assert derived is not None and derived == Settings(app_password="pw").file_link_key() != b"pw"
    assert Settings().file_link_key() is None
    tenant = "6f1f3c4e-0000-4000-8000-00000000a001"
    app_id = "00000000-0000-4000-8000-000000000001"
    msi = Settings(app_id=app_id, app_type=AppType.USER_ASSIGNED_MSI, app_tenant_id=tenant)
    with pytest.raises(CliError, match="PROJECTBOT_FILE_SECRET"):
        check_can_serve(msi, "0.0.0.0")
    check_can_serve(msi.model_copy(update={"file_secret": SECRET}), "0.0.0.0")
    with pytest.raises(ValidationError, match="absolute URL"):
        Settings(public_url="bot.example.org")
    assert Settings(public_url="https://bot.example.org/").public_url == "https://bot.example.org"


async def test_the_daily_files_job_purges_expired_files(db: Database, clock: FakeClock) -> None:
    from types import SimpleNamespace
    from unittest.mock import MagicMock

    from bot.scheduler import FILES_JOB, _files_housekeeping, build_scheduler

    job = build_scheduler(MagicMock()).get_job(FILES_JOB)
    assert job is not None and job.max_instances == 1 and job.misfire_grace_time >= 3600
    files = FileRepository(db)
    an = person_id(db)
    files.store(
        owner_id=an, name="a.csv", content_type="text/csv", data=b"a", state=FileState.LINK, now=clock.now(),
        ttl=timedelta(minutes=15),
    )  # fmt: skip
    await _files_housekeeping(SimpleNamespace(db=db, clock=clock))  # type: ignore[arg-type]
    assert PrivacyRepository(db).export(an)["files"] != []
    clock.advance(timedelta(minutes=15))
    await _files_housekeeping(SimpleNamespace(db=db, clock=clock))  # type: ignore[arg-type]
    assert PrivacyRepository(db).export(an)["files"] == []
