"""Handover cards (pure: values in, dict out), each next to the contracts of the buttons it carries: the plan and its
checklist (plan.py), the plan and item forms (forms.py), the acceptance card (acceptance.py) and the proactive
messages: the early information, the coordinator's reminder, the after-care reminder, the notices and whom the bot
could not reach (messages.py). What they share is in common.py."""

from __future__ import annotations

from cards.handover.acceptance import (
    REASON_MAX,
    Accept,
    AcceptanceView,
    NotYet,
    NotYetForm,
    ShowAcceptance,
    build_handover_acceptance_card,
)
from cards.handover.common import MAX_ITEMS, ItemLine, length_text
from cards.handover.forms import (
    HandoverForm,
    ItemForm,
    SaveItem,
    SavePlan,
    build_handover_form_card,
    build_handover_item_form_card,
)
from cards.handover.messages import (
    AfterCareView,
    HandoverNotice,
    InformView,
    ReminderView,
    UnreachablePerson,
    UnreachableView,
    build_after_care_reminder_card,
    build_handover_inform_card,
    build_handover_notice_card,
    build_handover_reminder_card,
    build_handover_unreachable_card,
)
from cards.handover.plan import (
    AskAcceptance,
    EditPlan,
    ExportDossier,
    HandoverView,
    OpenItem,
    OpenPlan,
    TickItem,
    build_handover_card,
)

# TRANSITIONAL: the status card's button to the plan (cards/status); `submit(..., OpenPlan, code=...)` replaces it.
OPEN_VERB = OpenPlan.VERB

__all__ = [
    "MAX_ITEMS",
    "OPEN_VERB",
    "REASON_MAX",
    "Accept",
    "AcceptanceView",
    "AfterCareView",
    "AskAcceptance",
    "EditPlan",
    "ExportDossier",
    "HandoverForm",
    "HandoverNotice",
    "HandoverView",
    "InformView",
    "ItemForm",
    "ItemLine",
    "NotYet",
    "NotYetForm",
    "OpenItem",
    "OpenPlan",
    "ReminderView",
    "SaveItem",
    "SavePlan",
    "ShowAcceptance",
    "TickItem",
    "UnreachablePerson",
    "UnreachableView",
    "build_after_care_reminder_card",
    "build_handover_acceptance_card",
    "build_handover_card",
    "build_handover_form_card",
    "build_handover_inform_card",
    "build_handover_item_form_card",
    "build_handover_notice_card",
    "build_handover_reminder_card",
    "build_handover_unreachable_card",
    "length_text",
]
