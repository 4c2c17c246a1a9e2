"""The Teams app package: schema-valid manifest and localization, icons Teams accepts, nl and en commands."""

from __future__ import annotations

import json
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
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


def _build(tmp_path: Path, commands: Mapping[str, m.CommandLists] = COMMANDS, **kwargs: Any) -> Path:
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

    for placeholder in ("APP_ID", "BOT_ID", "VERSION", "DEVELOPER_NAME", "PRIVACY_URL", "PERSONAL_COMMANDS"):
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
        ({"commands": {"nl": COMMANDS["nl"], "en": COMMANDS["en"][:2]}}, "has 2 personal commands"),
        ({"commands": {"nl": {"personal": COMMANDS["nl"]}}}, r"no command list for scope\(s\) \['team', 'groupChat'\]"),
        ({"commands": {"nl": [("   ", "leeg")]}}, "non-empty title"),
    ],
)
def test_input_teams_would_reject_is_refused(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"bot_id": BOT_ID, "commands": COMMANDS, **kwargs}

    with pytest.raises(ValueError, match=message):
        m.build_app_package(tmp_path / "projectbot.zip", **arguments)

    assert not (tmp_path / "projectbot.zip").exists()


# --- the command menu: ten per scope, by rank -------------------------------------------------------------


def test_each_scope_gets_its_own_list_and_the_english_file_follows_it(tmp_path: Path) -> None:
    personal = {"nl": [("registreer", "Uren")], "en": [("log", "Hours")]}
    channel = {
        "nl": [("vergaderingen", "Komende"), ("agenda", "Punt")],
        "en": [("meetings", "Next"), ("agenda", "Item")],
    }
    commands = {
        language: {"personal": personal[language], "team": channel[language], "groupChat": channel[language]}
        for language in ("nl", "en")
    }

    files = _read(_build(tmp_path, commands))
    manifest = _json(files, "manifest.json")
    localization = _json(files, "en.json")

    lists = manifest["bots"][0]["commandLists"]
    assert [[c["title"] for c in command_list["commands"]] for command_list in lists] == [
        ["registreer"],
        ["vergaderingen", "agenda"],
        ["vergaderingen", "agenda"],
    ]
    assert localization["bots[0].commandLists[0].commands[0].title"] == "log"
    assert localization["bots[0].commandLists[1].commands[1].description"] == "Item"
    assert "bots[0].commandLists[0].commands[1].title" not in localization
    assert _schema_errors("MicrosoftTeams.schema.json", manifest) == []
    assert _schema_errors("MicrosoftTeams.Localization.schema.json", localization) == []


def _registry_texts() -> dict[str, dict[str, tuple[str, str]]]:
    from dialogs.app import build_router

    commands = build_router().commands()
    return {language: m.command_texts(commands, language) for language in ("nl", "en")}


def test_the_menu_is_the_ten_best_ranked_commands_of_each_scope() -> None:
    texts = _registry_texts()
    choice = m.choose_menus(list(texts["nl"]))

    for scope in m.SCOPES:
        assert len(choice.menus[scope]) == m.MAX_COMMANDS
        assert choice.menus[scope] == list(m.MENU_RANKING[scope][: m.MAX_COMMANDS])
        # Nothing is lost: what is not in the menu is reported as left out.
        assert sorted(choice.menus[scope] + choice.left_out[scope]) == sorted(texts["nl"])
    # A coordinator's own chat and a working group's channel need different commands.
    assert {"log", "timesheet", "settings", "status", "update", "project", "budget"} <= set(choice.menus["personal"])
    assert {"new meeting", "meetings", "agenda", "status", "update"} <= set(choice.menus["team"])
    assert choice.menus["groupChat"] == choice.menus["team"]
    assert "log" in choice.left_out["team"] and "new meeting" in choice.left_out["personal"]


def test_every_menu_command_has_its_typed_phrase_and_a_plain_description_in_both_languages() -> None:
    texts = _registry_texts()
    ranked = {name for names in m.MENU_RANKING.values() for name in names}

    assert set(texts["nl"]) == set(texts["en"])
    assert ranked <= set(texts["nl"])  # project, budget, agenda and actions have manifest.command.* descriptions
    assert texts["nl"]["log"][0] == "registreer" and texts["en"]["log"][0] == "log"
    assert texts["en"]["log"][1] == "Hours you worked on a project; with plan, planned hours."  # no **bold**
    assert not any("**" in description for by_name in texts.values() for _, description in by_name.values())
    assert "roles" not in texts["en"]  # only some roles may use it: the menu is the same for everyone


