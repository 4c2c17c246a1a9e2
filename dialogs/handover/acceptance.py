"""Acceptance by the receiving party: asking for it now, accepting (recorded once, the coordinator told, after-care
scheduled), "not yet" with a reason, and the acceptance card as it stands, updated in place for everyone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cards.handover import (
    Accept,
    AskAcceptance,
    NotYet,
    NotYetForm,
    ShowAcceptance,
    build_handover_acceptance_card,
    receiver_label,
)
from cards.i18n import translator
from dialogs.handover import rules
from dialogs.handover.declaration import capability
from dialogs.handover.lookup import acceptable, acceptance_row, editable_plan
from dialogs.handover.schedule import after_acceptance, ask_acceptance_now, not_yet_noticed
from dialogs.kernel.timezones import request_zone, today_for
from dialogs.kernel.turn import Reply, Request, Services
from domain.handover import OPEN_STATES, HandoverFacts, HandoverState
from storage.handover import REASON_MAX, HandoverRepository


@capability.verb(AskAcceptance)
def ask_acceptance(request: Request, services: Services, payload: AskAcceptance) -> Reply:
    """The coordinator asks for acceptance now rather than on the planned date."""
    project, row = editable_plan(request, services, payload.code)
    if not ask_acceptance_now(services.db, row, services.clock.now(), today_for(request, services)):
        return Reply.text(request.t("handover.receiver.unreachable"))
    return Reply.text(request.t("handover.asked", receiver=receiver_label(row, request.t), code=project.code))


@capability.verb(Accept)
def accept(request: Request, services: Services, payload: Accept) -> Reply:
    """Action.Execute from the acceptance card: recorded once, audited, the card updated in place for everyone."""
    t = request.t
    _project, row = acceptable(request, services, payload.handover)
    zone = request_zone(request, services)
    if row.state not in OPEN_STATES:
        notice = t("handover.accept.already") if row.state == HandoverState.ACCEPTED.value else None
        return Reply(replace_card=build_handover_acceptance_card(row, t, zone=zone, notice=notice))
    now = services.clock.now()
    today = now.astimezone(zone).date()
    until = rules.after_care_end(today, rules.AfterCare(row.after_care_end, row.after_care_length))
    saved, accepted = HandoverRepository(services.db).accept(
        row.id, actor_id=request.person.id, now=now, after_care_until=until
    )
    if accepted:
        after_acceptance(services.db, saved, now, services.default_timezone)
    return _acceptance_for_everyone(request, services, saved)


@capability.verb(NotYetForm)
def not_yet_form(request: Request, services: Services, payload: NotYetForm) -> Reply:
    _project, row = acceptable(request, services, payload.handover)
    asking = row.state in OPEN_STATES
    card = build_handover_acceptance_card(
        row, request.t, zone=request_zone(request, services), asking_reason=asking, reason=row.not_yet_reason
    )
    return Reply(replace_card=card)


@capability.verb(NotYet)
def not_yet(request: Request, services: Services, payload: NotYet) -> Reply:
    t = request.t
    _project, row = acceptable(request, services, payload.handover)
    zone = request_zone(request, services)
    reason = payload.reason.strip()
    if row.state not in OPEN_STATES:
        return Reply(replace_card=build_handover_acceptance_card(row, t, zone=zone))
    if not reason or len(reason) > REASON_MAX:
        error = t("handover.not_yet.reason_missing") if not reason else t("handover.not_yet.too_long", limit=REASON_MAX)
        card = build_handover_acceptance_card(
            row, t, zone=zone, asking_reason=True, reason=payload.reason[:REASON_MAX], reason_error=error
        )
        return Reply(replace_card=card)
    if row.state == HandoverState.NOT_YET.value and row.not_yet_reason == reason:
        return _acceptance_for_everyone(request, services, row)  # pressed twice
    now = services.clock.now()
    saved, changed = HandoverRepository(services.db).not_yet(row.id, reason=reason, actor_id=request.person.id, now=now)
    if changed:
        not_yet_noticed(services.db, saved, now, who=request.person.name or "?", reason=reason)
    return _acceptance_for_everyone(request, services, saved, texts=[t("handover.not_yet.recorded")])


@capability.verb(ShowAcceptance)
def show_acceptance(request: Request, services: Services, payload: ShowAcceptance) -> Reply:
    _project, row = acceptance_row(request, services, payload.handover)
    return Reply(replace_card=build_handover_acceptance_card(row, request.t, zone=request_zone(request, services)))


def _acceptance_for_everyone(
    request: Request, services: Services, row: HandoverFacts, *, texts: list[str] | None = None
) -> Reply:
    """The acceptance card as it now stands. In a team's conversation everyone sees it, so it is in that
    conversation's language and time zone (as it was sent), not the presser's."""
    shared = not request.where.is_personal
    t = translator(services.default_language) if shared else request.t
    zone = ZoneInfo(services.default_timezone) if shared else request_zone(request, services)
    card = build_handover_acceptance_card(row, t, zone=zone)
    return Reply(texts=texts or [], replace_card=card, update_for_everyone=shared)
