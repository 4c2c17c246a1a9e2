"""Imports every table module so SQLModel.metadata knows them all (for Alembic and test set-up)."""

from storage.audit import AuditLog
from storage.capacity import CapacityNotice, PersonAvailability
from storage.decisions import ProjectDecision, Retrospective
from storage.directory import ManagerDomain, PersonRole
from storage.files import StoredFile
from storage.handover import Handover, HandoverItem, HandoverStakeholder
from storage.leases import Lease
from storage.meeting_records import ActionItem, AgendaItem, MeetingReport, Rsvp
from storage.meetings import MeetingOccurrence, MeetingSeries
from storage.milestones_risks import Milestone, Risk
from storage.models import BotStateItem, ConversationRef, Person
from storage.opt_outs import OutboxOptOut
from storage.outbox import OutboxMessage
from storage.projects import Domain, Government, Project, ProjectGovernment, TeamMember
from storage.status import DigestPreference, StatusReport
from storage.time_entries import LeaveDay, TimeBudgetAlert, TimeEntry, TimeNudge

__all__ = [
    "ActionItem",
    "AgendaItem",
    "AuditLog",
    "BotStateItem",
    "CapacityNotice",
    "ConversationRef",
    "DigestPreference",
    "Domain",
    "Government",
    "Handover",
    "HandoverItem",
    "HandoverStakeholder",
    "Lease",
    "LeaveDay",
    "ManagerDomain",
    "MeetingOccurrence",
    "MeetingReport",
    "MeetingSeries",
    "Milestone",
    "OutboxMessage",
    "OutboxOptOut",
    "Person",
    "PersonAvailability",
    "PersonRole",
    "Project",
    "ProjectDecision",
    "ProjectGovernment",
    "Retrospective",
    "Risk",
    "Rsvp",
    "StatusReport",
    "StoredFile",
    "TeamMember",
    "TimeBudgetAlert",
    "TimeEntry",
    "TimeNudge",
]
