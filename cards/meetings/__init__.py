"""The meeting cards (pure: values in, dict out), each module with the contracts of the verbs its buttons carry:
series_form (the series form, SeriesPayload), listing (upcoming meetings, moving or cancelling one, the
conversation a series' reminders go to), reminder (the reminder with answers and agenda), report (the meeting
report and the action items), outlook (the choice of Outlook series to import); common (how a meeting's moment
reads, shortening)."""

from cards.meetings.common import KINDS, REPEATS, format_local, when_text
from cards.meetings.listing import (
    LIST_PAGE,
    CancelOnePayload,
    ConversationFormPayload,
    EditPayload,
    ListPayload,
    MoveForm,
    MoveFormPayload,
    MovePayload,
    OccurrenceLine,
    OccurrenceRef,
    RelinkPayload,
    SeriesRef,
    build_meeting_conversation_card,
    build_meetings_card,
    build_occurrence_move_card,
)
from cards.meetings.outlook import (
    MAX_CHOICES,
    ImportChoice,
    ImportListPayload,
    ImportPayload,
    build_meeting_import_card,
)
from cards.meetings.reminder import (
    AGENDA_MAX,
    AgendaPayload,
    AttendPayload,
    DeclinePayload,
    ReminderRef,
    ReminderView,
    build_meeting_reminder_card,
)
from cards.meetings.report import (
    REPORT_ACTION_ROWS,
    ActionDonePayload,
    ActionsPayload,
    ReportForm,
    ReportPayload,
    build_action_items_card,
    build_meeting_report_card,
)
from cards.meetings.series_form import FORM_FIELDS, MeetingForm, SeriesPayload, build_meeting_form_card

__all__ = [
    "AGENDA_MAX",
    "FORM_FIELDS",
    "KINDS",
    "LIST_PAGE",
    "MAX_CHOICES",
    "REPEATS",
    "REPORT_ACTION_ROWS",
    "ActionDonePayload",
    "ActionsPayload",
    "AgendaPayload",
    "AttendPayload",
    "CancelOnePayload",
    "ConversationFormPayload",
    "DeclinePayload",
    "EditPayload",
    "ImportChoice",
    "ImportListPayload",
    "ImportPayload",
    "ListPayload",
    "MeetingForm",
    "MoveForm",
    "MoveFormPayload",
    "MovePayload",
    "OccurrenceLine",
    "OccurrenceRef",
    "RelinkPayload",
    "ReminderRef",
    "ReminderView",
    "ReportForm",
    "ReportPayload",
    "SeriesPayload",
    "SeriesRef",
    "build_action_items_card",
    "build_meeting_conversation_card",
    "build_meeting_form_card",
    "build_meeting_import_card",
    "build_meeting_reminder_card",
    "build_meeting_report_card",
    "build_meetings_card",
    "build_occurrence_move_card",
    "format_local",
    "when_text",
]
