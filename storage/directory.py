"""Who is who: people's roles, the domains managers oversee and people known only by email (linking an address to
a person, which moves what their placeholders hold, is storage.linking)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint, bindparam, func
from sqlmodel import Field, Session, SQLModel, col, select

from storage.audit import record_audit
from storage.db import Database
from storage.models import Person
from storage.types import UTCDateTime
from storage.upsert import insert_into, table_of

# People named by email before they ever talked to the bot (imports, forms) get a placeholder row: no tenant yet and
# this prefix instead of an Entra object id. Their first message links the placeholder to their real row.
PENDING_PREFIX = "pending:"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Audit actions about addresses: a person typing their contact address, and the migration's review marks.
CONTACT_EMAIL_CORRECTED = "person.contact_email"
SELF_TYPED_EMAIL = "person.email"  # before revision 0011 a typed address went into the linking column
UNVERIFIED_EMAIL = "person.email.unverified"
DUPLICATE_EMAIL = "person.email.duplicate"
RELEASED_EMAIL = "person.email.released"
NAME_MAX = 256
EMAIL_MAX = 320
AAD_OBJECT_ID_MAX = 64


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    COORDINATOR = "coordinator"
    MEMBER = "member"


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"
    __table_args__ = (UniqueConstraint("person_id", "role", name="uq_person_role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    granted_at: datetime = Field(sa_type=UTCDateTime)


class ManagerDomain(SQLModel, table=True):
    """A domain a manager oversees: they read every project in it."""

    __tablename__ = "manager_domain"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    domain_id: int = Field(foreign_key="domain.id", primary_key=True, ondelete="CASCADE")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_email(text: str) -> bool:
    return bool(EMAIL_PATTERN.match(text.strip()))


def placeholder_key(address: str) -> str:
    """The stand-in identity of a placeholder row: fits the 64-character object-id column for any address."""
    if len(PENDING_PREFIX + address) <= AAD_OBJECT_ID_MAX:
        return PENDING_PREFIX + address
    return PENDING_PREFIX + hashlib.sha256(address.encode()).hexdigest()[:32]


def is_placeholder(person: Person) -> bool:
    return person.aad_object_id.startswith(PENDING_PREFIX)


def grant_in(
    session: Session, person_id: int, role: Role, *, actor_id: int | None, now: datetime, action: str = "role.grant"
) -> bool:
    """Grant a role inside the caller's unit of work; False when the person already had it. One INSERT ... ON
    CONFLICT DO NOTHING on the role's unique key, so two grants at once (two admins, two instances applying
    PROJECTBOT_ADMINS) record it once instead of one of them failing."""
    roles = table_of(PersonRole)
    statement = (
        insert_into(session, roles)
        .values(person_id=person_id, role=role.value, granted_at=now)
        .on_conflict_do_nothing(index_elements=["person_id", "role"])
        .returning(roles.c.id)
    )
    if session.execute(statement).first() is None:
        return False
    record_audit(
        session, actor_id=actor_id, action=action, entity="person", entity_id=person_id, fields=[role.value], now=now
    )
    return True


class DirectoryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Roles ----------------------------------------------------------------------------------------------

    def roles(self, person_id: int) -> frozenset[Role]:
        with self._db.session() as session:
            return roles_in(session, person_id)

    def managed_domains(self, person_id: int) -> frozenset[int]:
        with self._db.session() as session:
            return managed_domains_in(session, person_id)

    def standing(self, person_id: int) -> tuple[frozenset[Role], frozenset[int]]:
        with self._db.session() as session:
            return standing_in(session, person_id)

    def grant(self, person_id: int, role: Role, *, actor_id: int | None, now: datetime) -> bool:
        """False when the person already had the role (granting twice records once)."""
        with self._db.session() as session:
            return grant_in(session, person_id, role, actor_id=actor_id, now=now)

    def revoke(self, person_id: int, role: Role, *, actor_id: int | None, now: datetime) -> bool:
        with self._db.session() as session:
            row = session.exec(
                select(PersonRole).where(PersonRole.person_id == person_id, PersonRole.role == role.value)
            ).first()
            if row is None:
                return False
            session.delete(row)
            if role == Role.MANAGER:
                for link in session.exec(select(ManagerDomain).where(ManagerDomain.person_id == person_id)):
                    session.delete(link)
            record_audit(
                session, actor_id=actor_id, action="role.revoke", entity="person", entity_id=person_id,
                fields=[role.value], now=now,
            )  # fmt: skip
            return True

    def set_managed_domains(self, person_id: int, domain_ids: set[int], *, actor_id: int | None, now: datetime) -> bool:
        with self._db.session() as session:
            current = set(session.exec(select(ManagerDomain.domain_id).where(ManagerDomain.person_id == person_id)))
            if current == domain_ids:
                return False
            for domain_id in current - domain_ids:
                session.delete(session.get_one(ManagerDomain, (person_id, domain_id)))
            for domain_id in domain_ids - current:
                session.add(ManagerDomain(person_id=person_id, domain_id=domain_id))
            record_audit(
                session, actor_id=actor_id, action="role.domains", entity="person", entity_id=person_id,
                fields=["domains"], now=now,
            )  # fmt: skip
            return True

    def people_with_roles(self) -> list[tuple[Person, frozenset[Role]]]:
        """Everyone who holds a role, for the admin's roles card."""
        with self._db.session() as session:
            rows = session.exec(
                select(Person, PersonRole.role)
                .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
                .order_by(col(Person.name), col(Person.id))
            ).all()
            found: dict[int, tuple[Person, set[Role]]] = {}
            for person, role in rows:
                assert person.id is not None
                found.setdefault(person.id, (person, set()))[1].add(Role(role))
            return [(person, frozenset(roles)) for person, roles in found.values()]

    # Finding people ---------------------------------------------------------------------------------------

    def get(self, person_id: int) -> Person | None:
        with self._db.session() as session:
            return session.get(Person, person_id)

    def find(self, reference: str) -> list[Person]:
        """By email (exact, any case), by Entra object id, or by a part of the name; forgotten people never."""
        wanted = reference.strip()
        if not wanted:
            return []
        with self._db.session() as session:
            return find_people(session, wanted)

    def colleagues(self) -> list[Person]:
        """Everyone the bot knows (who talked to it, or was named by email), never anyone erased; by name."""
        with self._db.session() as session:
            active = col(Person.forgotten_at).is_(None)
            return list(session.exec(select(Person).where(active).order_by(col(Person.name), col(Person.id))))

    def identify(self, reference: str) -> Person | None:
        """The person an operator means by an email address (as Teams reported it) or an Entra object id; names,
        which people choose themselves, never count here."""
        wanted = reference.strip()
        with self._db.session() as session:
            active = col(Person.forgotten_at).is_(None)
            if is_email(wanted):
                return session.exec(select(Person).where(active, Person.email == normalise_email(wanted))).first()
            return session.exec(select(Person).where(active, Person.aad_object_id == wanted)).first()

    def person_for_email(self, email: str, *, now: datetime) -> Person:
        """The person with this email; a placeholder row when nobody with it has talked to the bot yet."""
        with self._db.session() as session:
            return person_for_email(session, email, now=now)

    def correct(
        self, person_id: int, *, name: str | None = None, email: str | bool | None = False, now: datetime
    ) -> list[str]:
        """A person's own correction of their name and contact address (settings); the changed fields, audited.

        `name=None` and `email=False` leave those alone; `email=None` removes the contact address. The address goes
        to `contact_email` only: what someone types never links, grants or matches anything (see Person.email).
        """
        with self._db.session() as session:
            person = session.get_one(Person, person_id)
            changed: list[str] = []
            if name is not None and name.strip() and name.strip() != person.name:
                person.name = name.strip()[:NAME_MAX]
                person.name_corrected = True
                changed.append("name")
                record_audit(
                    session, actor_id=person_id, action="person.name", entity="person", entity_id=person_id,
                    fields=["name"], now=now,
                )  # fmt: skip
            if email is not False:
                address = normalise_email(email)[:EMAIL_MAX] if isinstance(email, str) and email.strip() else None
                if address != person.contact_email:
                    person.contact_email = address
                    changed.append("email")
                    record_audit(
                        session, actor_id=person_id, action=CONTACT_EMAIL_CORRECTED, entity="person",
                        entity_id=person_id, fields=["contact_email"], now=now,
                    )  # fmt: skip
            if changed:
                person.updated_at = now
                session.add(person)
            session.flush()
            return changed


