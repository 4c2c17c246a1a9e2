"""Builds the Teams app package (manifest.json, icons, localization files) that an admin uploads to Teams.

The package is a zip with every file at its root, as Teams requires:

- ``manifest.json`` (schema 1.22), written in the default language, Dutch (``nl-BE``);
- ``color.png`` (192x192) and ``outline.png`` (32x32, white on transparent), copied from
  ``bot/manifest_assets``;
- one localization file per additional language (``en.json``), so a Teams client in that language sees the
  app's descriptions and the bot's command titles in it. Teams picks the file by the client's language and
  falls back from ``en-GB`` to ``en`` and then to the manifest's own (Dutch) strings.

The texts below are store-listing content (what the Teams app catalogue shows), not chat messages, which is
why they live here and not in the message catalogues.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
import re
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

MANIFEST_VERSION = "1.22"
_SCHEMA_BASE = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}"
MANIFEST_SCHEMA_URL = f"{_SCHEMA_BASE}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA_URL = f"{_SCHEMA_BASE}/MicrosoftTeams.Localization.schema.json"

DEFAULT_LANGUAGE = "nl"
# The manifest's own strings are Belgian Dutch; additional languages use their plain code ("en") as tag so
# every regional variant of that language (en-US, en-GB, ...) falls back to it.
DEFAULT_LANGUAGE_TAG = "nl-BE"

APP_SHORT_NAME = "projectbot"
# Keep in step with ACCENT in bot/manifest_assets/make_icons.py: Teams shows the colour icon on this colour.
ACCENT_COLOR = "#1F5FAD"

# Placeholders an operator overrides with their organisation's pages (example.org is reserved for examples).
DEFAULT_DEVELOPER_NAME = "Intercommunale IT"
DEFAULT_WEBSITE_URL = "https://projectbot.example.org"
DEFAULT_PRIVACY_URL = "https://projectbot.example.org/privacy"
DEFAULT_TERMS_OF_USE_URL = "https://projectbot.example.org/terms"

# One command list per scope: Teams shows a list only in the scope it names.
BOT_SCOPES = ("personal", "team", "groupChat")

# Teams' documented limits for a bot's command menu. The 1.22 schema itself allows longer strings (128/4000),
# but Teams clients cut titles beyond 32 and descriptions beyond 128 characters, and 10 is the schema's cap.
MAX_COMMANDS = 10
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_MAX_VALID_DOMAINS = 16  # schema limit
_ICONS = ("color.png", "outline.png")
# A fixed timestamp makes the zip byte-for-byte reproducible, so a rebuild without changes is recognisable.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ListingText:
    """The app catalogue texts in one language (limits: full name 100, short 80, full 4000 characters)."""

    name_full: str
    description_short: str
    description_full: str


LISTING_TEXT: Mapping[str, ListingText] = {
    "nl": ListingText(
        name_full="projectbot — projectopvolging in Teams",
        description_short="Uren, projectstatus, vergaderingen en overdrachten, rechtstreeks in Teams.",
        description_full=(
            "projectbot helpt projectcoördinatoren en hun teams om projecten op te volgen zonder Teams te "
            "verlaten. Registreer gewerkte uren, geef de status en het budget van een project door, bereid "
            "vergaderingen voor en volg actiepunten op, en draag lopend werk netjes over aan een collega. "
            "De bot herinnert je op tijd aan wat openstaat en stuurt overzichten en rapporten als bestand. "
            "Je kunt hem gebruiken in een persoonlijke chat, in een groepschat en in een teamkanaal."
        ),
    ),
    "en": ListingText(
        name_full="projectbot — project follow-up in Teams",
        description_short="Time, project status, meetings and handovers, right inside Teams.",
        description_full=(
            "projectbot helps project coordinators and their teams follow up on projects without leaving "
            "Teams. Log the hours you worked, report a project's status and budget, prepare meetings and "
            "follow up on action items, and hand over ongoing work cleanly to a colleague. The bot reminds "
            "you in time of what is still open and sends overviews and reports as files. You can use it in a "
            "personal chat, in a group chat and in a team channel."
        ),
    ),
}


def build_app_package(
    out: Path,
    *,
    bot_id: str,
    commands: dict[str, list[tuple[str, str]]],
    version: str = "1.0.0",
    valid_domains: list[str] | None = None,
    app_id: str | None = None,
    developer_name: str = DEFAULT_DEVELOPER_NAME,
    website_url: str = DEFAULT_WEBSITE_URL,
    privacy_url: str = DEFAULT_PRIVACY_URL,
    terms_of_use_url: str = DEFAULT_TERMS_OF_USE_URL,
) -> Path:
    """Writes the Teams app package zip to ``out`` (parent folders are created) and returns ``out``.

    ``commands`` maps a language ("nl", "en") to (title, description) pairs, in the order the command menu
    shows them. Dutch is required; every language gets the same commands in the same order, because a
    localization file can only translate entries the manifest already has. Per list, only the first
    ``MAX_COMMANDS`` are kept; a title is cut to ``MAX_COMMAND_TITLE`` characters without an ellipsis (Teams
    inserts the title into the compose box, so it has to stay a typeable command) and a description is
    shortened to ``MAX_COMMAND_DESCRIPTION`` characters ending in "…".

    ``app_id`` is the Teams app id; it defaults to the bot id, which is the usual choice for a bot-only app.
    Raises ValueError for input Teams would reject (an id that is no GUID, a version that is not x.y.z, a
    non-https developer URL, a language without listing texts, command lists that differ in length).
    """
    limited = {language: limit_commands(pairs) for language, pairs in commands.items()}
    _check_languages(limited)
    manifest = build_manifest(
        bot_id=bot_id,
        commands=limited[DEFAULT_LANGUAGE],
        version=version,
        valid_domains=valid_domains,
        app_id=app_id,
        developer=_developer(developer_name, website_url, privacy_url, terms_of_use_url),
        additional_languages=[language for language in limited if language != DEFAULT_LANGUAGE],
    )
    files: dict[str, bytes] = {"manifest.json": _json_bytes(manifest)}
    files.update({name: _asset(name) for name in _ICONS})
    for language, pairs in limited.items():
        if language != DEFAULT_LANGUAGE:
            files[_localization_file(language)] = _json_bytes(build_localization(language, pairs))
    _write_zip(out, files)
    return out


def limit_commands(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Applies Teams' command menu limits (count, title and description length); see build_app_package."""
    if len(pairs) > MAX_COMMANDS:
        dropped = len(pairs) - MAX_COMMANDS
        _log.warning("Teams shows at most %d bot commands per list; dropping %d", MAX_COMMANDS, dropped)
    limited: list[tuple[str, str]] = []
    for title, description in pairs[:MAX_COMMANDS]:
        short_title = title.strip()[:MAX_COMMAND_TITLE].rstrip()
        if not short_title:
            raise ValueError("a bot command needs a non-empty title")
        limited.append((short_title, _shorten(description.strip(), MAX_COMMAND_DESCRIPTION)))
    return limited


