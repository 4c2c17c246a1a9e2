"""Who a claimed row goes to and whether it may (run in worker threads): its conversation, its reader's language,
the opt-outs that cancel it; and the notice to a row's owner when its conversation is gone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from cards.i18n import Language, language_of
from dialogs.proactive import UNDELIVERABLE_BUILDER, UNDELIVERABLE_KIND, Audience, undeliverable_args
from storage.db import Database
from storage.models import ConversationRef, Person
from storage.opt_outs import OptOutRepository
from storage.outbox import OutboxMessage, OutboxRepository, Target
from storage.people import PersonRepository


@dataclass(frozen=True)
class Prepared:
    """What a claimed row needs from the database before it is sent (see prepare)."""

    ref: ConversationRef | None
    audience: Audience | None
    opted_out: bool


def prepare(
    db: Database, outbox: OutboxRepository, rows: Sequence[OutboxMessage], default_language: Language
) -> dict[int, Prepared]:
    """For a claimed batch: each row's conversation, reader and opt-out, in a few queries (not a few per row).

    Read when the batch is claimed rather than just before each send: an opt-out or a conversation's removal
    that lands in the seconds between is honoured from the next batch on.
    """
    refs = outbox.resolve_targets(rows)
    readers = {
        ref.user_aad_object_id
        for ref in refs.values()
        if ref is not None and ref.conversation_type == "personal" and ref.user_aad_object_id
    }
    people: dict[tuple[str, str], Person] = {}
    if readers:
        with db.session() as session:
            for person in session.exec(select(Person).where(col(Person.aad_object_id).in_(sorted(readers)))):
                people[(person.tenant_id, person.aad_object_id)] = person
    subjects: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        ref = refs.get(row.id or 0)
        if ref is None or row.id is None:
            continue
        who = ref.user_aad_object_id if ref.conversation_type == "personal" else None
        who = who or row.target_aad_object_id
        subjects[row.id] = [(OptOutRepository.CONVERSATION, ref.conversation_id)] if ref.conversation_id else []
        if who:
            subjects[row.id].append((OptOutRepository.PERSON, who))
    opted_out = OptOutRepository(db).matching(
        tenant_ids={(ref.tenant_id or row.tenant_id) for row in rows if (ref := refs.get(row.id or 0))},
        kinds={row.kind for row in rows},
        subjects={subject for pairs in subjects.values() for _scope, subject in pairs},
    )
    prepared: dict[int, Prepared] = {}
    for row in rows:
        assert row.id is not None
        ref = refs.get(row.id)
        if ref is None:
            prepared[row.id] = Prepared(None, None, False)
            continue
        tenant = ref.tenant_id or row.tenant_id
        reader = people.get((ref.tenant_id, ref.user_aad_object_id or "")) if ref.user_aad_object_id else None
        prepared[row.id] = Prepared(
            ref,
            audience_of(ref, reader, default_language),
            any((tenant, row.kind, scope, subject) in opted_out for scope, subject in subjects.get(row.id, [])),
        )
    return prepared


def audience(db: Database, ref: ConversationRef, default_language: Language) -> Audience:
    """How a card for this conversation is written: its reader's language, and whether it is personal."""
    person = None
    if ref.conversation_type == "personal" and ref.user_aad_object_id:
        person = PersonRepository(db).get(ref.tenant_id, ref.user_aad_object_id)
    return audience_of(ref, person, default_language)


def audience_of(ref: ConversationRef, person: Person | None, default_language: Language) -> Audience:
    personal = ref.conversation_type == "personal"
    language: Language = default_language
    if personal and person is not None:
        if person.preferred_language in ("nl", "en"):
            language = language_of(person.preferred_language)
        elif person.seen_locale:
            language = language_of(person.seen_locale, default=default_language)
    return Audience(language=language, personal=personal)


def tell_owner(outbox: OutboxRepository, row: OutboxMessage, ref: ConversationRef, reason: str, now: datetime) -> None:
    """A notice to the row's owner that it could not be delivered (an outbox row of its own).

    Once per conversation (and per time the bot was in it), never about a notice of this kind itself."""
    if not row.owner_aad_object_id or row.kind == UNDELIVERABLE_KIND:
        return
    where = " › ".join(part for part in (ref.team_name, None) if part) or None
    outbox.enqueue(
        dedup_key=f"{UNDELIVERABLE_KIND}:{ref.id}:{int(ref.last_seen.timestamp())}:{row.owner_aad_object_id}",
        kind=UNDELIVERABLE_KIND,
        target=Target(ref.tenant_id or row.tenant_id, aad_object_id=row.owner_aad_object_id),
        payload={
            "builder": UNDELIVERABLE_BUILDER,
            "args": undeliverable_args(conversation=where, reason=reason, kind=row.kind),
        },
        due_at=now,
        now=now,
    )
