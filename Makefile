# Two commands to know: `make run` (install and start the bot locally) and `make test` (install and run all tests).
# To try it: `make demo` fills the local database with a fictional portfolio (once), then `make chat` or `make run`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# The lock files (requirements/*.txt, with hashes) pin every package; `make install`/`install-test` install exactly
# those, so a laptop, CI and the container run the same versions. `make lock` adds what pyproject.toml gained and
# keeps every other pin; `make lock-upgrade` moves every pin to the newest release pyproject.toml allows. --universal:
# one lock for Linux, macOS and Windows (platform-only packages such as colorama carry their markers).
LOCK_TOOLS := build/lock-tools
UV := $(LOCK_TOOLS)/bin/uv
UV_VERSION := 0.13.8
COMPILE := $(UV) pip compile --quiet --universal --generate-hashes --python-version 3.11 --custom-compile-command "make lock"
PIP_LOCKED := $(BIN)/python -m pip install --quiet --require-hashes
PIP_PROJECT := $(BIN)/python -m pip install --quiet --no-deps --build-constraint requirements/build.txt

.PHONY: run test install install-test lint chat demo manifest manifest-app-id clean lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed once, and again only when a lock file or pyproject.toml changed (the code itself is an editable install):
# `make chat`, `make run` and `make demo` then start at once, without pip's and setuptools' output every time.
INSTALLED := $(VENV)/.installed-runtime
INSTALLED_TEST := $(VENV)/.installed-test
PROJECT_FILES := pyproject.toml requirements/build.txt

install: $(INSTALLED)

install-test: $(INSTALLED_TEST)

$(INSTALLED): $(BIN)/python requirements/runtime.txt $(PROJECT_FILES)
	$(PIP_LOCKED) -r requirements/runtime.txt
	$(PIP_PROJECT) -e .
	touch $@

# test.txt holds every runtime pin too (it is compiled under runtime.txt), so it stands for both.
$(INSTALLED_TEST): $(BIN)/python requirements/test.txt requirements/runtime.txt $(PROJECT_FILES)
	$(PIP_LOCKED) -r requirements/test.txt
	$(PIP_PROJECT) -e .
	touch $@ $(INSTALLED)

$(UV):
	$(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# runtime.txt first; test.txt is constrained by it, so the test run installs the very versions the image ships.
lock: $(UV)
	$(COMPILE) $(UPGRADE) pyproject.toml -o requirements/runtime.txt
	$(COMPILE) $(UPGRADE) pyproject.toml --extra test -c requirements/runtime.txt -o requirements/test.txt
	$(COMPILE) $(UPGRADE) requirements/build.in -o requirements/build.txt

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

run: install
	$(BIN)/projectbot serve --dev

chat: install
	$(BIN)/projectbot chat

demo: install
	$(BIN)/projectbot demo

# The Teams app package. Needs MICROSOFT_APP_ID (the bot's Entra app id) and the publisher's details
# (PROJECTBOT_DEVELOPER_NAME, _WEBSITE_URL, _PRIVACY_URL, _TERMS_URL), in the environment or in .env;
# `make manifest MANIFEST_FLAGS=--allow-placeholders` builds one to try with example.org details.
manifest: manifest-app-id install
	$(BIN)/projectbot manifest --out build/projectbot.zip $(MANIFEST_FLAGS)

manifest-app-id:
	@if [ -z "$$MICROSOFT_APP_ID" ] && ! grep -qs '^MICROSOFT_APP_ID=.' .env; then \
		echo "make manifest: set MICROSOFT_APP_ID (the bot's Entra app id, a GUID) in the environment or in .env" >&2; \
		exit 2; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
