"""The aiohttp application: POST /api/messages (Bot Framework protocol), GET /livez, /readyz and /healthz."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.web_log import AccessLogger
from botbuilder.core import InvokeResponse
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import DeliveryModes
from msrest.serialization import Model

from bot import heap
from bot.activity_reading import tenant_of
from bot.adapter import build_adapter
from bot.connector import RetryPolicy
from bot.delivery import DeliveryOptions, OutboxSender
from bot.executors import DatabaseExecutor
from bot.files import FILES, REQUEST_BASE_URL, FileDelivery, download, redact_download_tokens_in_access_log
from bot.graph import build_graph_calendar
from bot.health import HEALTH, HealthChecker, livez, readyz
from bot.incoming import read_activity
from bot.logs import instance_id
from bot.metrics import metrics, start_recording_db_waits
from bot.rendering import PooledRenderer
from bot.security import AccessPolicy
from bot.settings import Settings
from bot.teams_bot import ProjectBot
from cards.i18n import language_of
from dialogs.app import build_proactive_cards, build_registry
from dialogs.kernel.calendar_source import CalendarSource
from dialogs.kernel.clock import Clock, SystemClock
from dialogs.kernel.rendering import Renderer
from dialogs.kernel.turn import Services
from storage import migrate
from storage.db import Database
from storage.first_run import apply_configured_admins

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"  # where Teams posts the activities
# Teams posts activities of a few kilobytes (a card submit well under 100 KB); anything larger is not from Teams.
MAX_BODY_BYTES = 1024 * 1024
# A real activity nests about a dozen levels (a card's data inside value inside the activity); JSON nested deeper is
# refused before it is parsed further, so no recursive code (json, msrest, deepcopy, pydantic) ever sees it.
MAX_JSON_DEPTH = 64


@dataclass
class Runtime:
    """What one running bot process holds; built at start-up, closed at shutdown."""

    settings: Settings
    db: Database
    session: aiohttp.ClientSession
    adapter: CloudAdapter
    bot: ProjectBot
    policy: AccessPolicy
    clock: Clock
    sender: OutboxSender


RUNTIME = web.AppKey("runtime", Runtime)


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    migrate_on_start: bool = True,
    adapter_options: dict[str, Any] | None = None,
    client_session_factory: Callable[[], aiohttp.ClientSession] | None = None,
    start_scheduler: bool = True,
    calendar: CalendarSource | None = None,
    renderer: Renderer | None = None,
    first_run_admin: bool = False,
) -> web.Application:
    """adapter_options reach build_adapter (tests pass a credentials factory); client_session_factory makes the
    one outgoing HTTP session (tests route the Teams host to a fake connector). Production passes neither.
    start_scheduler=False leaves the periodic jobs (outbox dispatch) off; tests drive the sender themselves.
    calendar: the Outlook calendar the meeting import reads (tests: a fake Graph); default from the Graph settings.
    renderer: draws charts and documents (tests: inline or a fake); default worker processes (bot/rendering.py).
    first_run_admin: the first person to talk to a database without an admin becomes one (`serve --dev` asks for
    it); ignored unless settings.dev, so production never grants a role to whoever comes first."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.cleanup_ctx.append(
        _runtime(
            settings,
            db,
            clock or SystemClock(),
            migrate_on_start,
            adapter_options or {},
            client_session_factory or aiohttp.ClientSession,
            start_scheduler,
            calendar,
            renderer,
            first_run_admin and settings.dev,
        )
    )
    app.router.add_post(MESSAGES_PATH, messages)
    # /livez: restart me when this fails; /readyz: send me turns only while this is 200 (docs/operations.md);
    # /healthz is /readyz, for monitors and load balancers that know one health URL.
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", readyz)
    app.router.add_get("/files/{token}", download)
    if settings.metrics_on and settings.metrics_port is None:
        app.router.add_get("/metrics", metrics)
    redact_download_tokens_in_access_log()
    return app


