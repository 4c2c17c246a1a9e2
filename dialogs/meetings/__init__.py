"""Meetings: a project's meeting series in its working group's conversation, their recurrence, Adaptive Card
reminders before each meeting (answers, agenda items), the meeting report with its action items, and series
imported from Outlook through Microsoft Graph. One capability, declared in `common.capability`:

- editing: "new meeting", the series form (Edit, Save); forms: the series and move forms' models;
- listing: "meetings", the list's pages, moving or cancelling one meeting, another conversation for a series;
- agenda: "agenda", agenda items and answers from the reminder card;
- reports: the meeting report, "actions" and marking one done;
- reminders: the reminder and report prompt (proactive renderers), the job that keeps them in the outbox, and the
  next meetings the status card shows (Slot.STATUS_MEETINGS);
- outlook: "import meeting" and the job that follows imported series (needs Graph);
- live: a Teams meeting's own chat linked to a series ("link meeting"), the agenda posted there when the meeting
  starts and the report form when it ends (meeting events);
- recurrence, graph_recurrence: the pure rules (occurrences in a series' own zone; Outlook patterns in our terms).

The cards and the verbs' contracts are in cards/meetings/."""

# Importing the modules declares their commands, verbs, renderers, jobs and sections on `capability`. The menu lists
# commands in declaration order: "new meeting" (editing) before "meetings" (listing), as the names sort.
from dialogs.meetings import agenda, editing, listing, live, outlook, reports
from dialogs.meetings.common import capability

__all__ = ["agenda", "capability", "editing", "listing", "live", "outlook", "reports"]
