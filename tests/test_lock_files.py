"""The lock files (requirements/*.txt) cover pyproject.toml: every dependency, its extras and what they pull in, at a
version the specifier allows, with hashes. A dependency added to pyproject.toml without `make lock` fails here, before
CI's `pip install --require-hashes` would install an environment without it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Which lock installs which part of pyproject.toml: "" is the runtime dependencies, other keys are extras.
LOCKS = {"": "requirements/runtime.txt", "test": "requirements/test.txt"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: int


def read_lock(relative: str) -> dict[str, Pin]:
    """name -> pinned version and number of hashes, from a `uv pip compile --generate-hashes` file."""
    pins: dict[str, Pin] = {}
    name = ""
    for line in (ROOT / relative).read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match.group(1))
            pins[name] = Pin(Version(match.group(2)), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            pins[name] = Pin(pins[name].version, pins[name].hashes + 1)
    return pins


def requirements_of(extra: str) -> list[Requirement]:
    """What installing projectbot (with that extra) asks for."""
    runtime = [Requirement(text) for text in PYPROJECT["project"]["dependencies"]]
    if not extra:
        return runtime
    return runtime + [Requirement(text) for text in PYPROJECT["project"]["optional-dependencies"][extra]]


def applies(requirement: Requirement, extras: set[str]) -> bool:
    """Whether a requirement applies on the platform the lock was made for (Linux, this Python), with these extras
    of the package that asks for it."""
    if requirement.marker is None:
        return True
    environment = dict(default_environment())
    return any(requirement.marker.evaluate({**environment, "extra": extra}) for extra in (extras or {""}))


def closure(requirements: list[Requirement]) -> dict[str, set[str]]:
    """Every distribution these requirements need, with the extras asked of it, following the installed packages'
    metadata (CI installs exactly the lock, so this is the locked graph)."""
    needed: dict[str, set[str]] = {}
    queue = list(requirements)
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        known = needed.get(name)
        if known is not None and requirement.extras <= known:
            continue
        needed[name] = (known or set()) | requirement.extras
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here: test_every_dependency_is_pinned still checks it is pinned
        queue.extend(r for r in map(Requirement, requires) if applies(r, needed[name]))
    return needed


def test_every_extra_has_a_lock() -> None:
    extras = set(PYPROJECT["project"].get("optional-dependencies", {}))
    assert extras | {""} == set(LOCKS), "a new extra in pyproject.toml needs its own lock file and `make lock` target"


@pytest.mark.parametrize("extra", sorted(LOCKS))
def test_every_dependency_is_pinned_at_an_allowed_version(extra: str) -> None:
    pins = read_lock(LOCKS[extra])
    missing = [str(r) for r in requirements_of(extra) if canonicalize_name(r.name) not in pins]
    assert not missing, f"{LOCKS[extra]} lacks {missing}: run `make lock`"
    outside = [
        f"{r} (locked {pins[canonicalize_name(r.name)].version})"
        for r in requirements_of(extra)
        if not r.specifier.contains(pins[canonicalize_name(r.name)].version, prereleases=True)
    ]
    assert not outside, f"{LOCKS[extra]} pins versions pyproject.toml no longer allows: {outside}; run `make lock`"


@pytest.mark.parametrize("extra", sorted(LOCKS))
def test_every_dependency_of_a_dependency_and_its_extras_is_pinned(extra: str) -> None:
    """psycopg[binary] needs psycopg-binary; botbuilder-core needs msrest; and so on down the graph."""
    pins = read_lock(LOCKS[extra])
    needed = closure(requirements_of(extra))
    assert "psycopg-binary" in needed, "the closure follows extras (psycopg[binary])"
    missing = sorted(set(needed) - set(pins))
    assert not missing, f"{LOCKS[extra]} lacks {missing}, which the dependencies need: run `make lock`"


@pytest.mark.parametrize("lock", [*sorted(set(LOCKS.values())), "requirements/build.txt"])
def test_every_pin_has_hashes(lock: str) -> None:
    pins = read_lock(lock)
    assert pins, f"{lock} pins nothing"
    unhashed = sorted(name for name, pin in pins.items() if pin.hashes == 0)
    assert not unhashed, f"{lock}: no hashes for {unhashed}; regenerate with `make lock` (--generate-hashes)"


def test_the_test_lock_installs_the_runtime_locks_versions() -> None:
    """The tests run against the very versions the image ships."""
    runtime, test = read_lock(LOCKS[""]), read_lock(LOCKS["test"])
    differ = {name: (pin.version, test[name].version) for name, pin in runtime.items() if test[name] != pin}
    assert not differ, f"runtime and test locks disagree: {differ}; run `make lock`"


def test_the_build_lock_satisfies_the_build_system() -> None:
    pins = read_lock("requirements/build.txt")
    for text in PYPROJECT["build-system"]["requires"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins and requirement.specifier.contains(pins[name].version), f"requirements/build.txt: {text}"


def test_installs_go_through_the_locks() -> None:
    """`make install`/`install-test` (and so `make test` and CI) install the locks with hashes checked, and
    projectbot itself without dependencies, so nothing unlocked slips in."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes" in makefile
    assert "PIP_PROJECT := $(BIN)/python -m pip install --quiet --no-deps --build-constraint" in makefile
    # install / install-test stand for a stamp file each, made by installing the lock; it is made again when the lock
    # (or pyproject.toml) is newer than it.
    for target, stamp, lock in (("install", "INSTALLED", LOCKS[""]), ("install-test", "INSTALLED_TEST", LOCKS["test"])):
        assert re.search(rf"^{target}: \$\({stamp}\)$", makefile, re.MULTILINE), f"{target} is not $({stamp})"
        body = re.search(rf"^\$\({stamp}\): (.*)\n((?:\t.*\n)+)", makefile, re.MULTILINE)
        assert body, f"Makefile has no rule for $({stamp})"
        assert lock in body.group(1) and "pyproject.toml" in makefile
        assert f"$(PIP_LOCKED) -r {lock}" in body.group(2) and "$(PIP_PROJECT) -e ." in body.group(2)
    assert "make install-test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