def test_a_ranked_command_nobody_registers_is_refused() -> None:
    ranking = {scope: ("help", "tijdreis") for scope in m.SCOPES}
    with pytest.raises(ValueError, match="tijdreis"):
        m.choose_menus(["help", "log"], ranking)


def test_the_publisher_names_the_settings_still_at_their_example() -> None:
    chosen = m.Publisher(developer_name="Intercommunale Leiedal", website_url="https://www.leiedal.be")

    assert chosen.placeholders() == ["PROJECTBOT_PRIVACY_URL (--privacy-url)", "PROJECTBOT_TERMS_URL (--terms-url)"]
    assert m.Publisher().placeholders()[0] == "PROJECTBOT_DEVELOPER_NAME (--developer-name)"


# --- projectbot manifest ----------------------------------------------------------------------------------

PUBLISHER_SETTINGS = {
    "PROJECTBOT_DEVELOPER_NAME": "Intercommunale Leiedal",
    "PROJECTBOT_WEBSITE_URL": "https://www.leiedal.be",
    "PROJECTBOT_PRIVACY_URL": "https://www.leiedal.be/privacy",
    "PROJECTBOT_TERMS_URL": "https://www.leiedal.be/voorwaarden",
}


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder without .env and an environment without the bot's settings; the package's path."""
    for name in ("MICROSOFT_APP_ID", "MicrosoftAppId", *PUBLISHER_SETTINGS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "build" / "projectbot.zip"


def test_the_command_says_that_it_needs_the_app_id(operator: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["manifest", "--out", str(operator)]) == 2
    assert "MICROSOFT_APP_ID is not set" in capsys.readouterr().err
    assert not operator.exists()


def test_the_command_refuses_example_publisher_details_and_names_each_setting(
    operator: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("MICROSOFT_APP_ID", BOT_ID)
    monkeypatch.setenv("PROJECTBOT_DEVELOPER_NAME", "Intercommunale Leiedal")

    assert main(["manifest", "--out", str(operator), "--website-url", "https://www.leiedal.be"]) == 2

    err = capsys.readouterr().err
    assert "PROJECTBOT_PRIVACY_URL (--privacy-url), PROJECTBOT_TERMS_URL (--terms-url)" in err
    assert "DEVELOPER_NAME" not in err and "WEBSITE_URL" not in err  # those were given
    assert "--allow-placeholders" in err
    assert not operator.exists()


def test_the_command_takes_the_publisher_from_settings_and_flags_and_reports_the_menu_once(
    operator: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.cli import main

    monkeypatch.setenv("MICROSOFT_APP_ID", BOT_ID)
    for name, value in PUBLISHER_SETTINGS.items():
        monkeypatch.setenv(name, value)

    status = main(["manifest", "--out", str(operator), "--terms-url", "https://www.leiedal.be/gebruik"])

    assert status == 0
    manifest = _json(_read(operator), "manifest.json")
    assert manifest["developer"] == {
        "name": "Intercommunale Leiedal",
        "websiteUrl": "https://www.leiedal.be",
        "privacyUrl": "https://www.leiedal.be/privacy",
        "termsOfUseUrl": "https://www.leiedal.be/gebruik",  # the flag wins over the setting
    }
    personal, team, group_chat = manifest["bots"][0]["commandLists"]
    assert [c["title"] for c in personal["commands"]][:3] == ["registreer", "uren", "projecten"]
    assert "nieuwe vergadering" in [c["title"] for c in team["commands"]]
    assert group_chat["commands"] == team["commands"]
    out = capsys.readouterr().out
    assert out.count("left out:") == 2  # once for the personal chat, once for channels and group chats together
    assert "team channels and group chats: status, update, new meeting" in out
    assert out.strip().endswith(f"wrote {operator}")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # no "dropping" warnings any more


def test_placeholders_are_allowed_when_asked_and_said(
    operator: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("MICROSOFT_APP_ID", BOT_ID)

    assert main(["manifest", "--out", str(operator), "--allow-placeholders"]) == 0

    assert _json(_read(operator), "manifest.json")["developer"]["name"] == m.DEFAULT_DEVELOPER_NAME
    assert "example publisher details in this package" in capsys.readouterr().out
