"""`projectbot manifest`: the Teams app package, with the publisher's details from settings or flags, the 10 most
useful commands per scope in the command menu (bot/manifest.py: MENU_RANKING), and a report of what was left out."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.manifest import Publisher

# How the report names the manifest's scopes.
SCOPE_NAMES = {"personal": "personal chat", "team": "team channels", "groupChat": "group chats"}


class ManifestError(Exception):
    """A problem the operator can fix; the CLI prints it without a stack trace."""


def add_parser(verbs: Any) -> None:
    manifest = verbs.add_parser("manifest", help="build the Teams app package (zip) to upload to Teams")
    manifest.add_argument("--out", type=Path, default=Path("build/projectbot.zip"), help="zip file to write")
    manifest.add_argument("--version", default="1.0.0", help="app version in the manifest (x.y.z)")
    manifest.add_argument("--domain", action="append", default=[], help="a valid domain for the app (repeatable)")
    publisher = manifest.add_argument_group("publisher (Teams shows these in the app's details)")
    publisher.add_argument("--developer-name", help="who publishes the app (default PROJECTBOT_DEVELOPER_NAME)")
    publisher.add_argument("--website-url", help="https URL of its website (default PROJECTBOT_WEBSITE_URL)")
    publisher.add_argument("--privacy-url", help="https URL of its privacy statement (default PROJECTBOT_PRIVACY_URL)")
    publisher.add_argument("--terms-url", help="https URL of its terms of use (default PROJECTBOT_TERMS_URL)")
    publisher.add_argument(
        "--allow-placeholders",
        action="store_true",
        help="build with example.org publisher details where none are set (to try the package, never to publish)",
    )


def run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    # Lazily, like every verb: the registry imports every capability.
    from bot.manifest import build_app_package, choose_menus, command_texts
    from dialogs.app import build_router

    if not settings.app_id:
        raise ManifestError(
            "MICROSOFT_APP_ID is not set: the package names the bot by its app id, the client id (a GUID) of its "
            "Entra app registration. Set it in the environment or in .env, e.g. "
            "`MICROSOFT_APP_ID=<guid> make manifest`."
        )
    publisher = _publisher(args, settings)
    placeholders = publisher.placeholders()
    if placeholders and not args.allow_placeholders:
        raise ManifestError(
            "the publisher details Teams shows are still the examples (example.org); set "
            + ", ".join(placeholders)
            + ". To build a package only to try it, add --allow-placeholders."
        )
    commands = build_router().commands()
    texts = {language: command_texts(commands, language) for language in ("nl", "en")}
    choice = choose_menus(list(texts["nl"]))
    try:
        written = build_app_package(
            args.out,
            bot_id=settings.app_id,
            commands=choice.texts(texts),
            version=args.version,
            valid_domains=args.domain or None,
            developer_name=publisher.developer_name,
            website_url=publisher.website_url,
            privacy_url=publisher.privacy_url,
            terms_of_use_url=publisher.terms_of_use_url,
        )
    except ValueError as problem:
        raise ManifestError(str(problem)) from None
    _report(choice.menus, choice.left_out, out)
    if placeholders:
        print("example publisher details in this package (--allow-placeholders): " + ", ".join(placeholders), file=out)
    print(f"wrote {written}", file=out)
    return 0


def _publisher(args: argparse.Namespace, settings: Settings) -> Publisher:
    from bot.manifest import Publisher

    example = Publisher()
    return Publisher(
        developer_name=args.developer_name or settings.developer_name or example.developer_name,
        website_url=args.website_url or settings.website_url or example.website_url,
        privacy_url=args.privacy_url or settings.privacy_url or example.privacy_url,
        terms_of_use_url=args.terms_url or settings.terms_url or example.terms_of_use_url,
    )


def _report(menus: Mapping[str, list[str]], left_out: Mapping[str, list[str]], out: TextIO) -> None:
    """The menu per scope and what it leaves out, once: scopes with the same menu are named together."""
    print("command menu (Teams shows at most 10 per scope; every command still works when typed):", file=out)
    for scopes, names in _grouped(menus).items():
        print(f"  {scopes}: {', '.join(names)}", file=out)
        left = left_out[_first_scope(menus, names)]
        print(f"    left out: {', '.join(left) if left else 'nothing'}", file=out)


def _grouped(menus: Mapping[str, list[str]]) -> dict[str, list[str]]:
    groups: dict[tuple[str, ...], list[str]] = {}
    for scope, names in menus.items():
        groups.setdefault(tuple(names), []).append(SCOPE_NAMES[scope])
    return {" and ".join(scopes): list(names) for names, scopes in groups.items()}


def _first_scope(menus: Mapping[str, list[str]], names: list[str]) -> str:
    return next(scope for scope, chosen in menus.items() if chosen == names)
