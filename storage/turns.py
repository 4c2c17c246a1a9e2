"""What every incoming activity writes: its conversation reference and its sender, in one transaction."""

from __future__ import annotations

from datetime import datetime

from storage.conversations import ConversationSeen, record_conversation_in
from storage.db import Database
from storage.models import Person
from storage.people import PersonSeen, record_seen_in


def record_turn(db: Database, conversation: ConversationSeen | None, person: PersonSeen, now: datetime) -> Person:
    with db.session() as session:
        if conversation is not None:
            record_conversation_in(session, conversation, now)
        return record_seen_in(session, person, now)
