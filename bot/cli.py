"""The `projectbot` command: serve, chat, demo, manifest, db, outbox, export, admin, people, import.

Each verb imports what it needs inside its own function, on purpose: `projectbot --help`, `db upgrade` or `admin
grant` do not load the web server, the Bot Framework SDK and every capability (about a second and 100 MB), and
`serve` does not load the terminal chat."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.db import Database

log = logging.getLogger("projectbot")

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 3978


class CliError(Exception):
    """A problem the operator can fix; printed without a stack trace."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="projectbot",
        description="Microsoft Teams bot for project coordinators: time, status, meetings and handovers.",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", title="verbs")

    serve = verbs.add_parser("serve", help="run the bot's web server (POST /api/messages, GET /healthz)")
    serve.add_argument("--host", default=None, help="address to bind (default 0.0.0.0; --dev: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument(
        "--dev", action="store_true", help="local development: no token check, loopback only, any tenant"
    )

    verbs.add_parser("chat", help="talk to the bot in this terminal (same routing and storage)")

    from bot import cli_manifest

    cli_manifest.add_parser(verbs)

    outbox = verbs.add_parser("outbox", help="proactive messages: list, retry or cancel one")
    outbox_verbs = outbox.add_subparsers(dest="outbox_verb", metavar="ACTION", title="actions")
    listing = outbox_verbs.add_parser("list", help="list rows (default: pending, failed and missed)")
    listing.add_argument("--state", action="append", default=[], help="only this state (repeatable)")
    listing.add_argument("--limit", type=int, default=50, help="at most this many rows (default 50)")
    outbox_verbs.add_parser("retry", help="send a failed, missed or cancelled row again, now").add_argument(
        "id", type=int
    )
    outbox_verbs.add_parser("cancel", help="cancel a pending, failed or missed row").add_argument("id", type=int)

    from bot import cli_db, cli_demo, cli_export, cli_people

    cli_db.add_parser(verbs)
    cli_export.add_parser(verbs)
    cli_people.add_verbs(verbs)
    cli_demo.add_parser(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:  # the verb comes first: no option of `projectbot` itself goes before it
        from bot import heap

        with heap.collector_paused_while_starting():  # while it imports (bot/heap.py)
            return _main(arguments)
    return _main(arguments)


def _main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO: the outbox dispatch alone would write two lines every 2 s.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        settings = _settings(dev=getattr(args, "dev", False))
        _log_format(args.verb, settings)
        return _run(args, settings)
    except CliError as problem:
        print(f"projectbot: {problem}", file=sys.stderr)
        return 2


def _log_format(verb: str, settings: Settings) -> None:
    """JSON lines or text (PROJECTBOT_LOG_FORMAT; by default text at a terminal, JSON for `serve`): bot/logs.py."""
    from bot.logs import default_format, use_format

    use_format(settings.log_format or default_format(verb=verb, dev=settings.dev))


def _settings(*, dev: bool) -> Settings:
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings(dev=dev)
    except ValidationError as invalid:
        lines = [f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in invalid.errors()]
        raise CliError("invalid configuration:\n" + "\n".join(lines)) from None


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.verb == "serve":
        return _serve(args, settings)
    if args.verb == "chat":
        from bot.chat import run_chat  # lazily, like every verb: the bot, its capabilities and the Bot Framework
        from bot.chat.log_file import ChatLogError, log_to_file

        try:
            log_file = log_to_file(settings)
        except ChatLogError as problem:
            raise CliError(str(problem)) from None
        return run_chat(settings, first_run_admin=True, log_file=log_file)
    if args.verb == "manifest":
        return _manifest(args, settings)
    if args.verb == "db":
        return _db(args, settings)
    if args.verb == "outbox":
        return _outbox(args, settings)
    if args.verb == "demo":
        from bot import cli_demo

        return cli_demo.run(args, settings)
    if args.verb == "export":
        return _export(args, settings)
    if args.verb in ("admin", "people", "import"):
        return _people(args, settings)
    raise CliError(f"unknown verb {args.verb}")


def check_can_serve(settings: Settings, host: str) -> None:
    """Refuse configurations that would accept anonymous or foreign requests."""
    from bot.settings import AppType

    if settings.dev:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise CliError("--dev binds to loopback only (127.0.0.1); it accepts requests without a token")
        return
    if not settings.app_id:
        raise CliError(
            "MICROSOFT_APP_ID is not set. Without it the bot would accept anonymous requests.\n"
            "Set MICROSOFT_APP_ID (and MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID), "
            "or run `projectbot serve --dev` to try it locally."
        )
    if settings.app_type == AppType.SINGLE_TENANT and not (settings.app_password and settings.app_tenant_id):
        raise CliError(
            "A SingleTenant bot needs MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID as well as its app id."
        )
    if settings.app_type == AppType.USER_ASSIGNED_MSI and not settings.app_tenant_id:
        raise CliError("A UserAssignedMSI bot needs MICROSOFT_APP_TENANT_ID.")
    if not settings.tenant_allow_list:
        raise CliError(
            "No tenant is allowed: set MICROSOFT_APP_TENANT_ID or PROJECTBOT_ALLOWED_TENANTS "
            "(only your organisation's tenant(s) may talk to the bot)."
        )
    if settings.file_link_key() is None:
        raise CliError(
            "PROJECTBOT_FILE_SECRET is not set and there is no MICROSOFT_APP_PASSWORD to derive it from: set it to "
            "a random value of at least 32 characters, the same on every instance (e.g. `openssl rand -hex 32`)."
        )


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot import heap
    from bot.http_app import AccessLog, create_app

    host = args.host or (LOOPBACK if settings.dev else "0.0.0.0")
    check_can_serve(settings, host)
    if settings.metrics_port == args.port:
        raise CliError(
            f"PROJECTBOT_METRICS_PORT is {args.port}, the bot's own port: give /metrics a port of its own (e.g. 9464)"
        )
    if settings.dev:
        log.warning("--dev: no token check, any tenant, loopback serviceUrls accepted; do not expose this port")
    heap.fewer_malloc_arenas()

    def listening(_aiohttp_banner: str) -> None:  # called once the port is bound, instead of aiohttp's banner
        log.info("%s", listening_line(settings, host, args.port))

    # The first person to talk becomes admin when nobody is: create_app allows it only with --dev.
    web.run_app(
        create_app(settings, first_run_admin=True),
        host=host,
        port=args.port,
        print=listening,
        access_log_class=AccessLog,
    )
    return 0


def listening_line(settings: Settings, host: str, port: int) -> str:
    """Where the server listens and how it runs, for the operator: the one line `serve` logs at start."""
    shown_host = f"[{host}]" if ":" in host else host
    if settings.dev:
        mode = "dev mode"
    else:
        tenants = ", ".join(sorted(settings.tenant_allow_list))
        mode = f"production, app {settings.app_id} ({settings.app_type.value}), tenant(s) {tenants}"
    return f"listening on http://{shown_host}:{port}/api/messages ({mode}, {settings.database_label()})"


def _manifest(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_manifest

    try:
        return cli_manifest.run(args, settings, sys.stdout)
    except cli_manifest.ManifestError as problem:
        raise CliError(str(problem)) from None


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_db
    from storage.db import DatabaseUnavailable

    try:
        return cli_db.run(args, settings)
    except cli_db.DbCommandError as problem:
        raise CliError(str(problem)) from None
    except DatabaseUnavailable as problem:
        raise CliError(f"cannot reach the database: {problem}") from None
    except Exception as problem:  # sqlalchemy raises many kinds for a bad URL or server
        raise CliError(f"database error: {problem}") from None


def _outbox(args: argparse.Namespace, settings: Settings) -> int:
    from dialogs.kernel.clock import SystemClock
    from storage.db import Database, DatabaseUnavailable
    from storage.outbox import OutboxRepository

    db = Database.from_url(settings.database_url)
    outbox = OutboxRepository(db)
    now = SystemClock().now()
    try:
        action = args.outbox_verb or "list"
        if action == "retry":
            if not outbox.retry(args.id, now):
                raise CliError(f"row {args.id} does not exist or is not failed, missed, cancelled or pending")
            print(f"row {args.id} will be sent at the next dispatch")
        elif action == "cancel":
            if not outbox.cancel_by_id(args.id, now):
                raise CliError(f"row {args.id} does not exist or is not pending, failed or missed")
            print(f"row {args.id} cancelled")
        else:
            states = getattr(args, "state", None) or ["pending", "claimed", "failed", "missed"]
            rows = outbox.list(states=states, limit=getattr(args, "limit", 50))
            print(f"{'id':>6}  {'state':<9} {'due (UTC)':<19} {'tries':>5}  {'kind':<24} key / last error")
            for row in rows:
                due = row.due_at.strftime("%Y-%m-%d %H:%M:%S")
                print(f"{row.id:>6}  {row.state:<9} {due:<19} {row.attempts:>5}  {row.kind[:24]:<24} {row.dedup_key}")
                if row.last_error:
                    print(f"{'':>6}  {'':<9} {'':<19} {'':>5}  {'':<24} ! {row.last_error}")
            counts = ", ".join(f"{state} {count}" for state, count in sorted(outbox.count_by_state().items()))
            print(f"{len(rows)} shown; all rows: {counts or 'none'}")
            overdue = outbox.oldest_overdue_seconds(now)
            if overdue:
                print(f"oldest overdue pending row: {overdue:.0f} s")
            print(_dispatcher(db, now))
    except DatabaseUnavailable as problem:
        raise CliError(f"cannot reach the database: {problem}") from None
    finally:
        db.dispose()
    return 0


def _dispatcher(db: Database, now: datetime) -> str:
    """Which instance sends the outbox (the dispatcher role), for the operator."""
    from bot.delivery import DISPATCH_LEASE
    from storage.leases import LeaseRepository

    lease = LeaseRepository(db).get(DISPATCH_LEASE)
    if lease is None or lease.holder is None or lease.lease_until is None:
        return "dispatcher: none (no instance running, or the last one stopped cleanly)"
    left = (lease.lease_until - now).total_seconds()
    state = f"lease {left:.0f} s left" if left >= 0 else f"lease ran out {-left:.0f} s ago: the holder is gone"
    return f"dispatcher: {lease.holder} ({state}; handed over {lease.epoch - 1} times)"


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_export
    from storage.db import Database, DatabaseUnavailable

    db = Database.from_url(settings.database_url)
    try:
        print(
            cli_export.run(
                args,
                db,
                default_locale=settings.default_locale,
                timezone=settings.default_timezone,
                at_risk_percent=settings.capacity_at_risk_percent,
            )
        )
    except cli_export.ExportError as problem:
        raise CliError(str(problem)) from None
    except DatabaseUnavailable as problem:
        raise CliError(f"cannot reach the database: {problem}") from None
    finally:
        db.dispose()
    return 0


def _people(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_people
    from storage import migrate
    from storage.db import Database, DatabaseUnavailable

    db = Database.from_url(settings.database_url)
    try:
        migrate.upgrade(db)
        return cli_people.run(args, db)
    except cli_people.OperatorError as problem:
        raise CliError(str(problem)) from None
    except DatabaseUnavailable as problem:
        raise CliError(f"cannot reach the database: {problem}") from None
    finally:
        db.dispose()


if __name__ == "__main__":
    sys.exit(main())
