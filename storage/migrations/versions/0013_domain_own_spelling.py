"""domain names in the organisation's own spelling: "Technologie en infrastructuur" / "Technology and infrastructure"

The seeded domain was written "Technologie & infrastructuur"; the organisation writes "en" (its portfolio files, its
documents). Each language's name is renamed only while it is still the seeded one: a name an administrator changed
is theirs and stays. (Names match forgivingly anyway, domain/names.py; this is about what cards show.)

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "tech_infra"
SEEDED = {"name_nl": "Technologie & infrastructuur", "name_en": "Technology & infrastructure"}
OWN_SPELLING = {"name_nl": "Technologie en infrastructuur", "name_en": "Technology and infrastructure"}

_domain = sa.table(
    "domain", sa.column("key", sa.String), sa.column("name_nl", sa.String), sa.column("name_en", sa.String)
)


def _rename(old: dict[str, str], new: dict[str, str]) -> None:
    for column, old_name in old.items():
        op.execute(
            _domain.update().where(_domain.c.key == KEY, _domain.c[column] == old_name).values({column: new[column]})
        )


def upgrade() -> None:
    _rename(SEEDED, OWN_SPELLING)


def downgrade() -> None:
    _rename(OWN_SPELLING, SEEDED)
