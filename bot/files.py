"""Delivering files (exports, board reports, handover dossiers) the Teams way.

A handler returns `Reply(files=[OutgoingFile(...)])`; this module decides how the file reaches the person:

- in a personal chat, a Teams file consent card. Accepting makes Teams send a `fileConsent/invoke` with an upload URL
  in the person's OneDrive; the bot PUTs the bytes there and shows a file card. Declining gives a download link.
- in a channel or group chat (where Teams offers no consent), or when the upload fails: a short-lived download link,
  `GET /files/{token}`, signed with the bot's file secret and bound to the person who asked (dialogs/file_links.py).

Between the offer and the answer the file waits in the `stored_file` table (storage/files.py), so any instance can
answer the invoke or serve the link, and a retried invoke is handled once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import urllib.parse
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, Attachment

from cards.i18n import Language, Translator, language_of, translator
from dialogs.file_links import LinkProblem, Ticket, check, sign
from dialogs.kernel.clock import Clock
from dialogs.kernel.turn import OutgoingFile
from storage.db import Database
from storage.files import LINK_TTL, OFFER_TTL, FileRepository, FileState, StoredFile

log = logging.getLogger(__name__)

FILE_CONSENT_INVOKE = "fileConsent/invoke"
FILE_CONSENT_CONTENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CONTENT_TYPE = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT_SECONDS = 60
DOWNLOAD_PATH = "/files/{token}"

# The scheme and host Teams posted the current activity to (set by bot/http_app.py for each request): the base of
# download links when PROJECTBOT_PUBLIC_URL is not set.
REQUEST_BASE_URL: ContextVar[str | None] = ContextVar("projectbot_request_base_url", default=None)


@dataclass
class FileDelivery:
    db: Database
    clock: Clock
    session: aiohttp.ClientSession  # the process's one outgoing HTTP session
    key: bytes  # signs download links
    public_url: str = ""
    allow_http_upload: bool = False  # --dev and tests: upload URLs on plain http (Teams' are always https)
    default_language: Language = "nl"  # for the browser's error pages when it sends no Accept-Language
    link_ttl: timedelta = LINK_TTL
    offer_ttl: timedelta = OFFER_TTL

    @property
    def repository(self) -> FileRepository:
        return FileRepository(self.db)

    # Offering ----------------------------------------------------------------------------------------------

    async def offer(self, files: list[OutgoingFile], *, owner_id: int, personal: bool, t: Translator) -> list[Activity]:
        """The messages that bring `files` to their owner: a consent card each in a personal chat, else a link each."""
        outgoing: list[Activity] = []
        now = self.clock.now()
        for file in files:
            if personal and file.data:
                row = await asyncio.to_thread(
                    self.repository.store,
                    owner_id=owner_id,
                    name=file.name,
                    content_type=file.content_type,
                    data=file.data,
                    description=file.description,
                    state=FileState.OFFERED,
                    now=now,
                    ttl=self.offer_ttl,
                )
                outgoing.append(MessageFactory.attachment(consent_card(row)))
            else:
                row = await asyncio.to_thread(
                    self.repository.store,
                    owner_id=owner_id,
                    name=file.name,
                    content_type=file.content_type,
                    data=file.data,
                    description=file.description,
                    state=FileState.LINK,
                    now=now,
                    ttl=self.link_ttl,
                )
                outgoing.append(MessageFactory.text(self.link_text(row, t)))
        return outgoing

    def link_url(self, row: StoredFile) -> str:
        assert row.id is not None
        token = sign(self.key, Ticket(file_id=row.id, person_id=row.owner_id, expires_at=row.expires_at))
        base = self.public_url or REQUEST_BASE_URL.get() or ""
        if not base:
            log.warning("no PROJECTBOT_PUBLIC_URL and no request to take the host from: the link is relative")
        return base.rstrip("/") + DOWNLOAD_PATH.format(token=token)

    def link_text(self, row: StoredFile, t: Translator) -> str:
        return t("files.link", name=row.name, url=self.link_url(row), count=self.link_minutes)

    @property
    def link_minutes(self) -> int:
        return max(1, round(self.link_ttl.total_seconds() / 60))

    # The person's answer to a consent card -------------------------------------------------------------------

    async def answer_consent(self, value: dict[str, Any], *, person_id: int, t: Translator) -> list[Activity]:
        """What to send after a `fileConsent/invoke`; nothing when it is a retry of one already handled."""
        context = _dict(value.get("context"))
        file_id = _int(context.get("fileId"))
        action = value.get("action")
        if file_id is None or action not in ("accept", "decline"):
            log.info("file consent invoke without a file id or a known action: %r", action)
            return []
        now = self.clock.now()
        if action == "decline":
            row = await asyncio.to_thread(
                self.repository.decline_to_link, file_id, person_id, now=now, ttl=self.link_ttl
            )
            if row is None:
                return await self._not_offered(file_id, person_id, t)
            return [MessageFactory.text(self.link_text(row, t))]

        row = await asyncio.to_thread(self.repository.claim_upload, file_id, person_id, now=now)
        if row is None:
            return await self._not_offered(file_id, person_id, t)
        assert row.id is not None
        upload = _dict(value.get("uploadInfo"))
        if await self._upload(row, upload):
            await asyncio.to_thread(self.repository.uploaded, row.id, now=now)
            return [MessageFactory.attachment(file_info_card(upload, row.name))]
        await asyncio.to_thread(self.repository.upload_failed_to_link, row.id, now=now, ttl=self.link_ttl)
        fallback = await asyncio.to_thread(self.repository.get, row.id)
        if fallback is None:
            return []
        return [MessageFactory.text(t("files.upload_failed", name=row.name) + "\n\n" + self.link_text(fallback, t))]

    async def _not_offered(self, file_id: int, person_id: int, t: Translator) -> list[Activity]:
        row = await asyncio.to_thread(self.repository.get, file_id)
        if row is not None and row.owner_id == person_id and row.state != FileState.OFFERED.value:
            return []  # Teams retried an invoke that was already answered (or is being answered right now)
        return [MessageFactory.text(t("files.gone", count=self.link_minutes))]

    async def _upload(self, row: StoredFile, upload: dict[str, Any]) -> bool:
        """One PUT of the whole file to the OneDrive upload session Teams created (fine up to a few MB)."""
        url = upload.get("uploadUrl")
        schemes = ("https://", "http://") if self.allow_http_upload else ("https://",)
        if not isinstance(url, str) or not url.startswith(schemes) or not row.data:
            log.warning("file %s: no usable upload URL in the consent answer", row.id)
            return False
        size = len(row.data)
        headers = {"Content-Range": f"bytes 0-{size - 1}/{size}", "Content-Length": str(size)}
        try:
            async with self.session.put(
                url, data=row.data, headers=headers, timeout=aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_SECONDS)
            ) as response:
                # 200/201: the upload session is complete; 202 would mean it expects more ranges.
                if response.status in (200, 201):
                    return True
                log.warning("file %s: upload answered %s", row.id, response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("file %s: upload failed: %s", row.id, type(exc).__name__)
        return False


def consent_card(row: StoredFile) -> Attachment:
    """The Teams file consent card: the person accepts (Teams makes room in their OneDrive) or declines."""
    context = {"fileId": row.id}
    return Attachment(
        content_type=FILE_CONSENT_CONTENT_TYPE,
        name=row.name,
        content={
            "description": row.description or row.name,
            "sizeInBytes": row.size_bytes,
            "acceptContext": context,
            "declineContext": context,
        },
    )


def file_info_card(upload: dict[str, Any], fallback_name: str) -> Attachment:
    """The card Teams shows for a file in the person's OneDrive, after the upload."""
    return Attachment(
        content_type=FILE_INFO_CONTENT_TYPE,
        content_url=upload.get("contentUrl"),
        name=upload.get("name") or fallback_name,
        content={"uniqueId": upload.get("uniqueId"), "fileType": upload.get("fileType")},
    )


