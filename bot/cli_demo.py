"""`projectbot demo`: fill the database with the fictional demo portfolio (storage/demo.py), with the people who will
try the bot in it — this computer's user as `projectbot chat` names them, and the Agents Playground's user."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.settings import Settings
from storage import demo, migrate
from storage.db import Database, DatabaseUnavailable

# The user Microsoft 365 Agents Playground always sends (tests/fixtures/agents-playground/03-message-personal.json)
# and the address its roster reports for them (bench/playground/README.md).
PLAYGROUND_USER = demo.Trier(
    tenant_id="00000000-0000-0000-0000-0000000000001",
    aad_object_id="00000000-0000-0000-0000-0000000000020",
    name="Alex Wilber",
    teams_user_id="user-id-0",
    email="alexw@example.com",
)


def add_parser(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = verbs.add_parser(
        "demo",
        help="fill the database with a fictional demo portfolio to try the bot (once; refused on real data)",
        description="Loads a dozen fictional projects with their teams, hours, status, milestones, risks, meetings "
        "and handovers. You are in it: this computer's user in `projectbot chat`, and Alex Wilber in Agents "
        "Playground. Run it once; a second run changes nothing.",
    )
    parser.add_argument("--force", action="store_true", help="load it even though the database has projects of its own")


def run(args: argparse.Namespace, settings: Settings, *, out: TextIO | None = None, now: datetime | None = None) -> int:
    """The exit status: 0 loaded or already there, 2 refused or unreachable (said on stderr)."""
    from bot.chat.activities import ChatUser  # the chat's user, named as `projectbot chat` names them

    out = out or sys.stdout
    chat_user = ChatUser.local()
    you = demo.Trier(chat_user.tenant_id, chat_user.aad_object_id, chat_user.name, chat_user.teams_id)
    now = now or datetime.now(ZoneInfo("UTC"))
    today = now.astimezone(ZoneInfo(settings.default_timezone)).date()
    db = Database.from_url(settings.database_url)
    try:
        migrate.upgrade(db)
        done = demo.load(db, [you, PLAYGROUND_USER], now=now, today=today, force=args.force)
    except DatabaseUnavailable as problem:
        print(f"projectbot demo: cannot reach the database: {problem}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    where = settings.database_location() or settings.database_url.split("@")[-1]
    return _report(done, you, where, out)


def _report(done: demo.DemoOutcome, you: demo.Trier, where: object, out: TextIO) -> int:
    if done.outcome == "already":
        print(f"the demo data is already in {where} ({len(done.projects)} projects); nothing changed", file=out)
        return 0
    if done.outcome == "refused":
        listed = ", ".join(done.projects[:8]) + (", ..." if len(done.projects) > 8 else "")
        if done.reason == "codes_taken":
            why = f"projects of its own use the demo's codes ({listed}); nothing changed"
        else:
            why = (
                f"{where} has projects of its own ({len(done.projects)}: {listed}), and the demo would mix "
                "fictional data into them; nothing changed. Use another database (DATABASE_URL=sqlite:///demo.db) "
                "or add --force"
            )
        print(f"projectbot demo: {why}", file=sys.stderr)
        return 2
    print(
        f"demo data loaded into {where}: {len(done.projects)} fictional projects ({', '.join(done.projects)}), "
        f"{done.people} people, {done.time_entries} time entries.\n"
        f"You are in it:\n"
        f"  in `projectbot chat` (make chat) as {you.name}, coordinator of DT-042, DT-051, TI-017 and TI-025;\n"
        f"  in Agents Playground (make run) as {PLAYGROUND_USER.name}, coordinator of DT-038 and TI-031, on the "
        "team of DT-042;\n"
        "  both are managers of both domains. The first to talk to the bot becomes its admin.\n"
        "Try: projecten, uren, status DT-042, budget DT-042, overzicht, hulp "
        "(or: projects, timesheet, status DT-042, budget DT-042, portfolio, help)",
        file=out,
    )
    return 0
