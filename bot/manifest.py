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
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

# Placeholders an operator overrides with their organisation's pages (example.org is reserved for examples).
DEFAULT_DEVELOPER_NAME = "Intercommunale IT"
DEFAULT_WEBSITE_URL = "https://projectbot.example.org"
DEFAULT_PRIVACY_URL = "https://projectbot.example.org/privacy"
DEFAULT_TERMS_OF_USE_URL = "https://projectbot.example.org/terms"

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
    shortened to ``MAX_COMMAND_DESCRIPTION`` characters ending in "…". A language without commands is left out
    of the package (its localization file and its entry in the manifest).

    ``app_id`` is the Teams app id; it defaults to the bot id, which is the usual choice for a bot-only app.
    Raises ValueError for input Teams would reject (an id that is no GUID, a version that is not x.y.z, a
    non-https developer URL, a language without listing texts, command lists that differ in length).
    """
    manifest_template = template(MANIFEST_FILE)
    default_language = default_language_of(manifest_template)
    limited = {language: limit_commands(pairs) for language, pairs in commands.items()}
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
    manifest_template: Mapping[str, Any],
    *,
    bot_id: str,
    commands: Sequence[tuple[str, str]],
    version: str,
    valid_domains: Sequence[str] | None,
    app_id: str | None,
    developer: dict[str, str],
    languages: Sequence[str],
) -> dict[str, Any]:
    """The manifest template filled in, for already limited ``commands`` in the default language; of the template's
    additional languages, only ``languages`` are kept."""
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
        "COMMANDS": [{"title": title, "description": description} for title, description in commands],
        "VALID_DOMAINS": domains,
    }
    manifest: dict[str, Any] = fill(manifest_template, values)
    info = manifest["localizationInfo"]
    kept = [entry for entry in info.get("additionalLanguages", []) if entry["languageTag"] in languages]
    if kept:
        info["additionalLanguages"] = kept
    else:
        info.pop("additionalLanguages", None)
    return manifest


def build_localization(
    localization_template: Mapping[str, Any], manifest: Mapping[str, Any], commands: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """A localization file: the template's listing texts, plus the command texts keyed by their manifest path."""
    localization = dict(localization_template)
    # Keys must address the manifest's own arrays, which hold the same commands in every scope's list.
    for bot_index, bot in enumerate(manifest.get("bots", [])):
        for list_index in range(len(bot.get("commandLists", []))):
            for command_index, (title, description) in enumerate(commands):
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
    commands: Mapping[str, Sequence[tuple[str, str]]], default_language: str, additional: Mapping[str, str]
) -> None:
    if default_language not in commands:
        raise ValueError(f"commands must include the default language {default_language!r}")
    known = {default_language, *additional}
    unknown = sorted(set(commands) - known)
    if unknown:
        raise ValueError(f"no listing texts for language(s) {unknown}; known: {sorted(known)}")
    expected = len(commands[default_language])
    for language, pairs in commands.items():
        if len(pairs) != expected:
            raise ValueError(
                f"{language!r} has {len(pairs)} commands but {default_language!r} has {expected}: "
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
