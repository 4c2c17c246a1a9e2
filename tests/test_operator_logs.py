"""What the operator reads in the server's log (issue 15, item 6): where `serve` listens and how, once, without a
password; a reply the connector does not take is one line with its reason and a reference, not chained tracebacks."""

from __future__ import annotations

import argparse
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from aiohttp.web_log import AccessLogger

from bot import cli
from bot.delivery.failures import ReplyUndeliverable, SendFailure, classify
from bot.http_app import MESSAGES_PATH, AccessLog
from bot.settings import Settings
from storage.db import Database
from tests.harness import FakeClock, FakeConnector
from tests.harness.botdriver import BotDriver
from tests.test_turns import BOB

APP_ID = "8f2c1e5a-3b4d-4c6e-9f10-1a2b3c4d5e6f"
TENANT_ID = "0d9b6a52-7c1e-4f3a-9b8d-2e5f6a7b8c9d"


def _serve_and_capture(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    settings: Settings,
    *argv: str,
    served_with: dict[str, Any] | None = None,
) -> list[str]:
    """Run `serve` up to the moment the port is bound (aiohttp's run_app is replaced; it calls back as the real
    one does once its sites are up) and return what was logged; `served_with` receives run_app's options."""

    def bound(app: web.Application, *, host: str, port: int, print: Any, **options: Any) -> None:
        (served_with if served_with is not None else {}).update(options)
        print(f"======== Running on http://{host}:{port} ========")

    monkeypatch.setattr(web, "run_app", bound)
    args = argparse.Namespace(verb="serve", host=None, port=cli.DEFAULT_PORT, dev=settings.dev)
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        setattr(args, flag.lstrip("-"), int(value) if flag == "--port" else value)
    with caplog.at_level(logging.INFO):
        assert cli._serve(args, settings) == 0
    return [record.getMessage() for record in caplog.records]


def test_serve_logs_once_where_it_listens_in_dev_mode(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    settings = Settings(dev=True, database_url="sqlite:///" + str(tmp_path / "bot.db"))

    logged = _serve_and_capture(monkeypatch, caplog, settings)

    listening = [line for line in logged if line.startswith("listening on")]
    assert listening == [
        f"listening on http://127.0.0.1:3978/api/messages (dev mode, SQLite {(tmp_path / 'bot.db').resolve()})"
    ]


def test_serve_in_production_names_the_app_and_masks_the_database_password(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        app_id=APP_ID,
        app_password="app-secret-value",
        app_tenant_id=TENANT_ID,
        database_url="postgresql://projectbot:s3cr3t-pw@db.example.org:5432/projectbot",
    )

    logged = _serve_and_capture(monkeypatch, caplog, settings, "--port", "8080")

    assert [line for line in logged if line.startswith("listening on")] == [
        f"listening on http://0.0.0.0:8080/api/messages (production, app {APP_ID} (SingleTenant), tenant(s) "
        f"{TENANT_ID}, postgresql://projectbot:***@db.example.org:5432/projectbot)"
    ]
    assert not any("s3cr3t-pw" in line or "app-secret-value" in line for line in logged)


def test_serve_leaves_the_access_log_line_of_an_answered_turn_to_the_turn_summary(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    served_with: dict[str, Any] = {}
    _serve_and_capture(
        monkeypatch,
        caplog,
        Settings(dev=True, database_url=f"sqlite:///{tmp_path / 'bot.db'}"),
        served_with=served_with,
    )
    assert served_with["access_log_class"] is AccessLog

    access = AccessLog(logging.getLogger("aiohttp.access"), AccessLogger.LOG_FORMAT)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        access.log(make_mocked_request("POST", MESSAGES_PATH), web.Response(status=201), 0.01)
        access.log(make_mocked_request("POST", MESSAGES_PATH), web.Response(status=200), 0.01)  # an invoke's answer
        assert caplog.records == []
        access.log(make_mocked_request("POST", MESSAGES_PATH), web.Response(status=400), 0.01)
        access.log(make_mocked_request("POST", MESSAGES_PATH), web.Response(status=401), 0.01)
        access.log(make_mocked_request("GET", "/readyz"), web.Response(status=200), 0.01)
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) == 3
    assert [line for line in logged if '"POST /api/messages' in line and " 400 " in line]
    assert [line for line in logged if '"POST /api/messages' in line and " 401 " in line]
    assert [line for line in logged if '"GET /readyz' in line and " 200 " in line]


def test_a_database_url_that_is_no_url_is_not_echoed() -> None:
    assert Settings(database_url="postgresql://user:pw@host:notaport/x").database_label() == (
        "(an unreadable DATABASE_URL)"
    )


# An undeliverable reply ----------------------------------------------------------------------------------------


def _one_undeliverable_line(caplog: pytest.LogCaptureFixture) -> str:
    shown = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert not [r for r in shown if r.exc_info or "Traceback" in r.getMessage()]
    lines = [r.getMessage() for r in shown if r.levelno >= logging.WARNING]
    assert len(lines) == 1, lines
    return lines[0]


async def test_a_reply_the_connector_refuses_logs_one_line_with_reason_and_reference(
    db: Database, clock: FakeClock, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    connector.fail_next(404, route="send")  # Teams: ConversationNotFound (the bot was removed)
    async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
        activity = driver.activities.message(BOB, "help")
        with caplog.at_level(logging.DEBUG):
            result = await driver.post(activity)

    assert result.status < 500
    line = _one_undeliverable_line(caplog)
    assert line.startswith("reply undeliverable [ref=")
    assert f"activity {activity['id']}" in line
    assert line.endswith(f"404 ConversationNotFound from {connector.url}; the person was told, with the reference")
    # The traceback is there for whoever turns DEBUG on.
    assert any(r.levelno == logging.DEBUG and "Traceback" in r.getMessage() for r in caplog.records)
    (apology,) = connector.sent  # the conversation still took a message: the apology, with the same reference
    assert line.removeprefix("reply undeliverable [ref=").split("]")[0] in apology["text"]


async def test_a_reply_to_a_service_that_is_gone_logs_one_line(
    db: Database, clock: FakeClock, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on: the Playground was closed
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
        activity = driver.activities.message(BOB, "help")
        activity["serviceUrl"] = closed
        with caplog.at_level(logging.INFO):
            result = await driver.post(activity)

    assert result.status < 500
    line = _one_undeliverable_line(caplog)
    assert line.endswith(f"network ClientConnectorError from {closed}; nor was the apology")


async def test_an_apology_that_cannot_be_delivered_adds_one_line_to_the_failures_traceback(
    db: Database,
    clock: FakeClock,
    connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dialogs.settings.form

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(dialogs.settings.form, "build_settings_card", broken)
    connector.fail_next(404, route="send")  # the apology finds the conversation gone
    async with BotDriver.start(db=db, clock=clock, connector=connector) as driver:
        activity = driver.activities.message(BOB, "settings")
        with caplog.at_level(logging.INFO):
            await driver.post(activity)

    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelname for r in problems] == ["ERROR", "WARNING"]
    failed, undelivered = (r.getMessage() for r in problems)
    assert failed.startswith("turn failed [ref=") and "in broken" in failed  # the defect keeps its traceback
    assert undelivered == (
        f"reply undeliverable (activity {activity['id']}): 404 ConversationNotFound from {connector.url}"
    )


def test_a_failure_the_adapter_read_is_not_read_again() -> None:
    failure = SendFailure(404, "ConversationNotFound", None)

    assert classify(ReplyUndeliverable(failure, "https://smba.trafficmanager.net/emea/")) is failure
