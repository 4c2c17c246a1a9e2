"""Outgoing files (exports, reports, dossiers) between the moment a reply offers them and the moment they are fetched.

A file offered in a personal chat waits here (state `offered`) until the person accepts or declines the Teams file
consent card; a file handed out as a signed download link waits here (state `link`) until its link expires. Every
state change is one conditional UPDATE, so the same Teams invoke arriving twice (Teams retries) changes it once.
Uploaded files keep their row (without the bytes) until expiry, so a retried accept is recognised; the daily
housekeeping job deletes expired rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, delete, update
from sqlmodel import Field, Session, SQLModel, col, select

from storage.db import Database
from storage.types import UTCDateTime

# How long a file offered on a consent card waits for the person to accept or decline it.
OFFER_TTL = timedelta(hours=24)
# How long a download link works (and the bytes behind it are kept).
LINK_TTL = timedelta(minutes=15)


class FileState(StrEnum):
    OFFERED = "offered"  # consent card sent, no answer yet
    UPLOADING = "uploading"  # accepted: one instance is uploading it to the person's OneDrive
    UPLOADED = "uploaded"  # in the person's OneDrive; the bytes are gone from here
    LINK = "link"  # downloadable from GET /files/{token} until expires_at


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_file"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(max_length=255)
    content_type: str = Field(max_length=128)
    description: str = Field(default="", max_length=1024)
    size_bytes: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    state: str = Field(default=FileState.OFFERED.value, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FileRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def store(
        self,
        *,
        owner_id: int,
        name: str,
        content_type: str,
        data: bytes,
        description: str = "",
        state: FileState,
        now: datetime,
        ttl: timedelta,
    ) -> StoredFile:
        row = StoredFile(
            owner_id=owner_id,
            name=name[:255],
            content_type=content_type[:128],
            description=description[:1024],
            size_bytes=len(data),
            data=data,
            state=state.value,
            created_at=now,
            expires_at=now + ttl,
        )
        with self._db.session() as session:
            session.add(row)
            session.flush()
            session.refresh(row)
            return row

    def get(self, file_id: int) -> StoredFile | None:
        with self._db.session() as session:
            return session.get(StoredFile, file_id)

    def _move(
        self, file_id: int, owner_id: int, *, now: datetime, to: FileState, expires_at: datetime | None = None
    ) -> StoredFile | None:
        """Offered → `to`, only if still offered, owned by `owner_id` and not expired; the row, or None."""
        values: dict[str, object] = {"state": to.value}
        if expires_at is not None:
            values["expires_at"] = expires_at
        with self._db.session() as session:
            result = session.execute(
                update(StoredFile)
                .where(
                    col(StoredFile.id) == file_id,
                    col(StoredFile.owner_id) == owner_id,
                    col(StoredFile.state) == FileState.OFFERED.value,
                    col(StoredFile.expires_at) > now,
                )
                .values(values)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            return session.get(StoredFile, file_id)

    def claim_upload(self, file_id: int, owner_id: int, *, now: datetime) -> StoredFile | None:
        """The person accepted: the one caller that gets the row uploads it; a retried accept gets None."""
        return self._move(file_id, owner_id, now=now, to=FileState.UPLOADING)

    def decline_to_link(
        self, file_id: int, owner_id: int, *, now: datetime, ttl: timedelta = LINK_TTL
    ) -> StoredFile | None:
        """The person declined: the file becomes a download link for `ttl`; a retried decline gets None."""
        return self._move(file_id, owner_id, now=now, to=FileState.LINK, expires_at=now + ttl)

    def uploaded(self, file_id: int, *, now: datetime) -> None:
        """In the person's OneDrive: drop the bytes, keep the row until it expires (a retried accept finds it)."""
        with self._db.session() as session:
            session.execute(
                update(StoredFile)
                .where(col(StoredFile.id) == file_id)
                .values(state=FileState.UPLOADED.value, data=b"", delivered_at=now)
                .execution_options(synchronize_session=False)
            )

    def upload_failed_to_link(self, file_id: int, *, now: datetime, ttl: timedelta = LINK_TTL) -> None:
        with self._db.session() as session:
            session.execute(
                update(StoredFile)
                .where(col(StoredFile.id) == file_id, col(StoredFile.state) == FileState.UPLOADING.value)
                .values(state=FileState.LINK.value, expires_at=now + ttl)
                .execution_options(synchronize_session=False)
            )

    def downloadable(self, file_id: int, owner_id: int, *, now: datetime) -> StoredFile | None:
        """The file behind a link, if it is still there, the owner's, and not expired."""
        with self._db.session() as session:
            return session.exec(
                select(StoredFile).where(
                    StoredFile.id == file_id,
                    StoredFile.owner_id == owner_id,
                    StoredFile.state == FileState.LINK.value,
                    col(StoredFile.expires_at) > now,
                )
            ).first()

    def mark_downloaded(self, file_id: int, *, now: datetime) -> None:
        with self._db.session() as session:
            session.execute(
                update(StoredFile)
                .where(col(StoredFile.id) == file_id, col(StoredFile.delivered_at).is_(None))
                .values(delivered_at=now)
                .execution_options(synchronize_session=False)
            )

    def purge_expired(self, now: datetime) -> int:
        """Delete every file whose offer or link has expired; returns how many."""
        with self._db.session() as session:
            return purge_expired_in(session, now)


def purge_expired_in(session: Session, now: datetime) -> int:
    result = session.execute(delete(StoredFile).where(col(StoredFile.expires_at) <= now))
    return int(getattr(result, "rowcount", 0) or 0)
