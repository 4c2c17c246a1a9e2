"""Cards in a shared conversation are pressed by everyone there: whose a personal card is, and the double-submit
key of a shared form (who submitted which form), so one person's answer never lands on another's card."""

from __future__ import annotations

import hashlib

from dialogs.kernel.turn import Reply, Request, Services
from storage.directory import DirectoryRepository, is_placeholder

# The form-id columns (and the audit log's request id) hold 64 characters.
KEY_MAX = 64


def not_yours(request: Request, services: Services, owner_id: int | None, message_key: str) -> Reply | None:
    """The polite refusal when a personal card (a time form, a timesheet, settings) is pressed by someone else;
    None when it is theirs, or the card does not say whose it is (an older card: a submission key that includes
    the submitter keeps it from colliding with anyone's)."""
    if owner_id is None or owner_id == request.person.id:
        return None
    t = request.t
    owner = DirectoryRepository(services.db).get(owner_id)
    named = owner is not None and owner.forgotten_at is None and not is_placeholder(owner) and owner.name
    return Reply.text(t(message_key, owner=owner.name if named and owner is not None else t("card.someone_else")))


def submission_key(request: Request, form_id: str, prefix: str = "") -> str | None:
    """The key under which one person's submission of one card form is stored once (double click, Teams retry).
    It includes who submits: in a channel the same card is filled in by several people, and each of them saves
    their own. None without a form id (nothing to deduplicate on)."""
    form_id = form_id.strip()
    if not form_id or request.person.id is None:
        return None
    key = f"{prefix}{request.person.id}:{form_id}"
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}h:{digest}"[:KEY_MAX]
