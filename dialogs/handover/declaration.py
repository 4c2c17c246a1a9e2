"""The handover capability's one declaration object (dialogs/kernel/registry.py). Each module of dialogs/handover
adds its commands, card verbs, proactive renderers, job, card sections and hook to it with the decorators, next to
their handlers; dialogs/handover/__init__.py imports them all and is what dialogs/app.py lists."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("handover")
