"""Builds the Teams app package (manifest.json, icons, localization files) that an admin uploads to Teams.

The sources are the top-level `manifest/` folder (its docstring lists the placeholders): this module fills the
manifest template's `{{NAME}}` placeholders and the command lists, adds the commands to each localization file,
checks what Teams would reject, and zips it all, every file at the zip's root as Teams requires:

- ``manifest.json`` (schema 1.22), written in the default language, Dutch (``nl-BE``);
- ``color.png`` (192x192) and ``outline.png`` (32x32, white on transparent), copied as they are;
- one localization file per additional language (``en.json``), so a Teams client in that language sees the
  app's descriptions and the bot's command titles in it. Teams picks the file by the client's language and
  falls back from ``en-GB`` to ``en`` and then to the manifest's own (Dutch) strings.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
import re
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cards.i18n import Language, catalog, translator

if TYPE_CHECKING:
    from dialogs.kernel.router import Command

_log = logging.getLogger(__name__)

# Placeholders an operator overrides with their organisation's pages (example.org is reserved for examples).
DEFAULT_DEVELOPER_NAME = "Intercommunale IT"
DEFAULT_WEBSITE_URL = "https://projectbot.example.org"
DEFAULT_PRIVACY_URL = "https://projectbot.example.org/privacy"
DEFAULT_TERMS_OF_USE_URL = "https://projectbot.example.org/terms"

# The scopes of the manifest's command lists, each filled through its own placeholder in manifest/manifest.json.
SCOPES = ("personal", "team", "groupChat")
_SCOPE_PLACEHOLDERS = {"personal": "PERSONAL_COMMANDS", "team": "TEAM_COMMANDS", "groupChat": "GROUP_CHAT_COMMANDS"}

# Teams' command menu (under the compose box) holds at most 10 commands per scope: these are they, by command name
# (the registrations in dialogs/), most useful first. In a personal chat a coordinator logs time and follows their
# own projects; in a working group's channel or group chat the team meets and follows one project up together. Every
# other command anyone may type is left out of the menu (`projectbot manifest` names them) but works as before.
MENU_RANKING: dict[str, tuple[str, ...]] = {
    "personal": (
        "log",
        "timesheet",
        "projects",
        "status",
        "update",
        "project",
        "budget",
        "milestones",
        "settings",
        "help",
    ),
    "team": (
        "status",
        "update",
        "new meeting",
        "meetings",
        "agenda",
        "actions",
        "project",
        "milestones",
        "risks",
        "help",
    ),
}
MENU_RANKING["groupChat"] = MENU_RANKING["team"]  # a working group's group chat is used as its channel is

CommandPair = tuple[str, str]  # (title as typed, description)
# Per language: one list for every scope, or a list per scope.
CommandLists = Sequence[CommandPair] | Mapping[str, Sequence[CommandPair]]

# Teams' documented limits for a bot's command menu. The 1.22 schema itself allows longer strings (128/4000),
# but Teams clients cut titles beyond 32 and descriptions beyond 128 characters, and 10 is the schema's cap.
MAX_COMMANDS = 10
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128

MANIFEST_FILE = "manifest.json"
ICONS = ("color.png", "outline.png")

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_MAX_VALID_DOMAINS = 16  # schema limit
# A fixed timestamp makes the zip byte-for-byte reproducible, so a rebuild without changes is recognisable.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def build_app_package(
    out: Path,
    *,
    bot_id: str,
    commands: Mapping[str, CommandLists],
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
    shows them: one list for every scope, or a list per scope (personal, team, groupChat; see choose_menus). Dutch
    is required; every language gets the same commands in the same order, because a localization file can only
    translate entries the manifest already has. Per list, only the first ``MAX_COMMANDS`` are kept (choose_menus
    picks them by MENU_RANKING before); a title is cut to ``MAX_COMMAND_TITLE`` characters without an ellipsis (Teams
    inserts the title into the compose box, so it has to stay a typeable command) and a description is
    shortened to ``MAX_COMMAND_DESCRIPTION`` characters ending in "…". A language without commands is left out
    of the package (its localization file and its entry in the manifest).

    ``app_id`` is the Teams app id; it defaults to the bot id, which is the usual choice for a bot-only app.
    Raises ValueError for input Teams would reject (an id that is no GUID, a version that is not x.y.z, a
    non-https developer URL, a language without listing texts, command lists that differ in length).
    """
    manifest_template = template(MANIFEST_FILE)
    default_language = default_language_of(manifest_template)
    limited = {language: _per_scope(lists) for language, lists in commands.items()}
    _check_languages(limited, default_language, additional_languages(manifest_template))
    manifest = build_manifest(
        manifest_template,
        bot_id=bot_id,
        commands=limited[default_language],
        version=version,
        valid_domains=valid_domains,
        app_id=app_id,
        developer=_developer(developer_name, website_url, privacy_url, terms_of_use_url),
        languages=[language for language in limited if language != default_language],
    )
    files: dict[str, bytes] = {MANIFEST_FILE: _json_bytes(manifest)}
    files.update({name: _source(name) for name in ICONS})
    for language, pairs in limited.items():
        if language != default_language:
            name = additional_languages(manifest)[language]
            files[name] = _json_bytes(build_localization(template(name), manifest, pairs))
    _write_zip(out, files)
    return out


