"""Names as people write them, in use: the seeded domain in the organisation's spelling (migration 0013), typed
filters and activity tags in any spelling, lists that refuse a name that is already there in another spelling."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import migrate
from storage.db import Database, create_db_engine, normalise_url
from tests.harness.database import postgres_url

SEEDED = ("Technologie & infrastructuur", "Technology & infrastructure")
OWN_SPELLING = ("Technologie en infrastructuur", "Technology and infrastructure")


# The migration ---------------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def db_at_0012(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the revision before the rename, with the seeded names."""
    if request.param == "sqlite":
        db = Database.from_url(f"sqlite:///{tmp_path / 'old.db'}")
        migrate.upgrade(db, "0012")
        yield db
        db.dispose()
        return
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db = Database(create_db_engine(url, search_path=schema))
    migrate.upgrade(db, "0012")
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _names(db: Database) -> dict[str, tuple[str, str]]:
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT key, name_nl, name_en FROM domain")).all()
    return {key: (nl, en) for key, nl, en in rows}


def _downgrade(db: Database, revision: str) -> None:
    from alembic import command  # the product only upgrades; the test checks the way back too

    with db.engine.begin() as connection:
        command.downgrade(migrate._config(connection), revision)


def test_the_seeded_domain_takes_the_organisations_spelling(db_at_0012: Database) -> None:
    assert _names(db_at_0012)["tech_infra"] == SEEDED
    migrate.upgrade(db_at_0012)
    names = _names(db_at_0012)
    assert names["tech_infra"] == OWN_SPELLING
    assert names["digital_transformation"] == ("Digitale transformatie", "Digital transformation")  # untouched
    _downgrade(db_at_0012, "0012")
    assert _names(db_at_0012)["tech_infra"] == SEEDED


def test_a_name_an_admin_changed_stays_theirs(db_at_0012: Database) -> None:
    with db_at_0012.engine.begin() as connection:
        connection.execute(sa.text("UPDATE domain SET name_nl = 'ICT & netwerk' WHERE key = 'tech_infra'"))
    migrate.upgrade(db_at_0012)
    # The Dutch name was the admin's and stays; the English one was still the seeded name and follows.
    assert _names(db_at_0012)["tech_infra"] == ("ICT & netwerk", OWN_SPELLING[1])
