"""The container files, checked without a container daemon: the Dockerfile through the official parser (the
`dockerfile` package), compose.yaml against the Compose Specification's JSON schema (vendored in
tests/schemas/compose/), and deploy/Caddyfile against both. tests/replay_image_install.py (run by .ci/run) replays
the image's install steps and health check; docs/deploy.md says what remains unverified."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dockerfile
import jsonschema
import pytest
import yaml

from bot.cli import DEFAULT_PORT, _parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
COMMANDS = dockerfile.parse_file(str(ROOT / "Dockerfile"))
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
BOTS = sorted(name for name, service in COMPOSE["services"].items() if "build" in service)


def stage_commands() -> list[list[dockerfile.Command]]:
    stages: list[list[dockerfile.Command]] = []
    for command in COMMANDS:
        if command.cmd == "FROM":
            stages.append([command])
        elif stages:
            stages[-1].append(command)
    return stages


FINAL = stage_commands()[-1]


def only(stage: list[dockerfile.Command], name: str) -> dockerfile.Command:
    found = [c for c in stage if c.cmd == name]
    assert len(found) == 1, f"the final stage should have one {name}, has {len(found)}"
    return found[0]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for command in (c for c in FINAL if c.cmd == "ENV"):
        env.update(zip(command.value[0::2], command.value[1::2], strict=True))
    return env


def health_url(command: list[str]) -> str:
    found = re.search(r"https?://[^'\" ]+", " ".join(command))
    assert found, f"no URL in the health check {command}"
    return found.group(0)


def served_paths() -> set[str]:
    from bot.http_app import create_app

    app = create_app(Settings(dev=True, database_url="sqlite:///:memory:"))
    return {resource.canonical for resource in app.router.resources()}


# --- Dockerfile -----------------------------------------------------------------------------------------------------


def test_the_image_is_multi_stage_on_the_slim_python_we_test_with() -> None:
    stages = stage_commands()
    assert len(stages) >= 2
    base = next(c.value[0].split("=", 1)[1] for c in COMMANDS if c.cmd == "ARG" and "PYTHON_IMAGE=" in c.value[0])
    version = re.fullmatch(r"python:(\d+\.\d+)-slim(-\w+)?", base)
    assert version, f"the base should be an official slim Python image, is {base}"
    assert version.group(1) == PYPROJECT["tool"]["mypy"]["python_version"]
    assert PYPROJECT["project"]["requires-python"] == f">={version.group(1)}"
    assert all(stage[0].value[0] == "${PYTHON_IMAGE}" for stage in stages), "every stage on the same base"


def test_the_final_stage_installs_nothing_and_has_no_compiler() -> None:
    """Packages come as wheels built elsewhere (--only-binary in the build stage); the final stage only copies the
    virtual environment, so there is no pip install, apt-get or compiler in it."""
    runs = " ".join(c.value[0] for c in FINAL if c.cmd == "RUN")
    for word in ("apt-get", "apk", "pip", "gcc", "build-essential", "make"):
        assert not re.search(rf"\b{word}\b", runs), f"the final stage runs {word}"
    copies = [c for c in FINAL if c.cmd == "COPY"]
    assert [c.flags for c in copies] == [("--from=build",)] and copies[0].value == (
        "/opt/projectbot",
        "/opt/projectbot",
    )


def test_the_build_stage_installs_the_locks_with_hashes_and_binary_wheels_only() -> None:
    build = stage_commands()[0]
    installs = [
        part
        for command in build
        if command.cmd == "RUN"
        for part in command.value[0].split("&&")
        if re.search(r"pip\b.* (install|wheel)\b", part)
    ]
    assert installs
    for install in installs:
        words = shlex.split(install)
        if "-r" in words:
            lock = words[words.index("-r") + 1]
            assert (ROOT / lock).is_file() and lock.startswith("requirements/")
            assert {"--require-hashes", "--only-binary=:all:"} <= set(words), install
        else:
            assert "--no-deps" in words, f"projectbot itself must not pull unlocked dependencies: {install}"
    assert any("requirements/runtime.txt" in i for i in installs)


def test_the_image_copies_every_package_of_the_project() -> None:
    """A new top-level package in pyproject.toml that the Dockerfile does not copy would be missing from the image."""
    packages = {pattern.rstrip("*") for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {c.value[0].rstrip("/") for c in stage_commands()[0] if c.cmd == "COPY"}
    assert packages <= copied, f"not copied into the image: {packages - copied}"
    allowed = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert all(f"!{name}/" in allowed for name in packages) and "!requirements/" in allowed


def test_it_runs_projectbot_serve_on_all_interfaces_as_a_non_root_user() -> None:
    entrypoint, cmd = only(FINAL, "ENTRYPOINT"), only(FINAL, "CMD")
    assert entrypoint.json and cmd.json, "exec form, so the server itself gets SIGTERM"
    assert list(entrypoint.value) == ["projectbot"]
    args = _parser().parse_args(list(cmd.value))
    assert (args.verb, args.host, args.port, args.dev) == ("serve", "0.0.0.0", DEFAULT_PORT, False)
    assert only(FINAL, "EXPOSE").value == (str(DEFAULT_PORT),)
    user = only(FINAL, "USER").value[0]
    assert user.split(":")[0] not in {"root", "0"}
    positions = {c.cmd: i for i, c in enumerate(FINAL)}
    assert positions["USER"] < positions["ENTRYPOINT"], "the server starts as that user"
    assert re.search(rf"useradd .*--uid {user.split(':')[0]}\b", only(FINAL, "RUN").value[0])


def test_the_health_check_asks_the_servers_health_endpoint_without_curl() -> None:
    check = only(FINAL, "HEALTHCHECK")
    assert check.json and check.value[0] == "CMD"
    command = list(check.value[1:])
    assert command[0] == "python", "the slim image has no curl or wget"
    url = urlsplit(health_url(command))
    assert (url.hostname, url.port) == ("127.0.0.1", DEFAULT_PORT)
    assert url.path in served_paths() and url.path in {"/healthz", "/readyz"}
    flags = dict(flag.lstrip("-").split("=") for flag in check.flags)
    assert int(flags["start-period"].rstrip("s")) >= 30, "migrations on start need time"


def test_the_database_dir_is_the_users() -> None:
    env = image_env()
    assert env["DATABASE_URL"] == "sqlite:////data/projectbot.db"
    setup = only(FINAL, "RUN").value[0]
    assert "/data" in setup.split("mkdir -p", 1)[1].split("&&")[0], "/data is not created"
    owned = re.search(r"chown -R projectbot:projectbot ([^&]+)", setup)
    assert owned and "/data" in owned.group(1).split()
    assert env["PATH"].startswith("/opt/projectbot/bin:")


def test_the_drawings_typeface_is_package_data() -> None:
    """The charts' font is read from the installed package (dialogs/kernel/drawing.py): a wheel without it draws with
    Pillow's plain fallback font. Every file in dialogs/kernel/fonts/ must match pyproject.toml's package-data."""
    from dialogs.kernel.drawing import FONT_FILE

    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["dialogs"]
    files = sorted(path.relative_to(ROOT / "dialogs").as_posix() for path in FONT_FILE.parent.iterdir())
    assert f"kernel/fonts/{FONT_FILE.name}" in files and "kernel/fonts/LICENSE_DEJAVU" in files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), f"dialogs/{name} is not package data"


# --- compose.yaml ---------------------------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((ROOT / "tests" / "schemas" / "compose" / "compose-spec.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(COMPOSE)


def test_the_schema_catches_a_misspelt_key() -> None:
    """The vendored schema really rejects what compose would (so the test above is not vacuous)."""
    schema = json.loads((ROOT / "tests" / "schemas" / "compose" / "compose-spec.json").read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(COMPOSE))
    broken["services"]["bot-1"]["depends_on"]["postgres"]["condition"] = "service_ready"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_compose_runs_postgres_two_bot_replicas_and_a_proxy() -> None:
    services = COMPOSE["services"]
    assert BOTS == ["bot-1", "bot-2"]
    assert services["bot-1"] == services["bot-2"], "the replicas are the same service twice"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["proxy"]["image"].startswith("caddy:")


def test_only_the_proxy_publishes_a_port() -> None:
    published = {name: service["ports"] for name, service in COMPOSE["services"].items() if "ports" in service}
    assert list(published) == ["proxy"] and len(published["proxy"]) == 1
    assert published["proxy"][0].endswith(":8080")
    for bot in BOTS:
        assert COMPOSE["services"][bot]["expose"] == [str(DEFAULT_PORT)]


def test_every_service_has_a_health_check_and_waits_for_healthy_dependencies() -> None:
    services = COMPOSE["services"]
    for name, service in services.items():
        assert service["healthcheck"]["test"][0] == "CMD", name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} -> {dependency}"
            assert dependency in services
    assert set(services["proxy"]["depends_on"]) == set(BOTS)
    for bot in BOTS:
        assert set(services[bot]["depends_on"]) == {"postgres"}
        assert services[bot]["healthcheck"]["test"][1:] == list(only(FINAL, "HEALTHCHECK").value[1:])


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message}, for the values given."""
    return re.sub(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}", lambda m: values[m.group(1)], text)