def _runtime(
    settings: Settings,
    db: Database | None,
    clock: Clock,
    migrate_on_start: bool,
    adapter_options: dict[str, Any],
    client_session_factory: Callable[[], aiohttp.ClientSession],
    start_scheduler: bool = True,
    calendar: CalendarSource | None = None,
    renderer: Renderer | None = None,
    first_run_admin: bool = False,
) -> Any:
    async def context(app: web.Application) -> AsyncIterator[None]:
        # Everything is imported by now: freeze it and let the collector run again (bot/heap.py), before any database
        # work, so that a long migration never runs without it.
        heap.settle_after_start()
        database = db or Database.from_url(
            settings.database_url, pool_size=settings.db_pool_size, wait_seconds=settings.db_wait_seconds
        )
        _database_threads(database, settings.db_wait_seconds)
        start_recording_db_waits()
        # Its own thread and connection, so it answers whatever the turns' pool is doing (bot/health.py).
        app[HEALTH] = HealthChecker(
            database,
            clock,
            lock_bound_seconds=settings.db_wait_seconds,
            dispatching=lambda: _dispatching(app),
        )
        drawing = renderer or PooledRenderer(settings.render_workers)
        if migrate_on_start:
            await asyncio.to_thread(migrate.upgrade, database)
        if settings.admins:
            await asyncio.to_thread(_apply_configured_admins, database, settings.admins, clock)
        app[HEALTH].start()
        session = client_session_factory()
        outlook = calendar or build_graph_calendar(settings, session)
        services = Services(
            db=database,
            clock=clock,
            default_language=language_of(settings.default_locale),
            default_timezone=settings.default_timezone,
            burn_margin_points=settings.burn_margin_points,
            capacity_at_risk_percent=settings.capacity_at_risk_percent,
            calendar=outlook,
            renderer=drawing,
            capabilities=build_registry(),
        )
        files = FileDelivery(
            database,
            clock,
            session,
            key=_file_link_key(settings),
            public_url=settings.public_url,
            allow_http_upload=settings.dev,
            default_language=language_of(settings.default_locale),
        )
        app[FILES] = files
        app[RUNTIME] = Runtime(
            settings=settings,
            db=database,
            session=session,
            adapter=build_adapter(settings, session, **adapter_options),
            bot=ProjectBot(build_registry().router(), services, files=files, first_run_admin=first_run_admin),
            policy=AccessPolicy(allowed_tenants=settings.tenant_allow_list, dev=settings.dev),
            clock=clock,
            # The outbox does its own retries (rescheduling rows), so its connector clients make one attempt each.
            sender=OutboxSender(
                database,
                build_adapter(settings, session, retry=RetryPolicy(max_attempts=1), **adapter_options),
                bot_app_id=settings.app_id,
                cards=build_proactive_cards(),
                clock=clock,
                default_language=language_of(settings.default_locale),
                options=DeliveryOptions(app_per_second=settings.outbox_per_second),
                # One instance at a time dispatches (the scheduler's lease job takes and renews the role).
                dispatcher_role=start_scheduler,
                # The lease names the process as its log lines do (bot/logs.py); tests' senders each their own.
                owner=instance_id() if start_scheduler else None,
            ),
        )
        scheduler = None
        if start_scheduler:
            from bot.scheduler import build_scheduler  # APScheduler loads only where jobs run (not in tools, tests)

            scheduler = build_scheduler(
                app[RUNTIME].sender,
                refresh_signing_keys=bool(settings.app_id) and not settings.dev,
                default_timezone=settings.default_timezone,
                calendar=outlook,
                jobs=build_registry().jobs(),
            )
            scheduler.start()
        metrics_site = await _metrics_port(app, settings)
        try:
            yield
        finally:
            if metrics_site is not None:
                await metrics_site.cleanup()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app[RUNTIME].sender.close()  # records what is on the wire, hands the role and rows back
            await session.close()
            if isinstance(drawing, PooledRenderer):
                drawing.close()
            app[HEALTH].close()
            if db is None:
                database.dispose()

    return context


async def _metrics_port(app: web.Application, settings: Settings) -> web.AppRunner | None:
    """GET /metrics alone on PROJECTBOT_METRICS_PORT, so the proxy in front of the bot's port never exposes it
    (docs/operations.md). Loopback only with --dev, like the bot."""
    if not settings.metrics_on or settings.metrics_port is None:
        return None
    metrics_app = web.Application()
    metrics_app[HEALTH] = app[HEALTH]
    metrics_app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(metrics_app, access_log=None)
    await runner.setup()
    host = "127.0.0.1" if settings.dev else "0.0.0.0"
    await web.TCPSite(runner, host, settings.metrics_port).start()
    log.info("metrics: http://%s:%d/metrics", host, settings.metrics_port)
    return runner


def _dispatching(app: web.Application) -> bool | None:
    """Whether this instance holds the outbox dispatcher role now (bot/delivery/), for /healthz; None when the
    sender cannot tell. The hook the outbox's lease fills: OutboxSender.holds_dispatch_lease."""
    runtime = app.get(RUNTIME)
    held = getattr(runtime.sender, "holds_dispatch_lease", None) if runtime is not None else None
    return held if isinstance(held, bool) else None


