"""person identity: the email that links is only one Teams reported; a typed address is a contact preference

`person.email` now holds only an address Teams (the roster) or Microsoft Graph reported for the person's Entra object
id, or, on a placeholder row (`pending:<email>`), the address an import or form named. It is unique. What people typed
in settings moves to `person.contact_email`, which links, grants and matches nothing. Rows this migration changed are
marked in the audit log so `projectbot people audit` can show them to an administrator.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNVERIFIED = "person.email.unverified"  # a self-typed address moved out of the linking column
DUPLICATE = "person.email.duplicate"  # an address someone else also held; cleared here


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
    bind = op.get_bind()
    now = datetime.now(UTC)
    person = sa.table(
        "person",
        sa.column("id", sa.Integer),
        sa.column("email", sa.String),
        sa.column("contact_email", sa.String),
        sa.column("aad_object_id", sa.String),
        sa.column("forgotten_at", sa.DateTime),
    )
    audit = sa.table(
        "audit_log",
        sa.column("at", storage.types.UTCDateTime(timezone=True)),
        sa.column("actor_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("fields", sa.JSON),
    )
    # Everyone who ever typed their own address in settings: it was never confirmed by Teams.
    typed = bind.execute(
        sa.select(audit.c.entity_id)
        .distinct()
        .where(audit.c.action == "person.email", audit.c.entity == "person", audit.c.actor_id == audit.c.entity_id)
    ).scalars()
    typed_ids = [row for row in typed if row is not None]
    for person_id in typed_ids:
        bind.execute(
            sa.update(person)
            .where(person.c.id == person_id, person.c.email.is_not(None))
            .values(contact_email=person.c.email, email=None)
        )
        _mark(bind, audit, UNVERIFIED, person_id, now)
    # What is left must be unique before the index can be: keep the oldest real person (then the oldest placeholder)
    # for each address and clear it on the others, marked for review.
    rows = bind.execute(
        sa.select(person.c.id, person.c.email, person.c.aad_object_id)
        .where(person.c.email.is_not(None))
        .order_by(person.c.id)
    ).all()
    holders: dict[str, list[tuple[bool, int]]] = {}
    for person_id, email, aad_object_id in rows:
        holders.setdefault(email, []).append((str(aad_object_id).startswith("pending:"), person_id))
    for group in holders.values():
        for _placeholder, person_id in sorted(group)[1:]:
            bind.execute(sa.update(person).where(person.c.id == person_id).values(email=None))
            _mark(bind, audit, DUPLICATE, person_id, now)
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_email"))
        batch_op.create_index(batch_op.f("ix_person_email"), ["email"], unique=True)


def _mark(bind: sa.Connection, audit: sa.TableClause, action: str, person_id: int, now: datetime) -> None:
    bind.execute(
        sa.insert(audit).values(
            at=now, actor_id=None, action=action, entity="person", entity_id=person_id, fields=["email"]
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_email"))
        batch_op.create_index(batch_op.f("ix_person_email"), ["email"], unique=False)
        batch_op.drop_column("contact_email")