def test_the_bots_read_dot_env_and_share_the_compose_database() -> None:
    for bot in BOTS:
        service = COMPOSE["services"][bot]
        assert service["env_file"] == ".env"
        url = urlsplit(interpolate(service["environment"]["DATABASE_URL"], {"POSTGRES_PASSWORD": "s3cret"}))
        assert url.password == "s3cret"
        assert (url.scheme, url.hostname, url.port, url.path) == ("postgresql", "postgres", 5432, "/projectbot")
    postgres = COMPOSE["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_DB"] == "projectbot"
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in COMPOSE["volumes"], "a named volume"


def test_every_variable_compose_interpolates_is_in_the_env_example() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    example = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z0-9_]+)=", example, re.MULTILINE))
    assert used <= listed, f"compose.yaml uses {used - listed}, which deploy/env.example does not list"


# --- deploy/Caddyfile -----------------------------------------------------------------------------------------------


def caddy_upstreams() -> list[str]:
    found = re.findall(r"^\s*reverse_proxy\s+([^{\n]+)\{", CADDYFILE, re.MULTILINE)
    assert len(found) == 1
    return found[0].split()


def test_the_proxy_sends_to_both_replicas_on_the_servers_port() -> None:
    assert caddy_upstreams() == [f"{bot}:{DEFAULT_PORT}" for bot in BOTS]


