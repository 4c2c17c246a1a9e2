"""Teams-shaped activities as the JSON dicts a Teams client posts to the bot, true to captured fixtures."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from botbuilder.schema import Activity

from dialogs.kernel.clock import Clock

JSON = dict[str, Any]
ConversationType = Literal["personal", "channel", "groupChat"]

DEFAULT_BOT_ID = "28:projectbot-test-bot"
DEFAULT_BOT_NAME = "projectbot"


def _digest(*parts: str, length: int = 32) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length]


def personal_conversation_id(member_id: str) -> str:
    """The 1:1 conversation id of a person, stable per person like Teams' own `a:1…` ids.

    Shared with the fake connector so that a proactively created 1:1 conversation has the same id as the
    one the person's messages arrive in.
    """
    return "a:1" + _digest("personal", member_id, length=40)


@dataclass(frozen=True)
class TeamsUser:
    """A person in the tenant, with what Teams tells the bot about them."""

    aad_object_id: str
    name: str
    teams_id: str
    locale: str = "nl-BE"
    timezone: str = "Europe/Brussels"

    @classmethod
    def named(cls, name: str, *, locale: str = "nl-BE", timezone: str = "Europe/Brussels") -> TeamsUser:
        """A user whose ids are derived from the name, so the same name always gives the same person."""
        aad = str(uuid.uuid5(uuid.NAMESPACE_URL, f"projectbot-test-user:{name}"))
        return cls(
            aad_object_id=aad,
            name=name,
            teams_id="29:1" + _digest("teams", aad, length=40),
            locale=locale,
            timezone=timezone,
        )

    def account(self, *, with_name: bool = True) -> JSON:
        """The `from` / member account as Teams sends it."""
        account: JSON = {"id": self.teams_id}
        if with_name:
            account["name"] = self.name
        account["aadObjectId"] = self.aad_object_id
        return account

    def member_record(self, tenant_id: str, *, email: str | None = None) -> JSON:
        """A `TeamsChannelAccount` as the Bot Connector's members API returns it."""
        given, _, surname = self.name.partition(" ")
        upn = email or f"{self.name.lower().replace(' ', '.')}@example.test"
        return {
            "id": self.teams_id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "givenName": given,
            "surname": surname or None,
            "email": upn,
            "userPrincipalName": upn,
            "tenantId": tenant_id,
            "userRole": "user",
        }


@dataclass(frozen=True)
class Conversation:
    """Where an activity happens: a personal chat, a team channel or a group chat."""

    id: str
    conversation_type: ConversationType
    team_id: str | None = None
    team_name: str | None = None
    team_aad_group_id: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    name: str | None = None

    @classmethod
    def personal(cls, user: TeamsUser) -> Conversation:
        return cls(id=personal_conversation_id(user.teams_id), conversation_type="personal")

    @classmethod
    def channel(
        cls,
        team_id: str = "19:projectbot-test-team@thread.tacv2",
        channel_id: str | None = None,
        team_name: str = "Project Team",
        *,
        channel_name: str | None = None,
        reply_chain_id: str | None = None,
        team_aad_group_id: str | None = None,
    ) -> Conversation:
        """A team channel; without `channel_id` the General channel, whose id is the team's id.

        Teams gives a message in a reply chain the conversation id `<channel id>;messageid=<root id>`; pass
        `reply_chain_id` to get that, leave it out for the channel itself (as installs and the Playground do).
        """
        channel = channel_id or team_id
        conversation_id = f"{channel};messageid={reply_chain_id}" if reply_chain_id else channel
        return cls(
            id=conversation_id,
            conversation_type="channel",
            team_id=team_id,
            team_name=team_name,
            team_aad_group_id=team_aad_group_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"team:{team_id}")),
            channel_id=channel,
            channel_name=channel_name,
        )

    @classmethod
    def group_chat(cls, chat_id: str = "19:projectbot-test-chat@thread.v2", name: str | None = None) -> Conversation:
        return cls(id=chat_id, conversation_type="groupChat", name=name)

    @property
    def is_group(self) -> bool:
        return self.conversation_type != "personal"

    @property
    def is_channel(self) -> bool:
        return self.conversation_type == "channel"

    def as_json(self, tenant_id: str) -> JSON:
        conversation: JSON = {}
        if self.is_group:
            conversation["isGroup"] = True
        conversation["conversationType"] = self.conversation_type
        conversation["tenantId"] = tenant_id
        if self.name is not None:
            conversation["name"] = self.name
        conversation["id"] = self.id
        return conversation

    def team_json(self) -> JSON:
        assert self.team_id is not None
        return {"id": self.team_id, "name": self.team_name, "aadGroupId": self.team_aad_group_id}

    def channel_json(self) -> JSON:
        assert self.channel_id is not None
        channel: JSON = {"id": self.channel_id}
        if self.channel_name is not None:
            channel["name"] = self.channel_name
        return channel