# GET /files/{token} ------------------------------------------------------------------------------------------

FILES = web.AppKey("files", FileDelivery)


async def download(request: web.Request) -> web.Response:
    """Serve a file behind a signed link: 403 for a forged or malformed token, 410 once it expired or is gone."""
    delivery = request.app[FILES]
    accepted = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    t = translator(language_of(accepted or None, default=delivery.default_language))
    now = delivery.clock.now()
    checked = check(delivery.key, request.match_info["token"], now)
    if checked.problem in (LinkProblem.MALFORMED, LinkProblem.FORGED) or checked.ticket is None:
        log.info("download refused: %s token", checked.problem)
        return _page(403, t("files.http.invalid"))
    if checked.problem == LinkProblem.EXPIRED:
        return _page(410, t("files.http.expired"))
    ticket = checked.ticket
    row = await asyncio.to_thread(delivery.repository.downloadable, ticket.file_id, ticket.person_id, now=now)
    if row is None:
        return _page(410, t("files.http.expired"))
    assert row.id is not None
    await asyncio.to_thread(delivery.repository.mark_downloaded, row.id, now=now)
    return web.Response(
        body=row.data,
        headers={
            "Content-Type": row.content_type,
            "Content-Disposition": content_disposition(row.name),
            "Cache-Control": "no-store, private",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


# A download token (and whatever query follows it) wherever it stands: a request line, a URL, a Referer header.
_DOWNLOAD_TOKEN = re.compile(r"(/files/)[^\s\"'?#]+(?:\?[^\s\"'#]*)?")
ACCESS_LOGGER = "aiohttp.access"


def redact_download_tokens(text: str) -> str:
    return _DOWNLOAD_TOKEN.sub(r"\1***", text)


class RedactDownloadTokens(logging.Filter):
    """A download link works for anyone who has it until it expires, so it must not land in the access log (nor in
    any log shipped from it): `/files/<token>` is written as `/files/***`, in the line and in the `extra` fields
    (aiohttp's `first_request_line`, headers) a structured formatter would write."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/files/" in message:
            record.msg, record.args = redact_download_tokens(message), ()
        for key, value in list(vars(record).items()):
            if key in ("msg", "args"):
                continue
            if isinstance(value, str) and "/files/" in value:
                setattr(record, key, redact_download_tokens(value))
            elif isinstance(value, dict) and "/files/" in repr(value):
                setattr(
                    record, key, {k: redact_download_tokens(v) if isinstance(v, str) else v for k, v in value.items()}
                )
        return True


def redact_download_tokens_in_access_log() -> None:
    """Idempotent; bot/http_app.py calls it for every app it creates, however the app is then served."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactDownloadTokens) for f in access.filters):
        access.addFilter(RedactDownloadTokens())


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


def _page(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
