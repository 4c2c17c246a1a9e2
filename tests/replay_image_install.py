"""Replay the Dockerfile on this machine, without a container daemon: its build stage's COPY and RUN lines, as
written, in a scratch directory standing for the image's file system; then its ENTRYPOINT + CMD with the runtime
stage's ENV, until its HEALTHCHECK command passes; then a SIGTERM, which must stop the server cleanly.

What this proves: the lock files install with --require-hashes and binary wheels only, from the package index alone
(this machine's pip configuration, with its local indexes, is left out as the image has none); projectbot's wheel
builds from the copied sources with the locked build tools; the installed server migrates a new database, passes its
own health check and stops on SIGTERM. What it cannot: the base image itself, the user, file ownership and
permissions, the network between containers (docs/deploy.md, "What is not verified here").

    .venv/bin/python tests/replay_image_install.py [--keep]      (run by .ci/run; about a minute with a warm cache)
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dockerfile

ROOT = Path(__file__).resolve().parent.parent
# The image's absolute paths that the replay moves under its scratch root.
IMAGE_PATHS = ("/opt/", "/wheels", "/src", "/data", "/home/projectbot")
IMAGE_PORT = "3978"
HEALTHY_WITHIN_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (its path is printed)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="projectbot-image-"))
    try:
        commands = dockerfile.parse_file(str(ROOT / "Dockerfile"))
        build, runtime = stages(commands)
        check_base_python(commands)
        bin_dir = python_shim(scratch)
        replay_build_stage(build, scratch, bin_dir)
        serve_until_healthy(runtime, scratch)
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("image install replayed: locked install, wheel build, migration, health check and clean stop all passed")
    return 0


def stages(commands: tuple[dockerfile.Command, ...]) -> tuple[list[dockerfile.Command], list[dockerfile.Command]]:
    """The instructions of the two stages, `build` and the final one, in order."""
    found: list[list[dockerfile.Command]] = []
    for command in commands:
        if command.cmd == "FROM":
            found.append([])
        elif found:
            found[-1].append(command)
    if len(found) != 2:
        raise SystemExit(f"expected two stages in the Dockerfile, found {len(found)}")
    return found[0], found[1]


def check_base_python(commands: tuple[dockerfile.Command, ...]) -> None:
    """The replay runs on this machine's Python; it stands for the image only if the versions agree."""
    image = next(c.value[0] for c in commands if c.cmd == "ARG" and c.value[0].startswith("PYTHON_IMAGE="))
    wanted = re.search(r"python:(\d+\.\d+)", image)
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if not wanted or wanted.group(1) != here:
        raise SystemExit(f"the image's Python ({image}) is not this machine's {here}: the replay would prove nothing")


def python_shim(scratch: Path) -> Path:
    """`python` in the RUN lines is the base image's interpreter: here, the one this virtual environment is based on
    (not the virtual environment itself, whose packages would leak into the replay)."""
    bin_dir = scratch / "usr-local-bin"
    bin_dir.mkdir()
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    (bin_dir / "python").symlink_to(base)
    return bin_dir


def to_scratch(text: str, scratch: Path) -> str:
    """The image's absolute paths, moved under the scratch root."""
    pattern = "|".join(re.escape(path) for path in IMAGE_PATHS)
    return re.sub(rf"(?<![\w./:-])({pattern})", lambda m: f"{scratch}{m.group(1)}", text)


