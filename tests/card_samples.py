"""One or more sample of every card the bot can send, in both languages, for the schema and size checks.

A new `build_*_card` function in cards/ must add its samples here: test_cards.py fails otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from cards.i18n import LANGUAGES, Translator, translator
from cards.menu import MenuEntry, MenuSection, build_help_card, build_welcome_card
from cards.outbox import OptOutFooter, build_notice_card, build_undeliverable_card
from cards.settings import (
    SettingsForm,
    build_language_offer_answered,
    build_language_offer_card,
    build_settings_card,
)
from dialogs.app import build_router
from tests.handover_card_samples import HANDOVER_SAMPLES
from tests.meeting_card_samples import MEETING_SAMPLES
from tests.meeting_import_card_samples import MEETING_IMPORT_SAMPLES
from tests.occupancy_card_samples import OCCUPANCY_SAMPLES
from tests.project_card_samples import PROJECT_SAMPLES
from tests.staffing_card_samples import STAFFING_SAMPLES
from tests.status_card_samples import STATUS_SAMPLES
from tests.time_card_samples import TIME_SAMPLES
from tests.week_plan_card_samples import WEEK_PLAN_SAMPLES

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]


def _help(t: Translator) -> dict[str, Any]:
    return build_router().help_card(t)


def _help_admin(t: Translator) -> dict[str, Any]:
    return build_router().help_card(t, lambda _action: True)


def _help_long(t: Translator) -> dict[str, Any]:
    sections = list(MenuSection)
    entries = [
        MenuEntry("help", f"Command {i}", "description " * 10, f"c{i} example", sections[i % len(sections)], f"c{i}")
        for i in range(30)
    ]
    return build_help_card(entries, t)


SAMPLES: list[Sample] = [
    ("help menu", build_help_card, _help),
    ("help menu, administrator", build_help_card, _help_admin),
    ("help menu, many entries", build_help_card, _help_long),
    (
        "welcome, personal",
        build_welcome_card,
        lambda t: build_welcome_card(t, personal=True, help_command="help"),
    ),
    (
        "welcome, channel",
        build_welcome_card,
        lambda t: build_welcome_card(t, personal=False, help_command="help"),
    ),
    (
        "settings",
        build_settings_card,
        lambda t: build_settings_card(SettingsForm("auto", "", "nl", "Europe/Brussels"), t),
    ),
    (
        "settings with errors",
        build_settings_card,
        lambda t: build_settings_card(
            SettingsForm(
                "nl",
                "Mars/Phobos",
                "nl",
                "Europe/Brussels",
                {"timezone": t("settings.timezone.invalid", value="Mars/Phobos")},
            ),
            t,
        ),
    ),
    (
        "offer to keep the language typed",
        build_language_offer_card,
        lambda t: build_language_offer_card(t.language, 7, t),
    ),
    (
        "offer to keep the language typed, answered",
        build_language_offer_answered,
        lambda t: build_language_offer_answered(t("language.offer.accepted")),
    ),
    (
        "proactive notice with opt-out, channel",
        build_notice_card,
        lambda t: build_notice_card(
            "Reminder: steering committee in 15 minutes.",
            OptOutFooter("meeting.reminder", t("outbox.why.default"), t("outbox.kind.default"), True),
            t,
        ),
    ),
    (
        "proactive notice with opt-out, personal",
        build_notice_card,
        lambda t: build_notice_card(
            "x" * 2000, OptOutFooter("k", t("outbox.why.default"), t("outbox.kind.default"), False), t
        ),
    ),
    (
        "undeliverable notice",
        build_undeliverable_card,
        lambda t: build_undeliverable_card(
            t,
            conversation="Project Alpha › General",
            reason_key="outbox.undeliverable.reason.removed",
            kind_name=t("outbox.kind.default"),
        ),
    ),
]

SAMPLES += PROJECT_SAMPLES
SAMPLES += STATUS_SAMPLES
SAMPLES += TIME_SAMPLES
SAMPLES += WEEK_PLAN_SAMPLES
SAMPLES += OCCUPANCY_SAMPLES
SAMPLES += HANDOVER_SAMPLES
SAMPLES += MEETING_SAMPLES
SAMPLES += MEETING_IMPORT_SAMPLES
SAMPLES += STAFFING_SAMPLES


def all_samples() -> Iterator[tuple[str, dict[str, Any]]]:
    for language in LANGUAGES:
        t = translator(language)
        for name, _builder, make in SAMPLES:
            yield f"{name} [{language}]", make(t)


def covered_builders() -> set[Callable[..., dict[str, Any]]]:
    return {builder for _name, builder, _make in SAMPLES}
