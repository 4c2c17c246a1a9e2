"""An in-process Bot Framework adapter: runs the bot on one activity and prints what it sends, never posting it."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationReference, ResourceResponse
from botbuilder.schema.teams import TeamsChannelAccount

from bot.chat.console import Console, ShownCard
from bot.chat.render import JSON, RenderedCard, render_card, text_of
from bot.teams_bot import CARD_CONTENT_TYPE, MESSAGE_CONTENT_TYPE

Logic = Callable[[TurnContext], Awaitable[None]]

ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


class TerminalAdapter(BotAdapter):  # type: ignore[misc]
    """An in-process Bot Framework adapter: what the bot sends is printed, never posted anywhere."""

    def __init__(self, console: Console, *, first_id: int, timezone: str = "UTC") -> None:
        super().__init__()
        self.console = console
        self.timezone = timezone
        self.cards: dict[str, ShownCard] = {}
        self.sent: list[Activity] = []
        self._ids = itertools.count(first_id)
        self._numbers = itertools.count(1)
        self._recent: list[ShownCard] = []
        self._messages: set[str] = set()

    # One turn ----------------------------------------------------------------------------------------

    async def run_turn(self, activity: Activity, logic: Logic) -> InvokeResponse | None:
        """Run the bot on one incoming activity; for an invoke, return the answer the bot gave."""
        context = TurnContext(self, activity)
        # Where the Teams SDK looks for the connector that reads the conversation's roster (TeamsInfo.get_member).
        context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY] = TerminalRoster(activity.from_property)
        await self.run_pipeline(context, logic)
        answer = context.turn_state.get(BotAdapter._INVOKE_RESPONSE_KEY)
        value = getattr(answer, "value", None)
        return value if isinstance(value, InvokeResponse) else None

    # BotAdapter --------------------------------------------------------------------------------------

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses: list[ResourceResponse] = []
        for activity in activities:
            self.sent.append(activity)
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[BotAdapter._INVOKE_RESPONSE_KEY] = activity
                self._show_invoke_response(context.activity, activity.value)
                responses.append(ResourceResponse())
            elif activity.type == ActivityTypes.message:
                activity_id = str(next(self._ids))
                self._show_message(activity, activity_id)
                responses.append(ResourceResponse(id=activity_id))
            else:  # typing, trace, events: nothing a person sees
                responses.append(ResourceResponse())
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        activity_id = str(activity.id or "")
        card = _adaptive_card(activity)
        shown = self.cards.get(activity_id)
        if shown is None and activity_id not in self._messages:
            # Teams answers 404 for a message it does not know; the bot must cope.
            raise LookupError(f"no message with id {activity_id} in this chat")
        if card is not None:
            self._replace(activity_id, card)
        elif activity.text:
            self.console.note("(a message was edited)")
            self.console.bot_text(activity.text, self.timezone)
        return ResourceResponse(id=activity_id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        activity_id = str(reference.activity_id or "")
        shown = self.cards.pop(activity_id, None)
        if shown is not None:
            self._recent = [card for card in self._recent if card.activity_id != activity_id]
            self.console.note(f"({shown.label} was deleted)")
        elif activity_id in self._messages:
            self._messages.discard(activity_id)
            self.console.note("(a message was deleted)")

    # Cards -------------------------------------------------------------------------------------------

    @property
    def current(self) -> ShownCard | None:
        """The latest card with buttons: the one `/1` presses."""
        return next((card for card in reversed(self._recent) if card.rendered.actions), None)

    @property
    def last(self) -> ShownCard | None:
        return self.current or (self._recent[-1] if self._recent else None)

    def card_number(self, number: int) -> ShownCard | None:
        return next((card for card in self.cards.values() if card.number == number), None)

    def bring_forward(self, shown: ShownCard) -> None:
        self._recent = [card for card in self._recent if card is not shown]
        self._recent.append(shown)

    def open_subcard(self, parent: ShownCard, card: JSON) -> ShownCard:
        """An Action.ShowCard: its card opens below the parent and submits the parent's inputs too."""
        shown = ShownCard(
            number=next(self._numbers),
            activity_id=parent.activity_id,
            card=card,
            rendered=render_card(card, self.console.card_width, timezone=self.timezone),
            entered=parent.entered,
            parent=parent,
        )
        self.bring_forward(shown)
        self.console.card(shown)
        return shown

    def restyle(self, shown: ShownCard, card: JSON) -> None:
        """The card changed on the client only (ToggleVisibility): keep what was typed."""
        shown.card = card
        shown.rendered = render_card(card, self.console.card_width, timezone=self.timezone)
        self.bring_forward(shown)
        self.console.card(shown, updated=True)

    def _show_message(self, activity: Activity, activity_id: str) -> None:
        if activity.text:
            self._messages.add(activity_id)
            self.console.bot_text(activity.text, self.timezone)
        for attachment in activity.attachments or []:
            content = getattr(attachment, "content", None)
            if attachment.content_type == CARD_CONTENT_TYPE and isinstance(content, dict):
                shown = ShownCard(
                    number=next(self._numbers),
                    activity_id=activity_id,
                    card=content,
                    rendered=render_card(content, self.console.card_width, timezone=self.timezone),
                )
                self.cards[activity_id] = shown
                self.bring_forward(shown)
                self.console.card(shown)
            else:
                self._messages.add(activity_id)
                self.console.bot_text(f"[attachment: {attachment.content_type}]")

    def _replace(self, activity_id: str, card: JSON) -> None:
        """The card with this id now shows another card (Action.Submit update or Action.Execute answer)."""
        shown = self.cards.get(activity_id)
        if shown is None:
            shown = ShownCard(
                number=next(self._numbers), activity_id=activity_id, card=card, rendered=RenderedCard("", [], [])
            )
            self.cards[activity_id] = shown
        self._recent = [c for c in self._recent if not (c.parent is not None and c.activity_id == activity_id)]
        shown.card = card
        shown.rendered = render_card(card, self.console.card_width, timezone=self.timezone)
        shown.entered = {}
        self.bring_forward(shown)
        self.console.note(f"(card {shown.number} updated)")
        self.console.card(shown, updated=True)

    def _show_invoke_response(self, incoming: Activity, answer: Any) -> None:
        if not isinstance(answer, InvokeResponse):
            return
        body = answer.body
        serialize = getattr(body, "serialize", None)
        if callable(serialize):
            body = serialize()
        if not isinstance(body, dict):
            if int(answer.status or 200) >= 400:
                self.console.note(f"(the bot answered the button with status {answer.status}; Teams shows an error)")
            return
        kind = body.get("type")
        if kind == CARD_CONTENT_TYPE and isinstance(body.get("value"), dict):
            self._replace(str(incoming.reply_to_id or ""), body["value"])
        elif kind == MESSAGE_CONTENT_TYPE:
            if body.get("value"):
                self.console.bot_text(text_of(body.get("value")), self.timezone)
        elif kind == ERROR_CONTENT_TYPE:
            value = body.get("value")
            error: JSON = value if isinstance(value, dict) else {}
            self.console.note(f"(Teams shows an error: {error.get('message') or error.get('code') or body})")


class TerminalRoster:
    """The roster of the terminal's conversation, answering as Teams' connector does: one member, the person
    typing. Teams would also give their e-mail address; the terminal knows none, so the bot learns none (and links
    nobody by it) — and has no failed lookup to report."""

    def __init__(self, person: ChannelAccount | None) -> None:
        self.person = person
        self.conversations = self  # the connector's operations group: connector.conversations.get_conversation_member

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> TeamsChannelAccount:
        if self.person is None or member_id != self.person.id:
            # Teams answers 404 (MemberNotFoundInConversation) for anyone else.
            raise LookupError(f"{member_id} is not a member of the terminal's conversation {conversation_id}")
        return TeamsChannelAccount(id=self.person.id, name=self.person.name, aad_object_id=self.person.aad_object_id)


def _adaptive_card(activity: Activity) -> JSON | None:
    for attachment in activity.attachments or []:
        content = getattr(attachment, "content", None)
        if attachment.content_type == CARD_CONTENT_TYPE and isinstance(content, dict):
            return content
    return None
