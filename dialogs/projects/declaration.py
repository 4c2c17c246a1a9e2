"""The projects capability's one declaration object (dialogs/kernel/registry.py). Each module of dialogs/projects
adds its commands and card verbs to it with the decorators, next to their handlers; dialogs/projects/__init__.py
imports them all and is what dialogs/app.py lists."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("projects")
