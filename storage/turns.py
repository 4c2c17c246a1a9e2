"""What every incoming activity writes, its conversation reference and its sender, and reads, who the sender is for the
permission rules: one transaction, so a turn goes to the database once before its handler instead of three times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.conversations import ConversationSeen, record_conversation_in
from storage.db import Database
from storage.directory import Role, managed_domains_in, roles_in
from storage.models import Person
from storage.people import PersonSeen, record_seen_in
from storage.projects import managed_project_domains_in


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
        if conversation is not None:
            record_conversation_in(session, conversation, now)
        sender = record_seen_in(session, person, now)
        assert sender.id is not None
        roles = roles_in(session, sender.id)
        return TurnRecord(
            person=sender,
            roles=roles,
            managed_domains=managed_domains_in(session, sender.id) if Role.MANAGER in roles else frozenset(),
            named_manager_domains=managed_project_domains_in(session, sender.id),
        )
