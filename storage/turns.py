"""What every incoming activity records, its conversation reference and its sender, and reads, who the sender is for
the permission rules: one transaction, so a turn goes to the database once before its handler instead of three
times, and writes in it only what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.conversations import ConversationSeen, conversation_as_recorded, record_conversation_in
from storage.db import Database
from storage.directory import Role, standing_in
from storage.models import Person
from storage.people import PersonSeen, person_as_recorded, record_seen_in
from storage.projects import managed_project_domains_in

# A turn that would change nothing but when the conversation and the person were last seen only reads, unless that was
# written this long ago: most turns then never wait for SQLite's one writer (nor leave PostgreSQL a dead row version),
# and `last_seen` (conversation) and `updated_at` (person) are true to within this.
SEEN_FRESH_FOR = timedelta(minutes=10)


@dataclass(frozen=True)
class TurnRecord:
    """The sender as the turn's record left them, and their standing as it was read in the same transaction."""

    person: Person
    roles: frozenset[Role]
    # The domains their manager role covers (empty without the role).
    managed_domains: frozenset[int]
    # The domains of the projects (not closed) the data names them manager of, with or without the role.
    named_manager_domains: frozenset[int]


def record_turn(db: Database, conversation: ConversationSeen | None, person: PersonSeen, now: datetime) -> TurnRecord:
    with db.session() as session:
        if conversation is not None and not conversation_as_recorded(session, conversation, now, SEEN_FRESH_FOR):
            record_conversation_in(session, conversation, now)
        sender = person_as_recorded(session, person, now, SEEN_FRESH_FOR) or record_seen_in(session, person, now)
        assert sender.id is not None
        roles, managed_domains = standing_in(session, sender.id)
        return TurnRecord(
            person=sender,
            roles=roles,
            managed_domains=managed_domains,
            named_manager_domains=managed_project_domains_in(session, sender.id),
        )
