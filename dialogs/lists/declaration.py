"""The lists capability's one declaration object (dialogs/kernel/registry.py); domains.py and governments.py add
their commands and card verbs to it next to their handlers, dialogs/lists/__init__.py imports them."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("lists")