@dataclass(frozen=True)
class Publisher:
    """Who publishes the app and its pages, as Teams' app details show them (PROJECTBOT_DEVELOPER_NAME, ...)."""

    developer_name: str = DEFAULT_DEVELOPER_NAME
    website_url: str = DEFAULT_WEBSITE_URL
    privacy_url: str = DEFAULT_PRIVACY_URL
    terms_of_use_url: str = DEFAULT_TERMS_OF_USE_URL

    def placeholders(self) -> list[str]:
        """The fields that still hold the example values, by the setting and the flag that change them."""
        example = Publisher()
        return [_PUBLISHER_SOURCES[f.name] for f in fields(self) if getattr(self, f.name) == getattr(example, f.name)]


_PUBLISHER_SOURCES = {
    "developer_name": "PROJECTBOT_DEVELOPER_NAME (--developer-name)",
    "website_url": "PROJECTBOT_WEBSITE_URL (--website-url)",
    "privacy_url": "PROJECTBOT_PRIVACY_URL (--privacy-url)",
    "terms_of_use_url": "PROJECTBOT_TERMS_URL (--terms-url)",
}


@dataclass(frozen=True)
class MenuChoice:
    """Per scope: the command names in the menu, in MENU_RANKING's order, and the others left out of it."""

    menus: dict[str, list[str]]
    left_out: dict[str, list[str]]

    def texts(self, texts: Mapping[str, Mapping[str, CommandPair]]) -> dict[str, dict[str, list[CommandPair]]]:
        """build_app_package's `commands`: per language, per scope, the (title, description) of each chosen name."""
        return {
            language: {scope: [by_name[name] for name in names] for scope, names in self.menus.items()}
            for language, by_name in texts.items()
        }


def choose_menus(available: Sequence[str], ranking: Mapping[str, Sequence[str]] = MENU_RANKING) -> MenuChoice:
    """The MAX_COMMANDS best-ranked of the `available` command names per scope, and what is left out. A ranked
    name nobody registered is an error (a typo, or a command that was renamed)."""
    menus: dict[str, list[str]] = {}
    left_out: dict[str, list[str]] = {}
    for scope in SCOPES:
        unknown = [name for name in ranking[scope] if name not in available]
        if unknown:
            raise ValueError(f"MENU_RANKING[{scope!r}] names command(s) {unknown} that no capability registers")
        menus[scope] = list(ranking[scope][:MAX_COMMANDS])
        left_out[scope] = [name for name in available if name not in menus[scope]]
    return MenuChoice(menus, left_out)


def command_texts(commands: Sequence[Command], language: Language) -> dict[str, CommandPair]:
    """The menu's candidates: command name -> (the phrase a person types, its description) for every command that
    anyone may use and that has a description (the help menu's, else `manifest.command.<name>` in the catalog).
    Commands only some roles may use stay out, the manifest's menu being the same for everyone."""
    t = translator(language)
    known = catalog(language)
    texts: dict[str, CommandPair] = {}
    for command in commands:
        if command.menu is not None and command.menu.requires is not None:
            continue
        key = command.menu.description_key if command.menu else f"manifest.command.{command.name.replace(' ', '_')}"
        if key in known:
            texts[command.name] = (command.phrases[language][0], _plain(t(key)))
    return texts


def _plain(text: str) -> str:
    """Teams shows a command's description as it is: no **bold**."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text)


def template(name: str) -> dict[str, Any]:
    """A JSON source of the package, as it is in `manifest/` (placeholders unfilled)."""
    document: dict[str, Any] = json.loads(_source(name).decode("utf-8"))
    return document


def default_language_of(manifest: Mapping[str, Any]) -> str:
    """The language of the manifest's own strings ("nl" for "nl-BE"): its commands go in the manifest itself."""
    return str(manifest["localizationInfo"]["defaultLanguageTag"]).split("-")[0].lower()


def additional_languages(manifest: Mapping[str, Any]) -> dict[str, str]:
    """The manifest's additional languages: language tag -> localization file name."""
    entries = manifest["localizationInfo"].get("additionalLanguages", [])
    return {str(entry["languageTag"]): str(entry["file"]) for entry in entries}


def _per_scope(lists: CommandLists) -> dict[str, list[CommandPair]]:
    """Every scope's list, limited (limit_commands); one list given serves every scope."""
    if isinstance(lists, Mapping):
        missing = [scope for scope in SCOPES if scope not in lists]
        if missing:
            raise ValueError(f"no command list for scope(s) {missing}")
        return {scope: limit_commands(lists[scope]) for scope in SCOPES}
    return {scope: limit_commands(lists) for scope in SCOPES}


