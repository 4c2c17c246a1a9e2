"""Signed download-link tokens: which file, for whom, until when — and an HMAC so nobody can forge or alter one.

A token is `<payload>.<signature>`, both base64url without padding; the payload is `v1:<file id>:<person id>:<expiry
as Unix seconds>` and the signature HMAC-SHA256 over it with the bot's file secret. Pure: no clock, no I/O; the caller
passes `now`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

VERSION = "v1"
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class Ticket:
    """What a link grants: one file, to one person, until `expires_at` (whole seconds, UTC)."""

    file_id: int
    person_id: int
    expires_at: datetime


class LinkProblem(StrEnum):
    MALFORMED = "malformed"  # not a token at all
    FORGED = "forged"  # the signature does not match (tampered, or signed with another secret)
    EXPIRED = "expired"


@dataclass(frozen=True)
class Checked:
    ticket: Ticket | None
    problem: LinkProblem | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def sign(secret: bytes, ticket: Ticket) -> str:
    if not secret:
        raise ValueError("an empty secret signs nothing")
    expiry = int(ticket.expires_at.timestamp())
    payload = f"{VERSION}:{ticket.file_id}:{ticket.person_id}:{expiry}".encode("ascii")
    return f"{_b64(payload)}.{_b64(_signature(secret, payload))}"


def check(secret: bytes, token: str, now: datetime) -> Checked:
    """The ticket in `token` if it is genuine and not expired; otherwise why not."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return Checked(None, LinkProblem.MALFORMED)
    encoded_payload, encoded_signature = token.split(".")
    try:
        payload = _unb64(encoded_payload)
        signature = _unb64(encoded_signature)
    except (binascii.Error, ValueError):
        return Checked(None, LinkProblem.MALFORMED)
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return Checked(None, LinkProblem.FORGED)
    try:
        version, file_id, person_id, expiry = payload.decode("ascii").split(":")
        ticket = Ticket(int(file_id), int(person_id), datetime.fromtimestamp(int(expiry), UTC))
    except (UnicodeDecodeError, ValueError, OverflowError, OSError):
        return Checked(None, LinkProblem.MALFORMED)
    if version != VERSION:
        return Checked(None, LinkProblem.MALFORMED)
    if now >= ticket.expires_at:
        return Checked(ticket, LinkProblem.EXPIRED)
    return Checked(ticket, None)
