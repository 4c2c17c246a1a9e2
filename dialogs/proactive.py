"""What proactive messages look like: renderers registered by name (run at send time), the opt-out footer and verb."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cards.i18n import Language, Translator, catalog, translator
from cards.outbox import (
    SCOPE_CONVERSATION,
    SCOPE_PERSON,
    OptOutFooter,
    OptOutPayload,
    build_notice_card,
    build_undeliverable_card,
    with_opt_out_footer,
)
from dialogs.kernel.registry import Capability, Refresher, Renderer
from dialogs.kernel.turn import Reply, Request, Services, conversation_here
from dialogs.kernel.who import me
from storage.db import Database
from storage.directory import Role
from storage.meetings import MeetingRepository
from storage.opt_outs import OptOutRepository
from storage.projects import ProjectRepository

UNDELIVERABLE_BUILDER = "outbox.undeliverable"
UNDELIVERABLE_KIND = "outbox.undeliverable"


class UnknownRenderer(LookupError):
    """An outbox row names a builder nobody registered (e.g. a capability was removed)."""


@dataclass(frozen=True)
class Audience:
    """Who will read the message: decides language and which opt-out buttons make sense."""

    language: Language
    personal: bool


class ProactiveCards:
    """Every capability's proactive card renderers and send-time refreshers, by builder name (dialogs/app.py:
    build_proactive_cards assembles them from the capabilities' declarations)."""

    def __init__(self, renderers: dict[str, Renderer], refreshers: dict[str, Refresher]) -> None:
        self._renderers = dict(renderers)
        self._refreshers = dict(refreshers)

    def names(self) -> list[str]:
        return sorted(self._renderers)

    def needs_refresh(self, payload: dict[str, Any]) -> bool:
        return str(payload.get("builder")) in self._refreshers

    def refresh(self, db: Database, payload: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        """The payload as it should be sent now (see Refresher); None: send nothing. Runs queries."""
        refresher = self._refreshers.get(str(payload.get("builder")))
        if refresher is None:
            return payload
        args = refresher(db, dict(payload.get("args") or {}), now)
        return None if args is None else {**payload, "args": args}

    def render(self, payload: dict[str, Any], *, kind: str, audience: Audience) -> dict[str, Any]:
        """The card to send for an outbox payload, footer included: why it came and how to stop its kind."""
        t = translator(audience.language)
        footer = OptOutFooter(
            kind=kind,
            why=_first_known(t, f"outbox.why.{kind}", "outbox.why.default"),
            kind_name=_first_known(t, f"outbox.kind.{kind}", "outbox.kind.default"),
            conversation_scope=not audience.personal,
        )
        if "text" in payload:
            return build_notice_card(str(payload["text"]), footer, t)
        if "card" in payload and isinstance(payload["card"], dict):
            content: dict[str, Any] = payload["card"]
        elif "builder" in payload:
            renderer = self._renderers.get(str(payload["builder"]))
            if renderer is None:
                raise UnknownRenderer(str(payload["builder"]))
            args = payload.get("args") or {}
            content = renderer(dict(args), t)
        else:
            raise ValueError("an outbox payload holds text, card or builder")
        return with_opt_out_footer(content, footer, t)


def _first_known(t: Translator, *keys: str) -> str:
    known = catalog(t.language)
    return next((t(key) for key in keys if key in known), keys[-1])


def undeliverable_args(*, conversation: str | None, reason: str, kind: str) -> dict[str, Any]:
    """Arguments of the owner's notice; reason is removed, not_found or inactive."""
    return {"conversation": conversation, "reason": reason, "kind": kind}


capability = Capability("outbox")


@capability.proactive(UNDELIVERABLE_BUILDER)
def _render_undeliverable(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    reason = args.get("reason") if args.get("reason") in ("removed", "not_found", "inactive") else "inactive"
    return build_undeliverable_card(
        t,
        conversation=str(args.get("conversation") or t("outbox.undeliverable.unnamed")),
        reason_key=f"outbox.undeliverable.reason.{reason}",
        kind_name=_first_known(t, f"outbox.kind.{args.get('kind')}", "outbox.kind.default"),
    )


# The opt-out button ----------------------------------------------------------------------------------------


def _may_silence_conversation(request: Request, services: Services) -> bool:
    """A whole channel or chat goes quiet only by an admin, or the coordinator of a project that meets there: any
    member could otherwise silence the working group's reminders for everyone."""
    person_id = request.person.id
    if person_id is None:
        return False
    if Role.ADMIN in me(request, services).roles:
        return True
    here = conversation_here(request, services)
    if here is None or here.id is None:
        return False
    projects = ProjectRepository(services.db)
    for series in MeetingRepository(services.db).series_in_conversation(here.id):
        project = projects.facts(series.project_id)
        if project is not None and project.coordinator_id == person_id:
            return True
    return False


@capability.verb(OptOutPayload)
def stop_kind(request: Request, services: Services, payload: OptOutPayload) -> Reply:
    """Idempotent, as Teams may deliver the same invoke twice."""
    t = request.t
    if payload.kind == "default" or f"outbox.kind.{payload.kind}" not in catalog(t.language):
        return Reply.text(t("outbox.stop.unknown"))  # only kinds the bot sends (and names) can be stopped
    kind_name = _first_known(t, f"outbox.kind.{payload.kind}", "outbox.kind.default")
    if payload.scope == SCOPE_CONVERSATION and request.where.is_personal:
        return Reply.text(t("outbox.stop.personal_only"))
    if payload.scope == SCOPE_CONVERSATION and not _may_silence_conversation(request, services):
        return Reply.text(t("outbox.stop.conversation_refused"))
    subject = request.person.aad_object_id if payload.scope == SCOPE_PERSON else request.where.conversation_id
    OptOutRepository(services.db).opt_out(
        tenant_id=request.where.tenant_id,
        kind=payload.kind[:64],
        scope=payload.scope,
        subject=subject,
        created_by=request.person.aad_object_id,
        now=services.clock.now(),
    )
    return Reply.text(t(f"outbox.stopped.{payload.scope}", kind=kind_name))