def test_the_proxy_listens_where_compose_publishes_and_checks_readiness() -> None:
    assert re.search(r"^:8080 \{", CADDYFILE, re.MULTILINE)
    health_uri = re.search(r"^\s*health_uri\s+(\S+)", CADDYFILE, re.MULTILINE)
    assert health_uri and health_uri.group(1) in served_paths()
    mount = next(v for v in COMPOSE["services"]["proxy"]["volumes"] if v.startswith("./deploy/Caddyfile:"))
    assert mount == "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro"


def test_the_proxy_keeps_metrics_and_liveness_off_the_public_port() -> None:
    internal = re.search(r"^\s*@internal path (.+)$", CADDYFILE, re.MULTILINE)
    assert internal and {"/metrics", "/livez"} <= set(internal.group(1).split())
    assert re.search(r"^\s*respond @internal 404$", CADDYFILE, re.MULTILINE)


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (Debian: apt-get install caddy)")
def test_caddy_itself_reads_the_caddyfile_with_the_same_upstreams() -> None:
    adapted = subprocess.run(
        ["caddy", "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        check=True,
    )
    config = json.loads(adapted.stdout)
    dials = re.findall(r'"dial":\s*"([^"]+)"', json.dumps(config))
    assert dials == caddy_upstreams()
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":8080"]
