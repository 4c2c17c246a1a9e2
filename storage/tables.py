"""Imports every table module so SQLModel.metadata knows them all (for Alembic and test set-up)."""

from storage.audit import AuditLog
from storage.directory import ManagerDomain, PersonRole
from storage.models import BotStateItem, ConversationRef, Person
from storage.outbox import OutboxMessage, OutboxOptOut
from storage.projects import Domain, Government, Project, ProjectGovernment, TeamMember

__all__ = [
    "AuditLog",
    "BotStateItem",
    "ConversationRef",
    "Domain",
    "Government",
    "ManagerDomain",
    "OutboxMessage",
    "OutboxOptOut",
    "Person",
    "PersonRole",
    "Project",
    "ProjectGovernment",
    "TeamMember",
]
