"""Local governments: the kind a government's name suggests, for a name added without one (the lists card's
"automatic" kind, a portfolio import). Both the lists and the projects capability use it."""

from __future__ import annotations

# The kinds, as stored (storage.projects.GovernmentKind has the same values), with the words a name starts with.
_KIND_PREFIXES = (
    ("police_zone", ("politiezone", "pz ", "police zone")),
    ("emergency_zone", ("hulpverleningszone", "brandweerzone", "hvz ", "emergency")),
    ("municipality", ("gemeente", "stad ", "municipality", "city ")),
    ("intermunicipal", ("intercommunale", "intergemeentelijk", "igs ")),
)
OTHER = "other"


def guess_kind(name: str) -> str:
    """The kind (a storage.projects.GovernmentKind value) a local government's name suggests; "other" when none."""
    lowered = name.lower() + " "
    for kind, prefixes in _KIND_PREFIXES:
        if lowered.startswith(prefixes):
            return kind
    return OTHER