def clean_environment(bin_dir: Path) -> dict[str, str]:
    """No PIP_* of this machine (local indexes, find-links, constraints) and no pip configuration file: the image
    has none. The certificate bundle and the timeout stay, as the network here needs them."""
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "PIP_CONFIG_FILE": os.devnull}
    for name in ("PIP_CERT", "PIP_DEFAULT_TIMEOUT", "SSL_CERT_FILE", "LANG"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def replay_build_stage(build: list[dockerfile.Command], scratch: Path, bin_dir: Path) -> None:
    env = clean_environment(bin_dir)
    workdir = scratch
    for command in build:
        if command.cmd == "ENV":
            # Except PIP_NO_CACHE_DIR: the image keeps no cache; here, pip's cache saves a download of ~100 MB per
            # run and changes nothing installed (every file's hash is checked either way).
            env.update({k: v for k, v in pairs(command.value).items() if k != "PIP_NO_CACHE_DIR"})
        elif command.cmd == "WORKDIR":
            workdir = Path(to_scratch(command.value[0], scratch))
            workdir.mkdir(parents=True, exist_ok=True)
        elif command.cmd == "COPY":
            *sources, target = command.value
            copy_from_context(sources, workdir / target)
        elif command.cmd == "RUN":
            line = to_scratch(command.value[0], scratch)
            print(f"+ {command.original.splitlines()[0]} …", flush=True)
            run_quietly(["bash", "-euo", "pipefail", "-c", line], cwd=workdir, env=env)
        else:
            raise SystemExit(f"the replay does not know {command.cmd} (line {command.start_line}): teach it")


def run_quietly(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """pip's progress is long and says nothing when all goes well: shown only when the step fails."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-6000:], done.stderr[-6000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"this step failed with {done.returncode}")


def pairs(values: tuple[str, ...]) -> dict[str, str]:
    """ENV's parsed value: name, value, name, value, …"""
    return dict(zip(values[0::2], values[1::2], strict=True))


def copy_from_context(sources: list[str], target: Path) -> None:
    for source in sources:
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / path.name)


def serve_until_healthy(runtime: list[dockerfile.Command], scratch: Path) -> None:
    """Start ENTRYPOINT + CMD with the runtime stage's ENV (a made-up registration: nothing calls Teams), run the
    HEALTHCHECK command until it passes, then stop the server with SIGTERM as `docker stop` does."""
    port = str(free_port())
    env = {"HOME": str(scratch / "home"), "LANG": "C.UTF-8"}
    for command in runtime:
        if command.cmd == "ENV":
            env.update({name: to_scratch(value, scratch) for name, value in pairs(command.value).items()})
    env["PATH"] = env["PATH"].replace("$PATH", "/usr/bin:/bin")
    env["DATABASE_URL"] = f"sqlite:///{scratch}/data/projectbot.db"
    env.update(
        MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
        MICROSOFT_APP_PASSWORD="replay-only-not-a-secret",
        MICROSOFT_APP_TENANT_ID="00000000-0000-0000-0000-000000000002",
    )
    for directory in (scratch / "data", scratch / "home"):
        directory.mkdir(parents=True, exist_ok=True)
    entrypoint = json_form(runtime, "ENTRYPOINT") + json_form(runtime, "CMD")
    health = [part.replace(IMAGE_PORT, port) for part in json_form(runtime, "HEALTHCHECK")[1:]]
    command = [part.replace(IMAGE_PORT, port) for part in entrypoint]
    print(f"+ {shlex.join(command)}", flush=True)
    log_path = scratch / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, cwd=scratch / "home", stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(health, env, server)
        except SystemExit:
            print(log_path.read_text()[-6000:], file=sys.stderr)
            raise
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
    if code != 0:
        print(log_path.read_text()[-6000:], file=sys.stderr)
        raise SystemExit(f"the server exited with {code} after SIGTERM")


def json_form(runtime: list[dockerfile.Command], name: str) -> list[str]:
    command = next(c for c in runtime if c.cmd == name)
    if not command.json:
        raise SystemExit(f"{name} must be in JSON (exec) form, so the server gets SIGTERM itself")
    return list(command.value)


def wait_healthy(health: list[str], env: dict[str, str], server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
    print(f"+ HEALTHCHECK {shlex.join(health)}", flush=True)
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped by itself with {server.returncode}")
        if subprocess.run(health, env=env, capture_output=True).returncode == 0:
            return
        time.sleep(1)
    raise SystemExit(f"the health check did not pass within {HEALTHY_WITHIN_SECONDS:.0f} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
