"""The capacity capability's one declaration object (dialogs/kernel/registry.py); each module of dialogs/capacity
adds its commands, card verbs, proactive renderers and jobs to it next to their handlers."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("capacity")
