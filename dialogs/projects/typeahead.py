"""The pickers' typeahead (`application/search`): answered by the kernel (dialogs/kernel/search.py), because every
capability's forms pick projects and people; declared here, by the capability that owns projects, since an invoke
name has one handler and the registry takes declarations from capabilities only."""

from __future__ import annotations

from dialogs.kernel.search import SEARCH_INVOKE, search
from dialogs.projects.declaration import capability

capability.invoke(SEARCH_INVOKE)(search)