def build_manifest(
    *,
    bot_id: str,
    commands: Sequence[tuple[str, str]],
    version: str,
    valid_domains: Sequence[str] | None,
    app_id: str | None,
    developer: dict[str, str],
    additional_languages: Sequence[str],
) -> dict[str, Any]:
    """The manifest.json content, in the default language, for already limited ``commands``."""
    bot_guid = _guid(bot_id, "bot_id")
    if not _SEMVER.match(version):
        raise ValueError(f"version must be MAJOR.MINOR.PATCH (Teams requires it), got {version!r}")
    domains = list(valid_domains or [])
    if len(domains) > _MAX_VALID_DOMAINS:
        raise ValueError(f"Teams allows at most {_MAX_VALID_DOMAINS} valid domains, got {len(domains)}")
    text = LISTING_TEXT[DEFAULT_LANGUAGE]
    return {
        "$schema": MANIFEST_SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": _guid(app_id, "app_id") if app_id else bot_guid,
        "localizationInfo": _localization_info(additional_languages),
        "developer": developer,
        "name": {"short": APP_SHORT_NAME, "full": text.name_full},
        "description": {"short": text.description_short, "full": text.description_full},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": bot_guid,
                "scopes": list(BOT_SCOPES),
                # The bot sends exports and reports through the file-consent flow, which needs this flag.
                "supportsFiles": True,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": [scope], "commands": [{"title": t, "description": d} for t, d in commands]}
                    for scope in BOT_SCOPES
                ],
            }
        ],
        "validDomains": domains,
    }


