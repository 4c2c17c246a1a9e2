"""The time capability: registering time worked and planned, timesheets, a project's hours against budget, the
export of entries, reminders to log time and leave days. One declaration, `capability` (declaration.py); each
module adds what it handles to it, next to the handler:

- typed.py: `log` / `plan` by message (`registreer 2u30 DT-042 #vergadering`), the form when it is not clear;
- form.py: the log form's Save (`timelog.save`), read by a form model with per-field errors;
- entries.py: one entry's form, rules, write and confirmation; the confirmation's Undo and Edit (`timelog.undo`,
  `timelog.edit`);
- timesheet.py: `timesheet` / `uren` and its week buttons (`timelog.week`);
- budget.py: `budget DT-042` and the burn warning's button (`timelog.hours`), the burn chart (`burn_chart_uri`) and
  the project card's chart (Slot.PROJECT_CARD);
- burn_warning.py: the coordinator's budget-burn warning (proactive `time.burn_warning`);
- export.py and files.py: `export` as XLSX and CSV (files.py is also the CLI's, bot/cli_export.py);
- nudges.py: the reminder job (`time.nudges`), its send-time re-check and card (proactive `time.nudge`);
- leave.py: `leave` / `verlof`.

The cards and the verbs' payload contracts are in cards/timelog.py."""

from __future__ import annotations

# Imported for their declarations, in menu order: each module adds its commands to `capability` as it loads, and the
# help card lists them in that order (log, timesheet, export, leave), so these imports are not sorted by name.
# isort: off
from dialogs.timelog import typed  # noqa: F401  (log, plan)
from dialogs.timelog import form  # noqa: F401  (the form's Save; entries: Undo, Edit)
from dialogs.timelog import timesheet  # noqa: F401  (timesheet; budget)
from dialogs.timelog import export  # noqa: F401
from dialogs.timelog import nudges  # noqa: F401
from dialogs.timelog import leave  # noqa: F401
from dialogs.timelog import from_message  # noqa: F401  (the message action's dialog)

# isort: on
from dialogs.timelog.declaration import capability

__all__ = ["capability"]
