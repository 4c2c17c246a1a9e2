"""The time capability's one declaration object (dialogs/kernel/registry.py). Each module of dialogs/timelog adds
its commands, card verbs, proactive renderers, jobs and card sections to it with the decorators, next to their
handlers; dialogs/timelog/__init__.py imports them all and is what dialogs/app.py lists."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("time")
