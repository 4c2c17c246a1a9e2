"""Issue 16 (3, 4): JSON log lines with the turn's id, and GET /metrics in Prometheus' format.

A scripted session over HTTP, its log lines written by the JSON formatter the server uses and its metrics scraped
as Prometheus would; the sample dashboard and alert rules in docs/ops/ may only name metrics the app exposes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from sqlalchemy import text

import bot.teams_bot
from bot.http_app import create_app
from bot.logs import JsonFormatter, TextFormatter, default_format, install_turn_context
from bot.settings import LogFormat, Settings
from dialogs.kernel.turn_log import CURRENT_TURN, TurnLog
from storage.db import Database
from storage.health import DatabaseProbe
from tests.conftest import START
from tests.harness import FakeClock, FakeConnector, TeamsUser
from tests.harness.botdriver import BotDriver
from tests.outbox_support import add_conversation, enqueue_text, fake_sleep, outbox_sender
from tests.test_runtime_faults import lock_held_elsewhere

DOCS = Path(__file__).resolve().parent.parent / "docs" / "ops"
EMAIL = "an.peeters@geheim-voorbeeld.be"
TYPED = f"uren 2 vergadering met {EMAIL}"
USER = TeamsUser.named("Annelies Geheimnaam", locale="nl-BE")


class JsonLines(logging.Handler):
    """What the server writes with PROJECTBOT_LOG_FORMAT=json, one parsed object a line."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def objects(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def json_log() -> Iterator[JsonLines]:
    install_turn_context()
    handler = JsonLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
async def driver(db: Database, clock: FakeClock, connector: FakeConnector) -> AsyncIterator[BotDriver]:
    settings = Settings(dev=True, database_url="sqlite://", default_locale="nl-BE", file_secret="s" * 40)
    async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings) as started:
        yield started


