"""Test harness: Teams-shaped activities, a fake Bot Connector over HTTP and a fake clock."""

from .activities import (
    DEFAULT_BOT_ID,
    DEFAULT_BOT_NAME,
    ActivityFactory,
    Conversation,
    TeamsUser,
    format_local_timestamp,
    format_timestamp,
    personal_conversation_id,
    to_activity,
)
from .clock import FakeClock
from .connector import DEFAULT_ERROR_CODES, ConnectorRequest, FakeConnector, error_body

__all__ = [
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_NAME",
    "DEFAULT_ERROR_CODES",
    "ActivityFactory",
    "ConnectorRequest",
    "Conversation",
    "FakeClock",
    "FakeConnector",
    "TeamsUser",
    "error_body",
    "format_local_timestamp",
    "format_timestamp",
    "personal_conversation_id",
    "to_activity",
]
