"""an index on project.manager_id: every turn now reads the domains of the projects that name its sender manager
(storage/turns.py), which otherwise scans the project table

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_project_manager_id"), "project", ["manager_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_project_manager_id"), table_name="project")
