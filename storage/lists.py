"""The lists admins manage: domains and local governments (add, rename), each change audited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, select

from domain.names import same_name
from storage.audit import record_audit
from storage.db import Database
from storage.projects import Domain, Government, GovernmentKind

DOMAIN_NAME_MAX = 128
GOVERNMENT_NAME_MAX = 200

Outcome = Literal["added", "changed", "unchanged", "exists", "unknown"]


@dataclass(frozen=True)
class ListChange:
    """What a change to a list did; `clash` names the entry whose name was already taken."""

    outcome: Outcome
    name: str = ""
    clash: str = ""


def domain_key(name: str) -> str:
    """A stable ascii key for a new domain, from its Dutch name ("Veiligheid & zorg" -> "veiligheid-zorg")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return key[:48] or "domain"


class ListRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Domains --------------------------------------------------------------------------------------------

    def add_domain(self, name_nl: str, name_en: str, *, actor_id: int | None, now: datetime) -> ListChange:
        """Adding a name that is already there (in either language) adds nothing: a repeated card records once."""
        name_nl, name_en = name_nl.strip(), name_en.strip() or name_nl.strip()
        with self._db.session() as session:
            clash = _domain_named(session, name_nl, name_en, except_id=None)
            if clash is not None:
                return ListChange("exists", name_nl, clash.name_nl)
            taken = set(session.exec(select(Domain.key)))
            base = key = domain_key(name_nl)
            number = 2
            while key in taken:
                key, number = f"{base}-{number}", number + 1
            domain = Domain(key=key, name_nl=name_nl, name_en=name_en)
            session.add(domain)
            session.flush()
            record_audit(
                session, actor_id=actor_id, action="domain.add", entity="domain", entity_id=domain.id,
                fields=["name_nl", "name_en"], now=now,
            )  # fmt: skip
            return ListChange("added", name_nl)

    def rename_domain(
        self, domain_id: int, name_nl: str, name_en: str, *, actor_id: int | None, now: datetime
    ) -> ListChange:
        """An empty name keeps that language's name as it is."""
        with self._db.session() as session:
            domain = session.get(Domain, domain_id)
            if domain is None:
                return ListChange("unknown")
            new_nl, new_en = name_nl.strip() or domain.name_nl, name_en.strip() or domain.name_en
            clash = _domain_named(session, new_nl, new_en, except_id=domain_id)
            if clash is not None:
                return ListChange("exists", new_nl, clash.name_nl)
            pairs = (("name_nl", domain.name_nl, new_nl), ("name_en", domain.name_en, new_en))
            changed = [name for name, old, new in pairs if old != new]
            if not changed:
                return ListChange("unchanged", domain.name_nl)
            domain.name_nl, domain.name_en = new_nl, new_en
            session.add(domain)
            record_audit(
                session, actor_id=actor_id, action="domain.rename", entity="domain", entity_id=domain_id,
                fields=changed, now=now,
            )  # fmt: skip
            return ListChange("changed", new_nl)

    # Local governments ----------------------------------------------------------------------------------

    def add_government(self, name: str, kind: GovernmentKind, *, actor_id: int | None, now: datetime) -> ListChange:
        name = name.strip()
        with self._db.session() as session:
            clash = _government_named(session, name, except_id=None)
            if clash is not None:
                return ListChange("exists", name, clash.name)
            government = Government(name=name, kind=kind.value)
            session.add(government)
            session.flush()
            record_audit(
                session, actor_id=actor_id, action="government.add", entity="government", entity_id=government.id,
                fields=["name", "kind"], now=now,
            )  # fmt: skip
            return ListChange("added", name)

    def change_government(
        self, government_id: int, *, name: str, kind: GovernmentKind | None, actor_id: int | None, now: datetime
    ) -> ListChange:
        """Rename and/or change the kind; an empty name and no kind keep what is there."""
        with self._db.session() as session:
            government = session.get(Government, government_id)
            if government is None:
                return ListChange("unknown")
            new_name = name.strip() or government.name
            new_kind = kind.value if kind is not None else government.kind
            clash = _government_named(session, new_name, except_id=government_id)
            if clash is not None:
                return ListChange("exists", new_name, clash.name)
            pairs = (("name", government.name, new_name), ("kind", government.kind, new_kind))
            changed = [name for name, old, new in pairs if old != new]
            if not changed:
                return ListChange("unchanged", government.name)
            government.name, government.kind = new_name, new_kind
            session.add(government)
            record_audit(
                session, actor_id=actor_id, action="government.update", entity="government",
                entity_id=government_id, fields=changed, now=now,
            )  # fmt: skip
            return ListChange("changed", new_name)


def _domain_named(session: Session, name_nl: str, name_en: str, *, except_id: int | None) -> Domain | None:
    """A domain (other than `except_id`) already called one of these names, in any language or spelling
    ("Technologie en infrastructuur" is taken by "Technologie & infrastructuur": domain/names.py)."""
    for domain in session.exec(select(Domain)):
        if domain.id != except_id and any(
            same_name(wanted, name) for wanted in (name_nl, name_en) for name in (domain.name_nl, domain.name_en)
        ):
            return domain
    return None


def _government_named(session: Session, name: str, *, except_id: int | None) -> Government | None:
    """A government (other than `except_id`) already called this name in any spelling (the list is a few hundred
    names at most: compared here rather than in SQL, which knows no accents or "&"/"en")."""
    for government in session.exec(select(Government)):
        if government.id != except_id and same_name(name, government.name):
            return government
    return None
