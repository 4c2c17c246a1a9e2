"""The bot's turn: record who and where, turn the activity into a Request, route it, send the Reply."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment
from sqlalchemy.exc import IntegrityError

from bot import activity_reading as read
from bot.delivery.failures import ReplyUndeliverable
from bot.files import FILE_CONSENT_INVOKE, FileDelivery
from bot.log_safety import safe_traceback
from bot.metrics import count_turn
from cards.encoded import EncodedCard
from cards.i18n import Language, Translator, language_of, translator
from cards.menu import build_welcome_card
from dialogs.app import catch_up_linked_person
from dialogs.kernel.rendering import RenderingBusy
from dialogs.kernel.router import Router, invoke_answer
from dialogs.kernel.turn import InvokeResult, OutgoingFile, Reply, Request, RequestKind, Services, Where
from dialogs.kernel.turn_log import CURRENT_TURN, TurnLog, note_command
from dialogs.kernel.who import remember_standing
from storage.db import TURN_DEADLINE, DatabaseBusy, DatabaseUnavailable, wait_budget
from storage.demo import demo_codes_present
from storage.directory import DirectoryRepository
from storage.first_run import claim_first_admin
from storage.linking import LinkRepository
from storage.models import Person
from storage.people import person_facts
from storage.turns import TurnRecord, record_turn

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
_INSTALL_ACTIONS = {"add", "add-upgrade"}
_UNINSTALL_ACTIONS = {"remove", "remove-upgrade"}
ROSTER_TIMEOUT_SECONDS = 3
ROSTER_RETRY_AFTER = timedelta(hours=1)
# People whose roster lookup failed recently, newest last: bounded, so 10,000 people talking once cost nothing
# lasting (one forgotten early is merely asked again).
ROSTER_TRIED_MAX = 1024
# How long a turn may spend waiting for the database and for drawings (storage.db.TURN_DEADLINE): a message well
# inside Teams' 15 s, a card action (invoke) inside the 5 s Teams gives it, with room to send the answer.
MESSAGE_TURN_SECONDS = 10.0
INVOKE_TURN_SECONDS = 4.0


class ProjectBot:
    def __init__(
        self,
        router: Router,
        services: Services,
        *,
        roster_lookup: bool = True,
        files: FileDelivery | None = None,
        first_run_admin: bool = False,
    ) -> None:
        self.router = router
        self.services = services
        self.roster_lookup = roster_lookup
        # Without it (the terminal chat) files go out as inline attachments.
        self.files = files
        # Local trials only (`serve --dev`, `projectbot chat`): the first person to talk to a database without any
        # admin becomes one (storage.first_run). Off, never asked, in production.
        self._claim_first_admin = first_run_admin
        self._roster_tried: OrderedDict[tuple[str, str], datetime] = OrderedDict()

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        budget = INVOKE_TURN_SECONDS if activity.type == ActivityTypes.invoke else MESSAGE_TURN_SECONDS
        deadline = TURN_DEADLINE.set(time.monotonic() + budget)
        # Its id is on every log line of the turn and is the "[ref]" of the apology (bot/logs.py).
        turn = TurnLog(activity_type=_activity_type(activity))
        noted = CURRENT_TURN.set(turn)
        try:
            await self._turn(turn_context)
        except (DatabaseBusy, RenderingBusy) as exc:
            # Waited the whole bound (a connection, the writer's turn, a lock, a drawing): nothing was written.
            turn.outcome = "busy"
            log.warning("busy during %s turn: %s", activity.type, exc)
            await self._say(turn_context, Reply.text(self._fallback_t(activity)("error.busy")))
        except DatabaseUnavailable as exc:
            turn.outcome = "unavailable"
            # Unreachable, read-only, or a schema older than the code (see /healthz): the operator needs the detail.
            log.warning("database unavailable during %s turn: %s", activity.type, exc, exc_info=exc)
            await self._say(turn_context, Reply.text(self._fallback_t(activity)("error.try_again")))
        except ReplyUndeliverable as exc:
            turn.outcome = "error"
            await self._undeliverable(turn_context, exc, turn.turn_id)
        except Exception as exc:
            turn.outcome = "error"
            reference = turn.turn_id
            log.error("turn failed [ref=%s] type=%s\n%s", reference, activity.type, safe_traceback(exc))
            t = self._fallback_t(activity)
            await self._say(turn_context, Reply.text(t("error.apology", reference=reference)))
        finally:
            _summarise(turn)
            CURRENT_TURN.reset(noted)
            TURN_DEADLINE.reset(deadline)

    async def _undeliverable(self, turn_context: TurnContext, failure: ReplyUndeliverable, reference: str) -> None:
        """The connector did not take the answer. The person is told, with the reference, where the conversation
        still takes a message (a card refused as too large, say); where it does not (gone, or in --dev the Playground
        closed) that fails too. Either way the operator reads one line; the tracebacks through aiohttp and msrest
        only at DEBUG."""
        activity = turn_context.activity
        try:
            await self._say(turn_context, Reply.text(self._fallback_t(activity)("error.apology", reference=reference)))
            outcome = "the person was told, with the reference"
        except ReplyUndeliverable:
            outcome = "nor was the apology"
        log.warning(
            "reply undeliverable [ref=%s] %s activity %s: %s; %s",
            reference,
            activity.type,
            activity.id,
            failure,
            outcome,
        )
        log.debug("reply undeliverable [ref=%s]\n%s", reference, safe_traceback(failure))

    async def _turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        kind = activity.type
        # The summary line at the turn's end (_summarise) is the INFO one; this says where a turn that hangs began.
        log.debug(
            "turn %s%s in %s conversation",
            kind,
            f" {activity.name}" if activity.name else "",
            (activity.conversation.conversation_type if activity.conversation else None) or "personal",
        )
        if kind == ActivityTypes.installation_update:
            await self._installation_update(turn_context)
        elif kind == ActivityTypes.conversation_update:
            await self._conversation_update(turn_context)
        elif kind == ActivityTypes.message:
            await self._request(turn_context, "submit" if _is_card_submit(activity) else "message")
        elif kind == ActivityTypes.invoke and activity.name == ADAPTIVE_CARD_ACTION:
            await self._request(turn_context, "invoke")
        elif kind == ActivityTypes.invoke and activity.name == FILE_CONSENT_INVOKE:
            note_command(FILE_CONSENT_INVOKE)
            await self._file_consent(turn_context)
        elif kind == ActivityTypes.invoke and self.router.handles_invoke(activity.name):
            await self._invoke(turn_context)
        elif kind == ActivityTypes.invoke:
            # Nobody declared it (composeExtension/querySettingUrl, a client's new invoke...): 200 with an empty
            # body, which Teams takes as "nothing to show", rather than an error the person would see.
            await _answer_invoke(turn_context, 200, {})
        elif kind == ActivityTypes.event and self.router.handles_event(activity.name) and activity.from_property:
            await self._event(turn_context)
        else:
            await asyncio.to_thread(self._record_conversation, activity)

    # Requests -------------------------------------------------------------------------------------------

    async def _request(self, turn_context: TurnContext, kind: RequestKind) -> None:
        person, request = await self._person_and_request(turn_context, kind)
        first_admin = await self._first_admin(person)
        reply = await self.router.dispatch(request, self.services)
        if first_admin is not None:
            # In the language of the answer below it: Dutch words under English Teams are answered in Dutch.
            answered = self.router.in_language_answered(request, self.services)
            reply = Reply.text(answered.t(first_admin)).then(reply)
        await self._say(turn_context, reply, request)

    async def _person_and_request(
        self, turn_context: TurnContext, kind: RequestKind, *, with_conversation: bool = True
    ) -> tuple[Person, Request]:
        """Who is asking (recorded, with the conversation unless told not to) and what, for every kind of turn."""
        record = await asyncio.to_thread(self._record, turn_context.activity, with_conversation=with_conversation)
        person = await self._learn_email(turn_context, record.person)
        request = self._build_request(turn_context.activity, person, kind)
        if person is record.person and not self._claim_first_admin:
            # Nobody was linked or made admin since: who they are was read with the record (in one transaction).
            remember_standing(
                request,
                roles=record.roles,
                managed_domains=record.managed_domains,
                named_manager_domains=record.named_manager_domains,
            )
        return person, request

    async def _invoke(self, turn_context: TurnContext) -> None:
        """An invoke a capability declared by name: answered with the handler's status and body."""
        # A message extension or a dialog is used from chats the bot is not a member of: such a chat is not recorded
        # (a recorded conversation is one the bot may post in, offered as a place for a meeting's reminders).
        _, request = await self._person_and_request(turn_context, "invoke", with_conversation=False)
        result = await self.router.dispatch_invoke(request, self.services)
        await _answer_invoke(turn_context, result.status, result.body)

    async def _event(self, turn_context: TurnContext) -> None:
        """An event a capability declared by name; its answer, if any, is posted in the conversation."""
        _, request = await self._person_and_request(turn_context, "event")
        reply = await self.router.dispatch_event(request, self.services)
        if reply is not None:
            await self._say(turn_context, reply, request)

    async def _first_admin(self, person: Person) -> str | None:
        """When this person just became the first admin, the catalog key of what to tell them (what next: load the
        demo, or try it when it is loaded); once anyone is admin, no further turn asks."""
        if not self._claim_first_admin or person.id is None:
            return None
        granted = await asyncio.to_thread(claim_first_admin, self.services.db, person.id, self.services.clock.now())
        self._claim_first_admin = False  # granted now, or someone was admin already
        if not granted:
            return None
        log.info("first run: person %s is now admin (nobody was; --dev or the terminal chat)", person.id)
        demo_loaded = await asyncio.to_thread(demo_codes_present, self.services.db)
        return "first_run.admin_demo" if demo_loaded else "first_run.admin"

    async def _learn_email(self, turn_context: TurnContext, person: Person) -> Person:
        """Ask the Teams roster once for the person's email (activities do not carry it): to know it, and so that
        people named by email before they talked to the bot (imports, forms) are linked to them."""
        if person.email or person.id is None or not self.roster_lookup:
            return person
        key = (person.tenant_id, person.aad_object_id)
        now = self.services.clock.now()
        tried = self._roster_tried.get(key)
        if tried is not None and now - tried < ROSTER_RETRY_AFTER:
            return person  # a failed lookup must not slow every turn
        self._tried_roster(key, now)
        try:
            member = await asyncio.wait_for(
                TeamsInfo.get_member(turn_context, turn_context.activity.from_property.id),
                wait_budget(ROSTER_TIMEOUT_SECONDS),  # less when the turn's own deadline is nearer
            )
        except Exception as exc:  # roster lookups are a nicety: not in roster, no permission, timeout, ...
            log.info("roster lookup for person %s failed: %s", person.id, type(exc).__name__)
            return person
        email = getattr(member, "email", None) or getattr(member, "user_principal_name", None)
        if not email or "@" not in str(email):
            return person
        return await asyncio.to_thread(self._link_email, person.id, str(email), now)

    def _tried_roster(self, key: tuple[str, str], now: datetime) -> None:
        self._roster_tried[key] = now
        self._roster_tried.move_to_end(key)
        while len(self._roster_tried) > ROSTER_TRIED_MAX:
            self._roster_tried.popitem(last=False)

    def _link_email(self, person_id: int, email: str, now: datetime) -> Person:
        directory = DirectoryRepository(self.services.db)
        try:
            person = LinkRepository(self.services.db).link_email(person_id, email, now=now)
        except IntegrityError:
            # Another turn linked the same address at the same moment (addresses are unique): theirs stands; this
            # turn goes on as the person is now, and the next lookup sorts out anything left.
            log.warning("linking the address Teams reported for person %s clashed with a concurrent link", person_id)
            found = directory.get(person_id)
            assert found is not None
            return found
        try:
            catch_up_linked_person(self.services, person_id)
        except Exception as exc:  # the turn goes on; what was owed stays owed (the coordinator was told)
            log.error("catching up with newly linked person %s failed\n%s", person_id, safe_traceback(exc))
        return person

    def _record(self, activity: Activity, *, with_conversation: bool = True) -> TurnRecord:
        seen = read.person_seen(activity)
        if seen is None:
            raise ValueError("activity without a sender")
        known = with_conversation and activity.conversation and activity.service_url
        conversation = read.conversation_seen(activity) if known else None
        return record_turn(self.services.db, conversation, seen, self.services.clock.now())

    def _record_conversation(self, activity: Activity) -> None:
        if activity.conversation is None or not activity.service_url:
            return
        self.services.conversations.record(read.conversation_seen(activity), self.services.clock.now())

    def _build_request(self, activity: Activity, person: Person, kind: RequestKind) -> Request:
        verb, payload = _verb_and_payload(activity, kind)
        return Request(
            kind=kind,
            person=person_facts(person),
            where=Where(
                channel_id=activity.channel_id or "msteams",
                conversation_id=activity.conversation.id,
                conversation_type=activity.conversation.conversation_type or "personal",
                tenant_id=read.tenant_of(activity),
                team_id=read.team_id_of(activity),
            ),
            language=self._language(activity, person),
            timezone=self._timezone(activity, person),
            teams_language=self._language(activity, None),
            teams_timezone=self._timezone(activity, None),
            text=read.text_without_bot_mention(activity) if kind == "message" else "",
            verb=verb,
            payload=payload,
            activity_id=activity.id,
            reply_to_id=activity.reply_to_id,
        )

    def _language(self, activity: Activity, person: Person | None) -> Language:
        if person is not None and person.preferred_language in ("nl", "en"):
            return person.preferred_language  # type: ignore[return-value]
        return language_of(activity.locale, default=self.services.default_language)

    def _timezone(self, activity: Activity, person: Person | None) -> str:
        preferred = person.preferred_timezone if person is not None else None
        seen = person.seen_timezone if person is not None else None
        for zone in (preferred, read.timezone_of(activity), seen):
            if zone and _known_zone(zone):
                return zone
        return self.services.default_timezone

    def _fallback_t(self, activity: Activity) -> Translator:
        return translator(language_of(activity.locale, default=self.services.default_language))

    # Installation ---------------------------------------------------------------------------------------

    async def _installation_update(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if (activity.action or "") in _UNINSTALL_ACTIONS:
            await asyncio.to_thread(self._mark_removed, activity, f"uninstalled ({activity.action})")
            return
        await asyncio.to_thread(self._record_conversation, activity)
        if (activity.action or "add") in _INSTALL_ACTIONS:
            await self._greet(turn_context)

    async def _conversation_update(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if read.bot_among(activity.members_removed, activity):
            await asyncio.to_thread(self._mark_removed, activity, "bot removed from conversation")
            return
        # Teams announces an install with both this and an installationUpdate; only the latter carries the locale,
        # so the welcome is sent from there (see _installation_update).
        await asyncio.to_thread(self._record_conversation, activity)

    def _mark_removed(self, activity: Activity, reason: str) -> None:
        self.services.conversations.mark_inactive(activity.channel_id or "msteams", activity.conversation.id, reason)

    async def _greet(self, turn_context: TurnContext) -> None:
        """Teams sends both installationUpdate and conversationUpdate on install: greet only once."""
        activity = turn_context.activity
        claimed = await asyncio.to_thread(
            self.services.conversations.claim_greeting,
            activity.channel_id or "msteams",
            activity.conversation.id,
            self.services.clock.now(),
        )
        if not claimed:
            return
        t = self._fallback_t(activity)
        personal = (activity.conversation.conversation_type or "personal") == "personal"
        help_command = next((c.name for c in self.router.commands() if c.name == "help"), "help")
        await self._say(turn_context, Reply.card(build_welcome_card(t, personal=personal, help_command=help_command)))

    # Replies --------------------------------------------------------------------------------------------

    async def _say(self, turn_context: TurnContext, reply: Reply, request: Request | None = None) -> None:
        activity = turn_context.activity
        if activity.type == ActivityTypes.invoke and self.router.handles_invoke(activity.name):
            # "Busy", an apology: in the shape that invoke's protocol shows (a message extension's pane, a dialog).
            result: InvokeResult = invoke_answer(activity.name, reply)
            await _answer_invoke(turn_context, result.status, result.body)
            return
        if activity.type == ActivityTypes.invoke:
            await self._answer_card_action(turn_context, reply, request)
            return
        if reply.replace_card is not None:
            await self._replace_or_send(turn_context, reply.replace_card)
        outgoing = [MessageFactory.text(text) for text in reply.texts]
        outgoing += [MessageFactory.attachment(card_attachment(card)) for card in reply.cards]
        outgoing += await self._file_messages(reply.files, request)
        if outgoing:
            await turn_context.send_activities(outgoing)

    async def _replace_or_send(self, turn_context: TurnContext, card: dict[str, Any]) -> None:
        """Action.Submit: show the answer in the card that was pressed; send it anew when that fails."""
        reply_to = turn_context.activity.reply_to_id
        attachment = card_attachment(card)
        if reply_to:
            update = MessageFactory.attachment(attachment)
            update.id = reply_to
            try:
                await turn_context.update_activity(update)
                return
            except Exception as exc:  # the original may be gone or not ours to edit
                log.info("could not update card %s in place (%s); sending a new one", reply_to, exc)
        await turn_context.send_activity(MessageFactory.attachment(attachment))

    async def _answer_card_action(self, turn_context: TurnContext, reply: Reply, request: Request | None) -> None:
        if reply.replace_card is not None:
            body: dict[str, Any] = {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": reply.replace_card}
            await _answer_invoke(turn_context, 200, body)
            if reply.update_for_everyone:
                await self._update_pressed_card(turn_context, reply.replace_card)
            extra = Reply(texts=reply.texts, cards=reply.cards)
        else:
            message = " ".join(reply.texts) if reply.texts else ""
            body = {"statusCode": 200, "type": MESSAGE_CONTENT_TYPE, "value": message}
            await _answer_invoke(turn_context, 200, body)
            extra = Reply(cards=reply.cards)
        outgoing = [MessageFactory.text(text) for text in extra.texts]
        outgoing += [MessageFactory.attachment(card_attachment(card)) for card in extra.cards]
        outgoing += await self._file_messages(reply.files, request)
        if outgoing:
            await turn_context.send_activities(outgoing)

    async def _update_pressed_card(self, turn_context: TurnContext, card: dict[str, Any]) -> None:
        """Everyone in the conversation sees the new card, not only the person whose invoke it answered."""
        pressed = turn_context.activity.reply_to_id
        if not pressed:
            return
        update = MessageFactory.attachment(card_attachment(card))
        update.id = pressed
        try:
            await turn_context.update_activity(update)
        except Exception as exc:  # the presser already has the new card; the others see it on the next update
            log.info("could not update card %s for everyone (%s)", pressed, exc)

    # Files ----------------------------------------------------------------------------------------------

    async def _file_messages(self, files: list[OutgoingFile], request: Request | None) -> list[Activity]:
        """Consent cards (personal chat) or download links (elsewhere) for the person who asked; bot/files.py."""
        if not files:
            return []
        if self.files is None or request is None or request.person.id is None:
            return [
                MessageFactory.list(
                    [
                        Attachment(content_type=f.content_type, name=f.name, content=f.data.decode(errors="replace"))
                        for f in files
                    ]
                )
            ]
        return await self.files.offer(
            files, owner_id=request.person.id, personal=request.where.is_personal, t=request.t
        )

    async def _file_consent(self, turn_context: TurnContext) -> None:
        """The person accepted or declined a file consent card; Teams retries, so this is idempotent."""
        activity = turn_context.activity
        if self.files is None:
            await _answer_invoke(turn_context, 200, {})
            return
        person = (await asyncio.to_thread(self._record, activity)).person
        assert person.id is not None
        value = activity.value if isinstance(activity.value, dict) else {}
        t = translator(self._language(activity, person))
        outgoing = await self.files.answer_consent(value, person_id=person.id, t=t)
        if outgoing:
            await turn_context.send_activities(outgoing)
        await _answer_invoke(turn_context, 200, {})


# The activity types Teams sends; anything else is "other" in the log and the metrics (a label is never free text).
_ACTIVITY_TYPES = frozenset(
    {
        ActivityTypes.message,
        ActivityTypes.invoke,
        ActivityTypes.conversation_update,
        ActivityTypes.installation_update,
        ActivityTypes.message_reaction,
        ActivityTypes.message_update,
        ActivityTypes.message_delete,
        ActivityTypes.typing,
        ActivityTypes.event,
    }
)


def _activity_type(activity: Activity) -> str:
    kind = str(activity.type or "")
    return kind if kind in _ACTIVITY_TYPES else "other"


def _summarise(turn: TurnLog) -> None:
    """The turn's one summary line (INFO) and its metrics: what answered it, how, and how long it took."""
    elapsed_ms = turn.elapsed_ms()
    log.info(
        "turn %s %s: %s in %.0f ms",
        turn.activity_type,
        turn.command or "-",
        turn.outcome,
        elapsed_ms,
        extra={"command": turn.command, "outcome": turn.outcome, "duration_ms": round(elapsed_ms, 1)},
    )
    count_turn(turn.activity_type, turn.command, turn.outcome, elapsed_ms / 1000)


class _SentCard(dict[str, Any]):
    """A card on its way out. The SDK deep-copies every outgoing activity; the card is not changed after a handler
    returned it, so copying it (a fifth of a help turn's CPU) buys nothing."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SentCard:
        return self


def card_attachment(card: dict[str, Any]) -> Attachment:
    return CardFactory.adaptive_card(card if isinstance(card, EncodedCard) else _SentCard(card))


async def _answer_invoke(turn_context: TurnContext, status: int, body: dict[str, Any]) -> None:
    await turn_context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body))
    )


def _is_card_submit(activity: Activity) -> bool:
    return not (activity.text or "").strip() and isinstance(activity.value, dict)


def _verb_and_payload(activity: Activity, kind: RequestKind) -> tuple[str | None, dict[str, Any]]:
    if kind == "message":
        return None, {}
    value = activity.value if isinstance(activity.value, dict) else {}
    if kind == "event" or (kind == "invoke" and activity.name != ADAPTIVE_CARD_ACTION):
        # An invoke or event declared by name: the name is the verb, the whole value the payload.
        return activity.name, dict(value)
    if kind == "invoke":
        action = _dict(value.get("action"))
        verb = action.get("verb")
        return (verb if isinstance(verb, str) else None), dict(_dict(action.get("data")))
    payload = {k: v for k, v in value.items() if k not in ("verb", "msteams")}
    verb = value.get("verb")
    return (verb if isinstance(verb, str) else None), payload


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _known_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