def format_timestamp(instant: datetime) -> str:
    """An instant as Teams writes `timestamp`: UTC, milliseconds, `Z`."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_local_timestamp(instant: datetime, timezone: str) -> str:
    """An instant as Teams writes `localTimestamp`: in the person's zone, milliseconds, numeric offset."""
    return instant.astimezone(ZoneInfo(timezone)).isoformat(timespec="milliseconds")


def to_activity(payload: JSON) -> Activity:
    """The SDK's view of an activity dict, as the adapter would deserialize it."""
    return Activity().deserialize(payload)


class ActivityFactory:
    """Builds fresh Teams activities (new `id`, current `timestamp`) for one bot in one tenant."""

    def __init__(
        self,
        service_url: str,
        tenant_id: str,
        bot_id: str = DEFAULT_BOT_ID,
        bot_name: str = DEFAULT_BOT_NAME,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.service_url = service_url
        self.tenant_id = tenant_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.clock = clock
        self._card_ids = itertools.count(1)

    # -- public builders ---------------------------------------------------------------------------

    def message(
        self,
        user: TeamsUser,
        text: str,
        conversation: Conversation | None = None,
        *,
        mention_bot: bool = False,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> JSON:
        """A typed message; `mention_bot` prefixes `<at>bot</at> ` and adds the mention entity."""
        conversation = conversation or Conversation.personal(user)
        locale = locale or user.locale
        timezone = timezone or user.timezone
        entities: list[JSON] = []
        if mention_bot:
            mention_text = f"<at>{self.bot_name}</at>"
            text = f"{mention_text} {text}"
            entities.append(
                {
                    "type": "mention",
                    "text": mention_text,
                    "mentioned": {"id": self.bot_id, "name": self.bot_name},
                }
            )
        entities.append(self._client_info(locale, timezone))
        activity = self._user_activity("message", user, conversation, locale=locale, timezone=timezone)
        activity["text"] = text
        activity["textFormat"] = "plain"
        activity["entities"] = entities
        activity["channelData"] = self._channel_data(conversation)
        return activity

    def card_submit(
        self,
        user: TeamsUser,
        value: JSON,
        conversation: Conversation | None = None,
        reply_to_id: str | None = None,
        *,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> JSON:
        """An `Action.Submit`: a message without text; `value` holds the inputs plus the action's data."""
        conversation = conversation or Conversation.personal(user)
        locale = locale or user.locale
        timezone = timezone or user.timezone
        activity = self._user_activity("message", user, conversation, locale=locale, timezone=timezone)
        activity["entities"] = [self._client_info(locale, timezone)]
        activity["channelData"] = self._channel_data(conversation, source=True)
        activity["replyToId"] = reply_to_id or self._card_activity_id()
        activity["value"] = dict(value)
        return activity

    def invoke_action(
        self,
        user: TeamsUser,
        verb: str,
        data: JSON | None = None,
        conversation: Conversation | None = None,
        reply_to_id: str | None = None,
        title: str | None = None,
        *,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> JSON:
        """An `Action.Execute`: an `invoke` named `adaptiveCard/action` carrying the verb and its data."""
        conversation = conversation or Conversation.personal(user)
        locale = locale or user.locale
        timezone = timezone or user.timezone
        activity = self._user_activity("invoke", user, conversation, locale=locale, timezone=timezone)
        activity["entities"] = [self._client_info(locale, timezone)]
        activity["channelData"] = self._channel_data(conversation, source=True)
        activity["replyToId"] = reply_to_id or self._card_activity_id()
        activity["value"] = {
            "action": {
                "type": "Action.Execute",
                "title": title if title is not None else verb,
                "verb": verb,
                "data": dict(data or {}),
            },
            "trigger": "manual",
        }
        activity["name"] = "adaptiveCard/action"
        return activity

    def invoke(
        self,
        user: TeamsUser,
        name: str,
        value: Any = None,
        conversation: Conversation | None = None,
        *,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> JSON:
        """An `invoke` by name ("composeExtension/query", "task/fetch", "application/search") with its `value`."""
        conversation = conversation or Conversation.personal(user)
        locale = locale or user.locale
        timezone = timezone or user.timezone
        activity = self._user_activity("invoke", user, conversation, locale=locale, timezone=timezone)
        activity["entities"] = [self._client_info(locale, timezone)]
        activity["channelData"] = self._channel_data(conversation, source=True)
        activity["name"] = name
        activity["value"] = value if value is not None else {}
        return activity

    def event(
        self,
        user: TeamsUser,
        name: str,
        value: Any = None,
        conversation: Conversation | None = None,
        *,
        channel_data: JSON | None = None,
    ) -> JSON:
        """An `event` by name, as Teams sends a meeting's start and end ("application/vnd.microsoft.meetingStart"):
        from the person whose client raised it, no text, the details in `value` (and `channelData.meeting`)."""
        conversation = conversation or Conversation.personal(user)
        activity = self._base("event", user, conversation, with_name=False)
        activity["locale"] = user.locale
        activity["entities"] = [self._client_info(user.locale)]
        activity["channelData"] = {**self._channel_data(conversation), **(channel_data or {})}
        activity["name"] = name
        activity["value"] = value if value is not None else {}
        return activity

    def install(self, user: TeamsUser, conversation: Conversation | None = None) -> JSON:
        """`installationUpdate` with `action: add`, as Teams sends when the app is added to a scope."""
        return self._installation_update(user, conversation or Conversation.personal(user), "add")

    def uninstall(self, user: TeamsUser, conversation: Conversation | None = None) -> JSON:
        """`installationUpdate` with `action: remove`."""
        return self._installation_update(user, conversation or Conversation.personal(user), "remove")

    def members_added(self, user: TeamsUser, conversation: Conversation | None = None, *, bot: bool = True) -> JSON:
        """`conversationUpdate` with `membersAdded`.

        With `bot=True`: in a personal chat the person and the bot (as Teams sends on install), elsewhere
        only the bot (the person is `from`). With `bot=False`: the person joined.
        """
        conversation = conversation or Conversation.personal(user)
        activity = self._conversation_update(user, conversation, "teamMemberAdded")
        activity["membersAdded"] = self._members(user, conversation, bot=bot)
        return activity

    def members_removed(self, user: TeamsUser, conversation: Conversation | None = None, *, bot: bool = True) -> JSON:
        """`conversationUpdate` with `membersRemoved`; `bot=True` means the bot was removed."""
        conversation = conversation or Conversation.personal(user)
        activity = self._conversation_update(user, conversation, "teamMemberRemoved")
        activity["membersRemoved"] = [self.bot_account(with_name=False)] if bot else [user.account(with_name=False)]
        return activity

    # -- building blocks ---------------------------------------------------------------------------

    def bot_account(self, *, with_name: bool = True) -> JSON:
        return {"id": self.bot_id, "name": self.bot_name} if with_name else {"id": self.bot_id}

    def _now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def _card_activity_id(self) -> str:
        # Teams' message ids are epoch milliseconds; any unique number does for a card nobody sent.
        return str(1_700_000_000_000 + next(self._card_ids))

    def _base(self, kind: str, user: TeamsUser, conversation: Conversation, *, with_name: bool) -> JSON:
        return {
            "type": kind,
            "id": str(uuid.uuid4()),
            "timestamp": format_timestamp(self._now()),
            "from": user.account(with_name=with_name),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "conversation": conversation.as_json(self.tenant_id),
            "recipient": self.bot_account(),
        }

    def _user_activity(
        self, kind: str, user: TeamsUser, conversation: Conversation, *, locale: str, timezone: str
    ) -> JSON:
        activity = self._base(kind, user, conversation, with_name=True)
        activity["localTimestamp"] = format_local_timestamp(self._now(), timezone)
        activity["localTimezone"] = timezone
        activity["locale"] = locale
        return activity

    @staticmethod
    def _client_info(locale: str, timezone: str | None = None) -> JSON:
        info: JSON = {"type": "clientInfo", "locale": locale}
        if timezone is not None:
            _, _, country = locale.partition("-")
            if country:
                info["country"] = country.upper()
            info["platform"] = "Web"
            info["timezone"] = timezone
        return info

    def _channel_data(
        self,
        conversation: Conversation,
        *,
        source: bool = False,
        settings: bool = False,
        event_type: str | None = None,
    ) -> JSON:
        data: JSON = {"tenant": {"id": self.tenant_id}}
        if conversation.is_channel:
            data["team"] = conversation.team_json()
            data["channel"] = conversation.channel_json()
            data["teamsTeamId"] = conversation.team_id
            data["teamsChannelId"] = conversation.channel_id
            if event_type is not None:
                data["eventType"] = event_type
        if source:
            data["source"] = {"name": "message"}
        if settings:
            selected = conversation.channel_id if conversation.is_channel else conversation.id
            data["settings"] = {"selectedChannel": {"id": selected}}
        return data

    def _installation_update(self, user: TeamsUser, conversation: Conversation, action: str) -> JSON:
        activity = self._base("installationUpdate", user, conversation, with_name=False)
        activity["locale"] = user.locale
        activity["entities"] = [self._client_info(user.locale)]
        activity["channelData"] = self._channel_data(conversation, source=True, settings=True)
        activity["action"] = action
        return activity

    def _conversation_update(self, user: TeamsUser, conversation: Conversation, event_type: str) -> JSON:
        activity = self._base("conversationUpdate", user, conversation, with_name=False)
        activity["channelData"] = self._channel_data(
            conversation, settings=conversation.is_channel, event_type=event_type
        )
        return activity

    def _members(self, user: TeamsUser, conversation: Conversation, *, bot: bool) -> list[JSON]:
        person = user.account(with_name=False)
        if not bot:
            return [person]
        if conversation.conversation_type == "personal":
            return [person, self.bot_account(with_name=False)]
        return [self.bot_account(with_name=False)]
