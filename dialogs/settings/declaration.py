"""The settings capability's one declaration object (dialogs/kernel/registry.py); menu.py and form.py add their
commands and card verbs to it next to their handlers, dialogs/settings/__init__.py imports them."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("settings")
