"""a covering index on time_entry (project_id, person_id, kind, minutes): the `budget` card's hours per person are
then summed from the index alone, grouped in index order, instead of looking up each of a project's entries

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_time_entry_project_person", "time_entry", ["project_id", "person_id", "kind", "minutes"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_time_entry_project_person", table_name="time_entry")
