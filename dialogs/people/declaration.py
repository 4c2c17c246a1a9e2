"""The people capability's one declaration object (dialogs/kernel/registry.py); roles.py and own_data.py add their
commands and card verbs to it next to their handlers, dialogs/people/__init__.py imports them."""

from __future__ import annotations

from dialogs.kernel.registry import Capability

capability = Capability("people")
