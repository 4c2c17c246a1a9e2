"""Teams-shaped activities for one person in a personal chat with the bot: the shapes of captured fixtures."""

from __future__ import annotations

import getpass
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.render import JSON
from bot.teams_bot import ADAPTIVE_CARD_ACTION
from dialogs.kernel.clock import Clock

# The chat never contacts this URL: replies come back through the in-process adapter.
CHAT_SERVICE_URL = "http://localhost/chat"
CHAT_BOT_ID = "28:projectbot-chat"
CHAT_BOT_NAME = "projectbot"
# A tenant of its own, so people met in the terminal never mix with the organisation's real ones.
CHAT_TENANT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "projectbot-chat:tenant"))


def _digest(*parts: str, length: int) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class ChatUser:
    """The person at the terminal, with ids shaped like the ones Teams gives (stable per name)."""

    name: str
    aad_object_id: str
    teams_id: str
    tenant_id: str = CHAT_TENANT_ID

    @classmethod
    def named(cls, name: str, *, tenant_id: str = CHAT_TENANT_ID) -> ChatUser:
        aad = str(uuid.uuid5(uuid.NAMESPACE_URL, f"projectbot-chat-user:{tenant_id}:{name}"))
        return cls(
            name=name, aad_object_id=aad, teams_id="29:1" + _digest("teams", aad, length=40), tenant_id=tenant_id
        )

    @classmethod
    def local(cls) -> ChatUser:
        """Whoever is logged in to this computer."""
        try:
            name = getpass.getuser()
        except (OSError, KeyError, ImportError):
            name = ""
        return cls.named(name or "newcomer")

    @property
    def conversation_id(self) -> str:
        return "a:1" + _digest("personal", self.teams_id, length=40)


class ActivityBuilder:
    """Activities as a Teams client posts them from a personal chat (the shapes of captured fixtures)."""

    def __init__(
        self,
        user: ChatUser,
        *,
        locale: str,
        timezone: str,
        clock: Clock,
        bot_id: str = CHAT_BOT_ID,
        bot_name: str = CHAT_BOT_NAME,
        service_url: str = CHAT_SERVICE_URL,
    ) -> None:
        self.user = user
        self.locale = locale
        self.timezone = timezone
        self.clock = clock
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.service_url = service_url

    def install(self) -> JSON:
        activity = self._base("installationUpdate", with_name=False)
        activity["locale"] = self.locale
        activity["entities"] = [{"type": "clientInfo", "locale": self.locale}]
        activity["channelData"] = {
            "tenant": {"id": self.user.tenant_id},
            "source": {"name": "message"},
            "settings": {"selectedChannel": {"id": self.user.conversation_id}},
        }
        activity["action"] = "add"
        return activity

    def members_added(self) -> JSON:
        activity = self._base("conversationUpdate", with_name=False)
        activity["membersAdded"] = [self._person(with_name=False), {"id": self.bot_id}]
        activity["channelData"] = {"tenant": {"id": self.user.tenant_id}}
        return activity

    def message(self, text: str) -> JSON:
        activity = self._user_activity("message")
        activity["text"] = text
        activity["textFormat"] = "plain"
        activity["entities"] = [self._client_info()]
        activity["channelData"] = {"tenant": {"id": self.user.tenant_id}}
        return activity

    def submit(self, value: Any, reply_to_id: str) -> JSON:
        """Action.Submit: a message without text whose value is the inputs merged with the action's data."""
        activity = self._user_activity("message")
        activity["entities"] = [self._client_info()]
        activity["channelData"] = {"source": {"name": "message"}, "tenant": {"id": self.user.tenant_id}}
        activity["replyToId"] = reply_to_id
        activity["value"] = value
        return activity

    def message_back(self, text: str, value: Any, reply_to_id: str) -> JSON:
        activity = self.submit(value, reply_to_id)
        if text:
            activity["text"] = text
            activity["textFormat"] = "plain"
        return activity

    def execute(self, verb: str | None, data: JSON, title: str, reply_to_id: str) -> JSON:
        """Action.Execute: an invoke named adaptiveCard/action."""
        activity = self._user_activity("invoke")
        activity["entities"] = [self._client_info()]
        activity["channelData"] = {"source": {"name": "message"}, "tenant": {"id": self.user.tenant_id}}
        activity["replyToId"] = reply_to_id
        action: JSON = {"type": "Action.Execute", "title": title, "data": data}
        if verb is not None:
            action["verb"] = verb
        activity["value"] = {"action": action, "trigger": "manual"}
        activity["name"] = ADAPTIVE_CARD_ACTION
        return activity

    # Building blocks ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock.now()

    def _person(self, *, with_name: bool) -> JSON:
        person: JSON = {"id": self.user.teams_id}
        if with_name:
            person["name"] = self.user.name
        person["aadObjectId"] = self.user.aad_object_id
        return person

    def _base(self, kind: str, *, with_name: bool) -> JSON:
        now = self._now().astimezone(UTC)
        return {
            "type": kind,
            "id": str(uuid.uuid4()),
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "from": self._person(with_name=with_name),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "conversation": {
                "conversationType": "personal",
                "tenantId": self.user.tenant_id,
                "id": self.user.conversation_id,
            },
            "recipient": {"id": self.bot_id, "name": self.bot_name},
        }

    def _user_activity(self, kind: str) -> JSON:
        activity = self._base(kind, with_name=True)
        local = self._now().astimezone(ZoneInfo(self.timezone))
        activity["localTimestamp"] = local.isoformat(timespec="milliseconds")
        activity["localTimezone"] = self.timezone
        activity["locale"] = self.locale
        return activity

    def _client_info(self) -> JSON:
        info: JSON = {"type": "clientInfo", "locale": self.locale}
        _, _, country = self.locale.partition("-")
        if country:
            info["country"] = country.upper()
        info["platform"] = "Web"
        info["timezone"] = self.timezone
        return info