def _file_link_key(settings: Settings) -> bytes:
    key = settings.file_link_key()
    if key is None:
        # `projectbot serve` refuses this outside --dev (bot/cli.py); links then work only on this instance.
        if not settings.dev:
            log.warning("no PROJECTBOT_FILE_SECRET: download links are signed with a random per-process key")
        key = secrets.token_bytes(32)
    return key


def _database_threads(database: Database, wait_seconds: float) -> None:
    """The threads `asyncio.to_thread` (all database work) runs on: twice the connections, so that threads waiting
    for a drawing or a network call never leave database work without one, and a turn that cannot get a thread
    within the bound hears "busy" (bot/executors.py). Writers take turns in storage.db's writer gate on SQLite, not
    in its sleeping busy handler. An in-memory SQLite database has one shared connection: one thread. Blocking
    network calls and drawings have executors of their own (bot.connector, bot.rendering)."""
    connections = database.concurrency
    threads = 1 if connections == 1 else max(8, 2 * connections)
    asyncio.get_running_loop().set_default_executor(DatabaseExecutor(threads, wait_seconds=wait_seconds))


class AccessLog(AccessLogger):
    """aiohttp's access log without the line of each turn answered: that turn's summary line (bot/teams_bot.py) says
    more, and writing both cost ≈ 5 % of a help turn's CPU (bench/help_turns.py with py-spy). A refused or failed post
    (4xx, 5xx) and every other path keep their line."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status < 400 and request.path == MESSAGES_PATH:
            return
        super().log(request, response, time)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        body = json.loads(await request.read())
    except RecursionError:  # the C parser's own depth guard (thousands of levels)
        return _error(400, "the body is nested too deeply")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the body is not JSON")
    if _nested_deeper_than(body, MAX_JSON_DEPTH):
        return _error(400, "the body is nested too deeply")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return _error(400, "the body is not a Bot Framework activity")
    try:
        activity = read_activity(body)
    except Exception:
        return _error(400, "the body is not a Bot Framework activity")
    if not activity.conversation or not activity.conversation.id:
        return _error(400, "the activity has no conversation")

    auth_header = request.headers.get("Authorization", "")
    try:
        auth = await runtime.adapter.bot_framework_authentication.authenticate_request(activity, auth_header)
    except Exception as exc:  # the SDK raises anything from PermissionError to jwt and key errors
        log.info("refused activity %s: authentication failed (%s)", activity.id, type(exc).__name__)
        return _error(401, "unauthorized")

    if not runtime.policy.service_url_allowed(activity.service_url):
        log.warning("refused activity %s: serviceUrl %r not allowed", activity.id, activity.service_url)
        return _error(403, "serviceUrl not allowed")
    if not runtime.policy.tenant_allowed(tenant_of(activity)):
        log.warning("refused activity %s: tenant %r not allowed", activity.id, tenant_of(activity))
        return _error(403, "tenant not allowed")
    if activity.delivery_mode not in (None, DeliveryModes.normal, DeliveryModes.expect_replies):
        return _error(400, f"deliveryMode {activity.delivery_mode!r} is not supported")

    base_url = REQUEST_BASE_URL.set(f"{request.scheme}://{request.host}")
    try:
        invoke_response = await runtime.adapter.process_activity(auth, activity, runtime.bot.on_turn)
    finally:
        REQUEST_BASE_URL.reset(base_url)
    return _http_response(invoke_response)


def _nested_deeper_than(value: object, limit: int) -> bool:
    """Without recursion, so it cannot itself be the thing that overflows."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _http_response(invoke_response: InvokeResponse | None) -> web.Response:
    """The SDK answers 500 when an invoke returns a body, because it serialises it twice; do it once, here."""
    if invoke_response is None:
        return web.Response(status=201)
    body = invoke_response.body
    if isinstance(body, Model):
        body = body.serialize()
    status = int(invoke_response.status or 200)
    if body is None:
        return web.Response(status=status)
    return web.json_response(body, status=status)


def _apply_configured_admins(db: Database, emails: list[str], clock: Clock) -> None:
    """PROJECTBOT_ADMINS at start: each address is admin, or will be once Teams reports it (counts only in the log:
    addresses are personal data)."""
    done = apply_configured_admins(db, emails, clock.now())
    log.info(
        "PROJECTBOT_ADMINS: %d address(es) newly admin, %d already; %d wait until Teams reports them",
        done.granted,
        done.already,
        done.pending,
    )