# Built once (every turn that checks a permission reads the roles): building costs as much as running it.
_ROLES_OF = select(PersonRole.role).where(col(PersonRole.person_id) == bindparam("person_id"))


def roles_in(session: Session, person_id: int) -> frozenset[Role]:
    rows = session.exec(_ROLES_OF, params={"person_id": person_id})
    return frozenset(Role(role) for role in rows if role in Role.__members__.values())


_MANAGED_DOMAINS_OF = select(ManagerDomain.domain_id).where(col(ManagerDomain.person_id) == bindparam("person_id"))


def managed_domains_in(session: Session, person_id: int) -> frozenset[int]:
    return frozenset(session.exec(_MANAGED_DOMAINS_OF, params={"person_id": person_id}))


def standing_in(session: Session, person_id: int) -> tuple[frozenset[Role], frozenset[int]]:
    """The person's roles, and the domains their manager role covers (none without the role)."""
    roles = roles_in(session, person_id)
    return roles, managed_domains_in(session, person_id) if Role.MANAGER in roles else frozenset()


def find_people(session: Session, wanted: str) -> list[Person]:
    active = col(Person.forgotten_at).is_(None)
    if is_email(wanted):
        return list(session.exec(select(Person).where(active, Person.email == normalise_email(wanted))))
    by_id = list(session.exec(select(Person).where(active, Person.aad_object_id == wanted)))
    if by_id:
        return by_id
    pattern = f"%{wanted.lower()}%"
    return list(
        session.exec(
            select(Person).where(active, func.lower(Person.name).like(pattern)).order_by(col(Person.name)).limit(10)
        )
    )


def person_for_email(session: Session, email: str, *, now: datetime) -> Person:
    """The one person who holds this address (Person.email is unique); a placeholder row when nobody does yet.

    The address is what an import, a form or an operator named: it is never checked against anyone's contact
    address, so typing someone else's address in settings gains nothing. The placeholder waits until Teams
    reports the address for a real person (storage.linking.link_email)."""
    address = normalise_email(email)
    found = session.exec(select(Person).where(Person.email == address, col(Person.forgotten_at).is_(None))).first()
    if found is not None:
        return found
    # Another turn or import may create the same placeholder at the same moment: the address is unique, so the
    # insert gives way and both go on with the one row (no savepoint: pysqlite would commit it on release).
    insert = insert_into(session, Person)
    session.execute(
        insert.values(
            tenant_id="",
            aad_object_id=placeholder_key(address),
            teams_user_id="",
            name="",
            email=address,
            name_corrected=False,
            created_at=now,
            updated_at=now,
        ).on_conflict_do_nothing(index_elements=["email"])
    )
    return session.exec(select(Person).where(Person.email == address)).one()