def noted_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line written in the worker thread that records who spoke: the turn's id must follow it there."""
    original = bot.teams_bot.record_turn

    def recording(*args: Any, **kwargs: Any) -> Any:
        logging.getLogger("projectbot.test").info("recording the speaker on %s", threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(bot.teams_bot, "record_turn", recording)


# Logs ---------------------------------------------------------------------------------------------------------


async def test_a_turns_json_lines_share_its_id_and_carry_no_text_or_email(
    driver: BotDriver, json_log: JsonLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    noted_in_a_thread(monkeypatch)
    for typed in ("hulp", TYPED, f"wat is {EMAIL}?"):
        before = len(json_log.lines)
        result = await driver.say(USER, typed)
        assert result.status == 201 and result.sent
        lines = [line for line in json_log.objects()[before:] if "turn_id" in line]
        assert len({line["turn_id"] for line in lines}) == 1, lines
        assert any(line["message"].startswith("recording the speaker on projectbot-db") for line in lines), lines
        (summary,) = [line for line in lines if "outcome" in line]
        assert summary["level"] == "INFO" and summary["activity_type"] == "message"
        assert summary["duration_ms"] >= 0 and summary["instance"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", summary["time"])
    summaries = [line for line in json_log.objects() if "outcome" in line]
    assert [(s.get("command"), s["outcome"]) for s in summaries] == [
        ("help", "ok"),
        ("timesheet", "ok"),
        (None, "unknown"),
    ]
    everything = "\n".join(json_log.lines)
    assert EMAIL not in everything and "geheim-voorbeeld" not in everything
    assert "vergadering met" not in everything and "Geheimnaam" not in everything
    assert len({line["instance"] for line in json_log.objects()}) == 1


async def test_the_apologys_reference_is_the_turn_id(
    driver: BotDriver, json_log: JsonLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError(f"boom for {EMAIL}")

    import dialogs.settings.form

    monkeypatch.setattr(dialogs.settings.form, "build_settings_card", broken)
    result = await driver.say(USER, "instellingen")
    reference = re.search(r"\b([0-9a-f]{8})\b", result.texts[0])
    assert reference, result.texts
    (summary,) = [line for line in json_log.objects() if line.get("outcome") == "error"]
    assert summary["turn_id"] == reference[1] and summary["command"] == "settings"
    failed = [line for line in json_log.objects() if line["message"].startswith("turn failed")]
    assert failed and failed[0]["turn_id"] == reference[1] and failed[0]["level"] == "ERROR"
    assert EMAIL not in "\n".join(json_log.lines)


def test_a_line_outside_a_turn_has_no_turn_fields_and_exceptions_are_made_safe(json_log: JsonLines) -> None:
    try:
        raise ValueError(f"cannot read {EMAIL}")
    except ValueError:
        logging.getLogger("projectbot.test").exception("outside any turn")
    (line,) = [line for line in json_log.objects() if line["message"] == "outside any turn"]
    assert "turn_id" not in line and line["logger"] == "projectbot.test" and line["level"] == "ERROR"
    assert "ValueError" in line["exception"] and EMAIL not in line["exception"]


def test_the_format_is_json_for_a_production_server_and_text_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_format(verb="serve", dev=False) == LogFormat.JSON
    assert default_format(verb="serve", dev=True) == LogFormat.TEXT
    assert {default_format(verb=verb, dev=False) for verb in ("chat", "db", "outbox", "people")} == {LogFormat.TEXT}
    monkeypatch.setenv("PROJECTBOT_LOG_FORMAT", "text")
    assert Settings().log_format == LogFormat.TEXT
    monkeypatch.setenv("PROJECTBOT_LOG_FORMAT", "yaml")
    with pytest.raises(ValidationError, match=r"log_format|PROJECTBOT_LOG_FORMAT"):
        Settings()


def test_a_text_line_of_a_turn_names_the_turn() -> None:
    install_turn_context()
    turn = TurnLog(activity_type="message")
    noted = CURRENT_TURN.set(turn)
    try:
        inside = logging.getLogRecordFactory()("projectbot.test", logging.INFO, __file__, 1, "inside", None, None)
    finally:
        CURRENT_TURN.reset(noted)
    outside = logging.getLogRecordFactory()("projectbot.test", logging.INFO, __file__, 1, "outside", None, None)
    assert TextFormatter().format(inside).endswith(f"INFO projectbot.test [{turn.turn_id}]: inside")
    assert TextFormatter().format(outside).endswith("INFO projectbot.test: outside")


# Metrics ------------------------------------------------------------------------------------------------------


def scraped(text: str) -> dict[str, float]:
    """Every sample as 'name{label="value",...}' -> value (labels sorted)."""
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{key}="{value}"' for key, value in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def exposed_names(text: str) -> set[str]:
    """The names a query may use: each family's, and its samples' (_total, _bucket, _count, _sum)."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update({f"{family.name}_total", f"{family.name}_bucket", f"{family.name}_count", f"{family.name}_sum"})
        names.update(sample.name for sample in family.samples)
    return names


async def scrape(driver: BotDriver) -> str:
    response = await driver.client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return await response.text()


def test_metrics_are_off_by_default_outside_dev_and_on_with_the_setting() -> None:
    def paths(settings: Settings) -> set[str]:
        app = create_app(settings, migrate_on_start=False, start_scheduler=False)
        return {resource.canonical for resource in app.router.resources()}

    production = {"database_url": "sqlite://", "app_id": "x", "app_password": "y"}
    assert "/metrics" not in paths(Settings(**production))
    assert "/metrics" in paths(Settings(**production, metrics=True))
    assert "/metrics" in paths(Settings(dev=True, database_url="sqlite://"))
    # On a port of its own, it is not beside /api/messages at all.
    assert "/metrics" not in paths(Settings(**production, metrics_port=9464))
    assert Settings(**production, metrics_port=9464).metrics_on


async def test_a_metrics_port_serves_metrics_there_and_not_on_the_bots_port(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(dev=True, database_url="sqlite://", file_secret="s" * 40, metrics_port=port)
    async with BotDriver.start(db=db, clock=clock, connector=connector, settings=settings) as started:
        await started.say(USER, "hulp")
        assert (await started.client.get("/metrics")).status == 404
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200
            assert "projectbot_turns_total" in await response.text()
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))  # nobody listens there any more: closed with the app


async def test_counters_move_after_a_scripted_session(driver: BotDriver, db: Database) -> None:
    before = scraped(await scrape(driver))
    await driver.say(USER, "hulp")
    await driver.say(USER, "hulp")
    await driver.say(USER, f"wat is {EMAIL}?")
    await driver.execute(USER, "no.such.verb", {})
    text = await scrape(driver)
    after = scraped(text)

    def moved(sample: str) -> float:
        return after.get(sample, 0.0) - before.get(sample, 0.0)

    assert moved('projectbot_turns_total{command="help",kind="message",outcome="ok"}') == 2
    assert moved('projectbot_turns_total{command="none",kind="message",outcome="unknown"}') == 1
    assert moved('projectbot_turns_total{command="none",kind="invoke",outcome="unknown"}') == 1
    assert moved('projectbot_turn_duration_seconds_count{kind="message"}') == 3
    assert moved('projectbot_connector_responses_total{status="201"}') >= 3
    assert moved('projectbot_db_wait_seconds_count{wait="thread"}') > 0
    if not db.is_sqlite or db.concurrency > 1:
        assert moved('projectbot_db_wait_seconds_count{wait="connection"}') > 0
    # Read at scrape time from the database: the session's rows are there, and the query answered.
    assert after["projectbot_outbox_query_ok{}"] == 1
    assert 'projectbot_outbox_rows{state="pending"}' in after
    assert "projectbot_outbox_oldest_due_age_seconds{}" in after
    # prometheus-client's process collector: the process's own figures.
    assert "process_resident_memory_bytes" in exposed_names(text)
    assert EMAIL not in text and "no.such.verb" not in text


@contextmanager
def outbox_locked(db: Database) -> Iterator[None]:
    """PostgreSQL: another connection holds the outbox in ACCESS EXCLUSIVE mode (even reading it waits). SQLite:
    another process holds the write lock (readers still read beside it in WAL mode)."""
    if db.is_sqlite:
        with lock_held_elsewhere(db):
            yield
        return
    with db.engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE outbox_message IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            blocker.rollback()


async def test_metrics_answer_with_a_locked_database(driver: BotDriver, db: Database) -> None:
    with outbox_locked(db):
        async with asyncio.timeout(10):  # the bound is 0.9 s; this only keeps a failing test from hanging
            samples = scraped(await scrape(driver))
    # PostgreSQL: the probe's lock timeout gives up on the outbox; SQLite's readers are not held up by a writer.
    assert samples["projectbot_outbox_query_ok{}"] == (1 if db.is_sqlite else 0)
    assert "process_cpu_seconds_total{}" in samples


async def test_metrics_answer_when_the_outbox_query_hangs(driver: BotDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that takes the query and never answers: /metrics answers without the outbox's figures."""
    release = threading.Event()
    original = DatabaseProbe.outbox_figures

    def hanging(self: DatabaseProbe, now: Any) -> Any:
        release.wait(30)
        return original(self, now)

    monkeypatch.setattr(DatabaseProbe, "outbox_figures", hanging)
    try:
        async with asyncio.timeout(10):
            samples = scraped(await scrape(driver))
        assert samples["projectbot_outbox_query_ok{}"] == 0
        assert "process_cpu_seconds_total{}" in samples  # the rest of the scrape is there
    finally:
        release.set()


async def test_a_throttled_proactive_send_is_counted_as_a_429_a_retry_and_then_sent(
    db: Database, clock: FakeClock, connector: FakeConnector
) -> None:
    before = scraped(generate_latest(REGISTRY).decode())
    ref = add_conversation(db, connector.url, "19:c@thread.tacv2", START)
    enqueue_text(db, ref, "k", START, START)
    connector.fail_next(429, headers={"Retry-After": "3"})
    _asked, sleep = fake_sleep(clock)
    async with outbox_sender(db, clock, sleep=sleep) as sender:
        assert (await sender.dispatch_once()).sent == 1
    after = scraped(generate_latest(REGISTRY).decode())
    moved = {sample: after[sample] - before.get(sample, 0.0) for sample in after}
    assert moved['projectbot_connector_responses_total{status="429"}'] == 1
    assert moved['projectbot_outbox_retries_total{status="429"}'] == 1
    assert moved['projectbot_outbox_deliveries_total{result="sent"}'] == 1


async def test_a_reply_retried_inline_is_counted(driver: BotDriver, connector: FakeConnector) -> None:
    before = scraped(await scrape(driver))
    connector.fail_next(503, route="send")
    result = await driver.say(USER, "hulp")
    assert result.cards
    after = scraped(await scrape(driver))
    assert (
        after['projectbot_connector_retries_total{status="503"}']
        - before.get('projectbot_connector_retries_total{status="503"}', 0.0)
        == 1
    )


def test_scheduler_runs_and_failures_are_counted() -> None:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent

    from bot.metrics import JOB_RUNS
    from bot.scheduler import _count_run

    def runs(result: str) -> float:
        return JOB_RUNS.labels(job="outbox.dispatch", result=result)._value.get()

    before = {result: runs(result) for result in ("ok", "failed", "missed")}
    when = None
    _count_run(JobExecutionEvent(EVENT_JOB_EXECUTED, "outbox.dispatch", None, when))
    _count_run(JobExecutionEvent(EVENT_JOB_ERROR, "outbox.dispatch", None, when, exception=RuntimeError("x")))
    _count_run(JobExecutionEvent(EVENT_JOB_MISSED, "outbox.dispatch", None, when))
    assert {result: runs(result) - before[result] for result in before} == {"ok": 1, "failed": 1, "missed": 1}


# The sample dashboard and alert rules ---------------------------------------------------------------------------

METRIC_NAME = re.compile(r"\b((?:projectbot|process|python)_[a-z0-9_]+)\b")


def dashboard_queries() -> list[str]:
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((DOCS / "alerts.yaml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_alert_rules_have_the_prometheus_rule_shape() -> None:
    document = yaml.safe_load((DOCS / "alerts.yaml").read_text(encoding="utf-8"))
    assert set(document) == {"groups"}
    for group in document["groups"]:
        assert isinstance(group["name"], str) and group["rules"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}, rule
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
            assert isinstance(rule["expr"], str) and METRIC_NAME.search(rule["expr"])
            assert re.fullmatch(r"\d+[smh]", rule["for"])
            assert rule["labels"]["severity"] in {"warning", "critical"}
            assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    named = {rule["alert"] for rule in alert_rules()}
    assert {"ProjectbotOutboxLagging", "ProjectbotTurnErrors", "ProjectbotThrottled"} <= named


async def test_the_dashboard_and_alerts_use_only_metrics_the_app_exposes(driver: BotDriver) -> None:
    await driver.say(USER, "hulp")
    exposed = exposed_names(await scrape(driver))
    queries = dashboard_queries() + [rule["expr"] for rule in alert_rules()]
    assert len(dashboard_queries()) >= 8
    used = {name for query in queries for name in METRIC_NAME.findall(query)}
    assert used and not used - exposed, sorted(used - exposed)
