"""Handover cards (pure: values in, dict out), each next to the contracts of the buttons it carries: the plan and its
checklist (plan.py), the plan and item forms (forms.py), the acceptance card (acceptance.py) and the proactive
messages: the early information, the coordinator's reminder, the after-care reminder, the notices and whom the bot
could not reach (messages.py). What they share is in common.py."""

from __future__ import annotations

from cards.handover.acceptance import (
    REASON_MAX,
    Accept,
    NotYet,
    NotYetForm,
    ShowAcceptance,
    build_handover_acceptance_card,
)
from cards.handover.common import (
    MAX_ITEMS,
    after_care_text,
    date_text,
    item_title,
    length_text,
    receiver_label,
    stored_length_text,
)
from cards.handover.forms import (
    HandoverForm,
    ItemForm,
    SaveItem,
    SavePlan,
    build_handover_form_card,
    build_handover_item_form_card,
)
from cards.handover.messages import (
    HandoverNotice,
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
    OpenItem,
    OpenPlan,
    TickItem,
    build_handover_card,
)

__all__ = [
    "MAX_ITEMS",
    "REASON_MAX",
    "Accept",
    "AskAcceptance",
    "EditPlan",
    "ExportDossier",
    "HandoverForm",
    "HandoverNotice",
    "ItemForm",
    "NotYet",
    "NotYetForm",
    "OpenItem",
    "OpenPlan",
    "SaveItem",
    "SavePlan",
    "ShowAcceptance",
    "TickItem",
    "UnreachablePerson",
    "UnreachableView",
    "after_care_text",
    "build_after_care_reminder_card",
    "build_handover_acceptance_card",
    "build_handover_card",
    "build_handover_form_card",
    "build_handover_inform_card",
    "build_handover_item_form_card",
    "build_handover_notice_card",
    "build_handover_reminder_card",
    "build_handover_unreachable_card",
    "date_text",
    "item_title",
    "length_text",
    "receiver_label",
    "stored_length_text",
]
