"""person.name_corrected: a name the person corrected in settings is no longer overwritten by Teams

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_corrected", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Until now a correction was recorded only as an audit row; carry those over.
    op.execute(
        "UPDATE person SET name_corrected = TRUE WHERE id IN "
        "(SELECT actor_id FROM audit_log WHERE action = 'person.name' AND actor_id IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("name_corrected")
