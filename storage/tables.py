"""Imports every table module so SQLModel.metadata knows them all (for Alembic and test set-up)."""

from storage.models import BotStateItem, ConversationRef, Person
from storage.outbox import OutboxMessage, OutboxOptOut

__all__ = ["BotStateItem", "ConversationRef", "OutboxMessage", "OutboxOptOut", "Person"]
