"""The handover of a finished project to operational management: the plan and its checklist, informing the
receiving party and stakeholders early, reminders to the coordinator, acceptance by the receiving party, the
after-care period (which closes the project when it ends) and the handover dossier (DOCX).

Where each part lives: the `handover` command and the plan form (plan.py), checklist items (checklist.py), the two
forms read by models (forms.py), acceptance (acceptance.py), the dossier and its export (dossier.py), the messages
it schedules, the daily job that ends after-care and the person-linked hook (schedule.py), those messages rendered
at send time (messages.py), the after-care line on the project card and the handover line on the status card
(sections.py). The pure rules of dates and periods are in rules.py, what a request points at and who the person is
to it in lookup.py, the after-care note and a person as a form shows them in views.py. Every part is declared on
the one `capability` (declaration.py) next to its handler; the cards and the contracts of their buttons are in
cards/handover/, the handover as a value (storage returns it, the cards render it) in domain/handover.py."""

from __future__ import annotations

from dialogs.handover import acceptance, checklist, dossier, messages, plan, schedule, sections
from dialogs.handover.declaration import capability

__all__ = ["acceptance", "capability", "checklist", "dossier", "messages", "plan", "schedule", "sections"]