def limit_commands(pairs: Sequence[CommandPair]) -> list[CommandPair]:
    """Applies Teams' command menu limits (count, title and description length); see build_app_package. Which
    commands make the menu is choose_menus' decision, made before; beyond MAX_COMMANDS the rest is cut."""
    limited: list[CommandPair] = []
    for title, description in pairs[:MAX_COMMANDS]:
        short_title = title.strip()[:MAX_COMMAND_TITLE].rstrip()
        if not short_title:
            raise ValueError("a bot command needs a non-empty title")
        limited.append((short_title, _shorten(description.strip(), MAX_COMMAND_DESCRIPTION)))
    return limited


def build_manifest(
    manifest_template: Mapping[str, Any],
    *,
    bot_id: str,
    commands: Mapping[str, Sequence[CommandPair]],
    version: str,
    valid_domains: Sequence[str] | None,
    app_id: str | None,
    developer: dict[str, str],
    languages: Sequence[str],
) -> dict[str, Any]:
    """The manifest template filled in, for already limited ``commands`` (per scope) in the default language; of the
    template's additional languages, only ``languages`` are kept."""
    bot_guid = _guid(bot_id, "bot_id")
    if not _SEMVER.match(version):
        raise ValueError(f"version must be MAJOR.MINOR.PATCH (Teams requires it), got {version!r}")
    domains = list(valid_domains or [])
    if len(domains) > _MAX_VALID_DOMAINS:
        raise ValueError(f"Teams allows at most {_MAX_VALID_DOMAINS} valid domains, got {len(domains)}")
    values: dict[str, Any] = {
        "APP_ID": _guid(app_id, "app_id") if app_id else bot_guid,
        "BOT_ID": bot_guid,
        "VERSION": version,
        "DEVELOPER_NAME": developer["name"],
        "WEBSITE_URL": developer["websiteUrl"],
        "PRIVACY_URL": developer["privacyUrl"],
        "TERMS_OF_USE_URL": developer["termsOfUseUrl"],
        "VALID_DOMAINS": domains,
    }
    for scope, placeholder in _SCOPE_PLACEHOLDERS.items():
        values[placeholder] = [{"title": title, "description": description} for title, description in commands[scope]]
    manifest: dict[str, Any] = fill(manifest_template, values)
    info = manifest["localizationInfo"]
    kept = [entry for entry in info.get("additionalLanguages", []) if entry["languageTag"] in languages]
    if kept:
        info["additionalLanguages"] = kept
    else:
        info.pop("additionalLanguages", None)
    return manifest


def build_localization(
    localization_template: Mapping[str, Any],
    manifest: Mapping[str, Any],
    commands: Mapping[str, Sequence[CommandPair]],
) -> dict[str, Any]:
    """A localization file: the template's listing texts, plus the command texts (per scope) keyed by their path in
    the manifest."""
    localization = dict(localization_template)
    # Keys must address the manifest's own arrays: each command list by its scope, each command by its place.
    for bot_index, bot in enumerate(manifest.get("bots", [])):
        for list_index, command_list in enumerate(bot.get("commandLists", [])):
            (scope,) = command_list["scopes"]
            for command_index, (title, description) in enumerate(commands[scope]):
                key = f"bots[{bot_index}].commandLists[{list_index}].commands[{command_index}]"
                localization[f"{key}.title"] = title
                localization[f"{key}.description"] = description
    return localization


def fill(document: Any, values: Mapping[str, Any]) -> Any:
    """The template with its placeholders filled: a string that is one `{{NAME}}` becomes the value (a list, say);
    a placeholder inside a longer string is replaced by the value's text. A placeholder without a value is an
    error (a typo in the template)."""
    if isinstance(document, dict):
        return {key: fill(value, values) for key, value in document.items()}
    if isinstance(document, list):
        return [fill(item, values) for item in document]
    if not isinstance(document, str):
        return document
    whole = _PLACEHOLDER.fullmatch(document)
    if whole is not None:
        return _value(whole.group(1), values)
    return _PLACEHOLDER.sub(lambda match: str(_value(match.group(1), values)), document)


def _value(name: str, values: Mapping[str, Any]) -> Any:
    if name not in values:
        raise ValueError(f"the manifest template has a placeholder {{{{{name}}}}} that nothing fills")
    return values[name]


def _check_languages(
    commands: Mapping[str, Mapping[str, Sequence[CommandPair]]], default_language: str, additional: Mapping[str, str]
) -> None:
    if default_language not in commands:
        raise ValueError(f"commands must include the default language {default_language!r}")
    known = {default_language, *additional}
    unknown = sorted(set(commands) - known)
    if unknown:
        raise ValueError(f"no listing texts for language(s) {unknown}; known: {sorted(known)}")
    for scope in SCOPES:
        expected = len(commands[default_language][scope])
        for language, lists in commands.items():
            if len(lists[scope]) != expected:
                raise ValueError(
                    f"{language!r} has {len(lists[scope])} {scope} commands but {default_language!r} has {expected}: "
                    "a localization file can only translate the manifest's own commands"
                )


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


def _source(name: str) -> bytes:
    return (importlib.resources.files("manifest") / name).read_bytes()


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
