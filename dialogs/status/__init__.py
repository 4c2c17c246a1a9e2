"""The status capability: how a project is doing and what a manager is told about it. Coordinators record status
reports (reports.py: the update form, the history, the status card of one project with its hours, milestones, top
risks and the meeting and handover lines other capabilities provide through the registry's status slots), keep
the project's milestones (milestones.py), risk register (risks.py) and log of decisions and scope changes
(decisions.py), and write the closing retrospective, asked for when a project closes (retrospective.py, which also
shows the lessons learned across projects). Managers see their portfolio (their domains' projects, and those the
data names them manager of, with or without the role), those that need attention first (portfolio.py), get a
weekly digest on the day and time they choose, and coordinators a reminder of milestones due
(digest.py: the settings, the jobs that enqueue both and their renderers); the board report is a card and a DOCX
document (board_report.py; board_document.py and board_docx.py write the document in a worker). forms.py reads the
forms (each field's value or its error, in the reader's language); rules.py holds the pure rules (RAG trends, burn,
staleness, attention); common.py the one `capability` every module declares its commands, verbs, jobs and hooks
on. The cards, and the contract of every button, are in cards/status/; the values storage returns and the cards
render (a report, a decision) in domain/status.py."""

# Each module declares its part on `capability` when imported: in this order, the order of the menu.
# isort: off
from dialogs.status.common import capability
from dialogs.status import reports, milestones, risks, decisions, retrospective, portfolio, board_report, digest
from dialogs.status import search

# isort: on

PARTS = (reports, milestones, risks, decisions, retrospective, portfolio, board_report, digest, search)

__all__ = ["capability"]
