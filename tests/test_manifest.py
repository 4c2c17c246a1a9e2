"""The Teams app package: schema-valid manifest and localization, icons Teams accepts, nl and en commands."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from bot import manifest as m
from manifest import make_icons

SCHEMAS = Path(__file__).parent / "schemas" / "teams"
MANIFEST_TEMPLATE = m.template("manifest.json")
ENGLISH_TEMPLATE = m.template("en.json")
BOT_ID = "8f2c1e5a-3b4d-4c6e-9f10-1a2b3c4d5e6f"

COMMANDS: dict[str, list[tuple[str, str]]] = {
    "nl": [
        ("help", "Toon wat ik voor je kan doen"),
        ("uren", "Registreer gewerkte uren op een project"),
        ("status", "Geef de status van een project door"),
    ],
    "en": [
        ("help", "Show what I can do for you"),
        ("time", "Log hours worked on a project"),
        ("status", "Report a project's status"),
    ],
}


def _schema_validator(file_name: str) -> Draft4Validator:
    schema = json.loads((SCHEMAS / file_name).read_text(encoding="utf-8"))
    # Both vendored schemas declare draft-04; check that before trusting the validator class.
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _schema_errors(file_name: str, document: dict[str, Any]) -> list[str]:
    validator = _schema_validator(file_name)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _build(tmp_path: Path, commands: dict[str, list[tuple[str, str]]] = COMMANDS, **kwargs: Any) -> Path:
    return m.build_app_package(tmp_path / "build" / "projectbot.zip", bot_id=BOT_ID, commands=commands, **kwargs)


def _read(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _json(files: dict[str, bytes], name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(files[name].decode("utf-8"))
    return document


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    return _read(_build(tmp_path))


# --- PNG reading: just enough of the format to check what Teams checks --------------------------------------


def _png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from the IHDR chunk, which PNG requires to come first."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour_type


def _png_rgba(data: bytes) -> list[list[tuple[int, ...]]]:
    """Decodes an 8-bit RGBA, non-interlaced PNG into rows of pixels (all five scanline filters handled)."""
    width, height, depth, colour_type = _png_header(data)
    assert (depth, colour_type, data[28]) == (8, 6, 0), "expected 8-bit RGBA, not interlaced"
    idat, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw, stride, bpp = zlib.decompress(idat), width * 4, 4
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filter_type, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _unfilter(filter_type, a, b, c)) & 0xFF
        rows.append(line)
        previous = line
    return [[tuple(row[x : x + 4]) for x in range(0, stride, 4)] for row in rows]


def _unfilter(filter_type: int, a: int, b: int, c: int) -> int:
    if filter_type == 0:
        return 0
    if filter_type == 1:
        return a
    if filter_type == 2:
        return b
    if filter_type == 3:
        return (a + b) // 2
    assert filter_type == 4
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


# --- the package --------------------------------------------------------------------------------------------


def test_package_holds_manifest_icons_and_localization_at_its_root(tmp_path: Path) -> None:
    package = _build(tmp_path)

    assert package == tmp_path / "build" / "projectbot.zip"
    assert set(_read(package)) == {"manifest.json", "color.png", "outline.png", "en.json"}


def test_manifest_is_valid_against_the_teams_1_22_schema(files: dict[str, bytes]) -> None:
    manifest = _json(files, "manifest.json")

    assert _schema_errors("MicrosoftTeams.schema.json", manifest) == []
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    )


def test_english_localization_is_valid_against_the_localization_schema(files: dict[str, bytes]) -> None:
    localization = _json(files, "en.json")

    assert _schema_errors("MicrosoftTeams.Localization.schema.json", localization) == []
    assert localization["$schema"].endswith("/teams/v1.22/MicrosoftTeams.Localization.schema.json")
    assert localization["description.short"] == ENGLISH_TEMPLATE["description.short"]


def test_localization_info_points_at_files_in_the_package(files: dict[str, bytes]) -> None:
    info = _json(files, "manifest.json")["localizationInfo"]

    assert info["defaultLanguageTag"] == "nl-BE"
    assert info["additionalLanguages"] == [{"languageTag": "en", "file": "en.json"}]
    referenced = [language["file"] for language in info["additionalLanguages"]]
    referenced += [info["defaultLanguageFile"]] if "defaultLanguageFile" in info else []
    assert all(name in files for name in referenced)


def test_every_localization_key_addresses_an_existing_manifest_string(files: dict[str, bytes]) -> None:
    manifest = _json(files, "manifest.json")
    localization = _json(files, "en.json")

    for key in localization:
        if key == "$schema":
            continue
        node: Any = manifest
        for name, index in re.findall(r"([^.\[\]]+)(?:\[(\d+)\])?", key):
            node = node[name]
            if index:
                node = node[int(index)]
        assert isinstance(node, str), key


def test_manifest_is_dutch_and_english_clients_get_english(files: dict[str, bytes]) -> None:
    manifest = _json(files, "manifest.json")
    localization = _json(files, "en.json")

    assert (
        manifest["description"]["short"] == "Uren, projectstatus, vergaderingen en overdrachten, rechtstreeks in Teams."
    )
    assert manifest["name"] == {"short": "projectbot", "full": "projectbot — projectopvolging in Teams"}
    assert localization["description.short"] == "Time, project status, meetings and handovers, right inside Teams."
    assert localization["name.short"] == "projectbot"


def test_bot_entry_has_the_bot_id_scopes_and_file_support(files: dict[str, bytes]) -> None:
    manifest = _json(files, "manifest.json")
    (bot,) = manifest["bots"]

    assert bot["botId"] == BOT_ID
    assert manifest["id"] == BOT_ID  # a bot-only app uses the bot's id unless told otherwise
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is True
    assert [command_list["scopes"] for command_list in bot["commandLists"]] == [
        ["personal"],
        ["team"],
        ["groupChat"],
    ]


def test_commands_are_listed_in_dutch_and_translated_to_english(files: dict[str, bytes]) -> None:
    manifest = _json(files, "manifest.json")
    localization = _json(files, "en.json")

    for list_index, command_list in enumerate(manifest["bots"][0]["commandLists"]):
        assert [(c["title"], c["description"]) for c in command_list["commands"]] == COMMANDS["nl"]
        english = [
            (
                localization[f"bots[0].commandLists[{list_index}].commands[{i}].title"],
                localization[f"bots[0].commandLists[{list_index}].commands[{i}].description"],
            )
            for i in range(len(COMMANDS["en"]))
        ]
        assert english == COMMANDS["en"]


def test_icons_have_the_sizes_teams_requires(files: dict[str, bytes]) -> None:
    assert _png_header(files["color.png"])[:2] == (192, 192)
    assert _png_header(files["outline.png"])[:2] == (32, 32)


def test_outline_icon_is_white_on_transparent(files: dict[str, bytes]) -> None:
    pixels = [pixel for row in _png_rgba(files["outline.png"]) for pixel in row]

    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels if pixel[3] > 0)
    assert any(pixel[3] == 0 for pixel in pixels)
    assert any(pixel[3] == 255 for pixel in pixels)


def test_color_icon_background_is_the_accent_color(files: dict[str, bytes]) -> None:
    pixels = _png_rgba(files["color.png"])
    accent = tuple(bytes.fromhex(_json(files, "manifest.json")["accentColor"][1:]))

    assert pixels[0][0] == (*accent, 255)
    assert all(pixel[3] == 255 for row in pixels for pixel in row)  # solid, as the guidelines ask


def test_committed_icons_are_what_the_generator_makes(files: dict[str, bytes]) -> None:
    assert files["color.png"] == make_icons.color_icon()
    assert files["outline.png"] == make_icons.outline_icon()


def test_the_templates_have_placeholders_and_the_package_has_none(files: dict[str, bytes]) -> None:
    template = json.dumps(MANIFEST_TEMPLATE)

    for placeholder in ("APP_ID", "BOT_ID", "VERSION", "DEVELOPER_NAME", "PRIVACY_URL", "COMMANDS"):
        assert "{{" + placeholder + "}}" in template
    assert not any(b"{{" in data for name, data in files.items() if name.endswith(".json"))


def test_a_placeholder_nothing_fills_is_refused() -> None:
    with pytest.raises(ValueError, match="TYPO"):
        m.fill({"id": "{{APP_ID}}", "name": "app {{TYPO}}"}, {"APP_ID": "x"})


def test_a_placeholder_inside_a_string_is_filled_as_text() -> None:
    filled = m.fill(
        {"url": "https://{{HOST}}/privacy", "domains": "{{DOMAINS}}"}, {"HOST": "a.be", "DOMAINS": ["a.be"]}
    )

    assert filled == {"url": "https://a.be/privacy", "domains": ["a.be"]}


# --- limits and options -------------------------------------------------------------------------------------


def test_a_too_long_command_title_is_cut_to_32_characters(tmp_path: Path) -> None:
    long_title = "registreer-uren-voor-het-project-van-vandaag"
    commands = {"nl": [(long_title, "x" * 300)], "en": [("log-time-for-todays-project-and-more-words", "y")]}

    files = _read(_build(tmp_path, commands))
    (command,) = _json(files, "manifest.json")["bots"][0]["commandLists"][0]["commands"]
    localization = _json(files, "en.json")

    assert command["title"] == long_title[:32]
    assert len(command["description"]) == 128
    assert command["description"].endswith("…")
    assert len(localization["bots[0].commandLists[0].commands[0].title"]) == 32


def test_at_most_ten_commands_per_list_are_emitted(tmp_path: Path) -> None:
    commands = {language: [(f"{language}{i}", f"{language} {i}") for i in range(12)] for language in ("nl", "en")}

    files = _read(_build(tmp_path, commands))
    manifest = _json(files, "manifest.json")
    localization = _json(files, "en.json")

    for command_list in manifest["bots"][0]["commandLists"]:
        assert [c["title"] for c in command_list["commands"]] == [f"nl{i}" for i in range(10)]
    assert "bots[0].commandLists[0].commands[9].title" in localization
    assert not any("commands[10]" in key for key in localization)
    assert _schema_errors("MicrosoftTeams.schema.json", manifest) == []
    assert _schema_errors("MicrosoftTeams.Localization.schema.json", localization) == []


def test_developer_version_domains_and_app_id_can_be_overridden(tmp_path: Path) -> None:
    app_id = "0C7E4A1B-2222-4333-8444-555566667777"
    package = _build(
        tmp_path,
        version="2.3.4",
        valid_domains=["projectbot.intercommunale.be"],
        app_id=app_id,
        developer_name="Intercommunale Leiedal",
        website_url="https://www.leiedal.be",
        privacy_url="https://www.leiedal.be/privacy",
        terms_of_use_url="https://www.leiedal.be/voorwaarden",
    )
    manifest = _json(_read(package), "manifest.json")

    assert manifest["version"] == "2.3.4"
    assert manifest["validDomains"] == ["projectbot.intercommunale.be"]
    assert manifest["id"] == app_id.lower()
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["developer"] == {
        "name": "Intercommunale Leiedal",
        "websiteUrl": "https://www.leiedal.be",
        "privacyUrl": "https://www.leiedal.be/privacy",
        "termsOfUseUrl": "https://www.leiedal.be/voorwaarden",
    }
    assert _schema_errors("MicrosoftTeams.schema.json", manifest) == []


def test_default_developer_is_a_placeholder_with_https_urls(files: dict[str, bytes]) -> None:
    developer = _json(files, "manifest.json")["developer"]

    assert developer["name"] == "Intercommunale IT"
    assert all(developer[key].startswith("https://") for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))


def test_dutch_only_commands_give_a_package_without_localization_files(tmp_path: Path) -> None:
    files = _read(_build(tmp_path, {"nl": COMMANDS["nl"]}))
    manifest = _json(files, "manifest.json")

    assert set(files) == {"manifest.json", "color.png", "outline.png"}
    assert manifest["localizationInfo"] == {"defaultLanguageTag": "nl-BE"}
    assert _schema_errors("MicrosoftTeams.schema.json", manifest) == []


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = _build(tmp_path / "a").read_bytes()
    second = _build(tmp_path / "b").read_bytes()

    assert first == second


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bot_id": "not-a-guid"}, "bot_id must be a GUID"),
        ({"app_id": "nope"}, "app_id must be a GUID"),
        ({"version": "1.0"}, "MAJOR.MINOR.PATCH"),
        ({"privacy_url": "http://example.org/privacy"}, "https"),
        ({"developer_name": "x" * 33}, "developer name"),
        ({"valid_domains": [f"d{i}.example.org" for i in range(17)]}, "valid domains"),
        ({"commands": {"en": COMMANDS["en"]}}, "default language"),
        ({"commands": {**COMMANDS, "fr": COMMANDS["en"]}}, "no listing texts"),
        ({"commands": {"nl": COMMANDS["nl"], "en": COMMANDS["en"][:2]}}, "has 2 commands"),
        ({"commands": {"nl": [("   ", "leeg")]}}, "non-empty title"),
    ],
)
def test_input_teams_would_reject_is_refused(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"bot_id": BOT_ID, "commands": COMMANDS, **kwargs}

    with pytest.raises(ValueError, match=message):
        m.build_app_package(tmp_path / "projectbot.zip", **arguments)

    assert not (tmp_path / "projectbot.zip").exists()