def build_localization(language: str, commands: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A localization file for ``language``: listing texts, plus command texts keyed by manifest path."""
    text = LISTING_TEXT[language]
    localization: dict[str, Any] = {
        "$schema": LOCALIZATION_SCHEMA_URL,
        "name.short": APP_SHORT_NAME,
        "name.full": text.name_full,
        "description.short": text.description_short,
        "description.full": text.description_full,
    }
    # Keys must address the manifest's own arrays, which hold the same commands in every scope's list.
    for list_index in range(len(BOT_SCOPES)):
        for command_index, (title, description) in enumerate(commands):
            key = f"bots[0].commandLists[{list_index}].commands[{command_index}]"
            localization[f"{key}.title"] = title
            localization[f"{key}.description"] = description
    return localization


def _check_languages(commands: Mapping[str, Sequence[tuple[str, str]]]) -> None:
    if DEFAULT_LANGUAGE not in commands:
        raise ValueError(f"commands must include the default language {DEFAULT_LANGUAGE!r}")
    unknown = sorted(set(commands) - set(LISTING_TEXT))
    if unknown:
        raise ValueError(f"no listing texts for language(s) {unknown}; known: {sorted(LISTING_TEXT)}")
    expected = len(commands[DEFAULT_LANGUAGE])
    for language, pairs in commands.items():
        if len(pairs) != expected:
            raise ValueError(
                f"{language!r} has {len(pairs)} commands but {DEFAULT_LANGUAGE!r} has {expected}: "
                "a localization file can only translate the manifest's own commands"
            )


def _localization_info(additional_languages: Sequence[str]) -> dict[str, Any]:
    info: dict[str, Any] = {"defaultLanguageTag": DEFAULT_LANGUAGE_TAG}
    if additional_languages:
        info["additionalLanguages"] = [
            {"languageTag": language, "file": _localization_file(language)} for language in additional_languages
        ]
    return info


def _developer(name: str, website_url: str, privacy_url: str, terms_of_use_url: str) -> dict[str, str]:
    urls = {"websiteUrl": website_url, "privacyUrl": privacy_url, "termsOfUseUrl": terms_of_use_url}
    for field, url in urls.items():
        # The schema also lets http through, but Teams rejects a package whose developer URLs are not https.
        if not url.lower().startswith("https://"):
            raise ValueError(f"developer {field} must be an https URL, got {url!r}")
    if not 0 < len(name) <= 32:
        raise ValueError("developer name must be 1 to 32 characters")
    return {"name": name, **urls}


def _guid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{what} must be a GUID (the Entra app registration's client id), got {value!r}") from None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _localization_file(language: str) -> str:
    return f"{language}.json"


def _asset(name: str) -> bytes:
    return (importlib.resources.files("bot") / "manifest_assets" / name).read_bytes()


def _json_bytes(document: Mapping[str, Any]) -> bytes:
    # UTF-8 without BOM and without \u escapes: Teams reads it as such, and people reading the file can too.
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_zip(out: Path, files: Mapping[str, bytes]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
