"""docs/deploy.md and what it ships beside it, checked offline: every setting named in the guide, compose.yaml, the
env example and the systemd unit is one projectbot reads; the guide's YAML and JSON blocks parse; the unit file is
valid (configparser, and systemd-analyze where installed); the README links the guide."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import DEFAULT_PORT, _parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deploy.md"
UNIT = ROOT / "docs" / "ops" / "projectbot.service"
SETTING_NAME = re.compile(r"\b(?:PROJECTBOT_[A-Z0-9_]*[A-Z0-9]|MICROSOFT_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL)\b")
FILES_NAMING_SETTINGS = [GUIDE, UNIT, ROOT / "compose.yaml", ROOT / "deploy" / "env.example", ROOT / "Dockerfile"]


def setting_names() -> set[str]:
    """Every environment variable Settings reads (its aliases in upper case)."""
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        choices = getattr(alias, "choices", [alias] if isinstance(alias, str) else [])
        names.update(choice for choice in choices if isinstance(choice, str) and choice.isupper())
    return names


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def read_unit() -> configparser.ConfigParser:
    # strict=False: systemd allows a key several times (Environment=); no interpolation: % means something else there.
    unit = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    unit.read_string(UNIT.read_text(encoding="utf-8"))
    return unit


@pytest.mark.parametrize("path", FILES_NAMING_SETTINGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_setting_named_exists(path: Path) -> None:
    named = set(SETTING_NAME.findall(path.read_text(encoding="utf-8")))
    assert named, f"{path.name} names no setting: the pattern is wrong"
    unknown = sorted(named - setting_names())
    assert not unknown, f"{path.relative_to(ROOT)} names settings bot/settings.py does not read: {unknown}"


def test_the_setting_names_are_read_from_settings() -> None:
    """The check above compares against the real list, which holds the ones the guide leans on."""
    assert {"DATABASE_URL", "MICROSOFT_APP_TYPE", "PROJECTBOT_DB_POOL_SIZE", "PROJECTBOT_OUTBOX_PER_SECOND"} <= (
        setting_names()
    )
    assert "PROJECTBOT_NO_SUCH_THING" not in setting_names()


def test_the_guides_yaml_and_json_blocks_parse() -> None:
    yaml_blocks, json_blocks = code_blocks("yaml"), code_blocks("json")
    assert yaml_blocks, "the guide's Container Apps example is YAML"
    for block in yaml_blocks:
        assert isinstance(yaml.safe_load(block), dict)
    for block in json_blocks:
        json.loads(block)


def test_the_container_apps_example_runs_the_image_as_the_dockerfile_does() -> None:
    app = yaml.safe_load(code_blocks("yaml")[0])["properties"]
    assert app["configuration"]["ingress"]["targetPort"] == DEFAULT_PORT
    assert app["template"]["scale"]["minReplicas"] >= 1, "never scale to zero: the scheduler runs in the instances"
    container = app["template"]["containers"][0]
    probes = {probe["type"]: probe["httpGet"] for probe in container["probes"]}
    assert probes == {
        "Startup": {"path": "/readyz", "port": DEFAULT_PORT},
        "Readiness": {"path": "/readyz", "port": DEFAULT_PORT},
        "Liveness": {"path": "/livez", "port": DEFAULT_PORT},
    }
    secrets = {secret["name"] for secret in app["configuration"]["secrets"]}
    referenced = {env["secretRef"] for env in container["env"] if "secretRef" in env}
    assert referenced <= secrets and all("keyVaultUrl" in s for s in app["configuration"]["secrets"])


def test_the_unit_file_runs_projectbot_serve_as_its_own_user() -> None:
    unit = read_unit()
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    program, *arguments = shlex.split(service["ExecStart"])
    assert program == "/opt/projectbot/bin/projectbot"
    args = _parser().parse_args(arguments)
    assert (args.verb, args.host, args.port, args.dev) == ("serve", "127.0.0.1", DEFAULT_PORT, False)
    assert service["User"] == "projectbot" and service["NoNewPrivileges"] == "yes"
    assert int(service["TimeoutStopSec"]) > 9, "a clean stop takes up to 9 s"
    assert service["StateDirectory"] == "projectbot"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_files_writable_directories_are_where_the_bot_writes() -> None:
    # configparser keeps only the last of the repeated Environment= keys: read them from the text.
    lines = re.findall(r"^Environment=(\S+)$", UNIT.read_text(encoding="utf-8"), re.MULTILINE)
    environment = dict(line.split("=", 1) for line in lines)
    assert environment["DATABASE_URL"] == "sqlite:////var/lib/projectbot/projectbot.db"  # StateDirectory


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_key_of_the_unit_file(tmp_path: Path) -> None:
    """systemd-analyze verify also insists the program exists; /bin/true stands in for it (its arguments are
    checked against projectbot's own parser above). Any unknown key or bad value is printed, so none may be."""
    text = UNIT.read_text(encoding="utf-8").replace("/opt/projectbot/bin/projectbot", "/bin/true")
    copy = tmp_path / "projectbot.service"
    copy.write_text(text, encoding="utf-8")
    verified = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, cwd=tmp_path)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr


def test_the_readme_links_the_guide_where_it_explains_deploying() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploy to Teams", 1)[1].split("\n## ", 1)[0]
    assert "](docs/deploy.md)" in section
