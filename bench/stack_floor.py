"""The floor under `projectbot serve`'s start time and memory: a server that imports only the libraries
../shared/ARCHITECTURE.md prescribes — aiohttp, SQLModel (SQLAlchemy 2, pydantic), pydantic-settings, the Bot
Framework SDK 4.17 (CloudAdapter), microsoft-teams-cards, APScheduler — builds nothing of the bot, and answers
GET /healthz after a `SELECT 1` on its database. `bench/startup.py --floor` starts it exactly as it starts the
bot, so the two figures compare: what the bot costs beyond its libraries, and what no change to the bot can go below.

    .venv/bin/python bench/stack_floor.py --port 3999 --database-url sqlite:////tmp/floor.db   # by hand
"""

from __future__ import annotations

import argparse
import gc

gc.disable()  # as `serve` starts (bot/heap.py), so the comparison is fair


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()

    import microsoft_teams.cards  # noqa: F401  (the typed card models: imported, as every card module does)
    import pydantic_settings  # noqa: F401
    import sqlmodel
    from aiohttp import web
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    engine = sqlmodel.create_engine(args.database_url)

    async def healthz(_request: web.Request) -> web.Response:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return web.Response(text="ok")

    async def context(_app: web.Application):  # type: ignore[no-untyped-def]
        class Empty:
            APP_ID = ""
            APP_PASSWORD = ""
            APP_TYPE = "MultiTenant"

        CloudAdapter(ConfigurationBotFrameworkAuthentication(Empty()))
        scheduler = AsyncIOScheduler()
        scheduler.start()
        gc.freeze()
        gc.enable()
        yield
        scheduler.shutdown(wait=False)

    app = web.Application()
    app.cleanup_ctx.append(context)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
