"""Reading what an incoming Teams activity says: who, where, locale, time zone, text without the bot's mention."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from storage.conversations import ConversationSeen
from storage.people import PersonSeen

_AT_TAG = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


def tenant_of(activity: Activity) -> str:
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return str(conversation.tenant_id)
    channel_data = activity.channel_data or {}
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    return str(tenant.get("id", "")) if isinstance(tenant, dict) else ""


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def stored_reference(activity: Activity) -> dict[str, Any]:
    """The conversation reference to keep for proactive messages.

    Without the activity id (a proactive message starts a new post rather than replying to the last one),
    with the tenant id in the conversation (Teams needs it to deliver proactive messages).
    """
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    data: dict[str, Any] = reference.serialize()
    data.setdefault("conversation", {})["tenantId"] = tenant_of(activity)
    return data


def team_id_of(activity: Activity) -> str | None:
    team = _channel_data(activity).get("team")
    return str(team["id"]) if isinstance(team, dict) and team.get("id") else None


def conversation_seen(activity: Activity) -> ConversationSeen:
    channel_data = _channel_data(activity)
    team = channel_data.get("team") if isinstance(channel_data.get("team"), dict) else {}
    channel = channel_data.get("channel") if isinstance(channel_data.get("channel"), dict) else {}
    conversation_type = (activity.conversation.conversation_type if activity.conversation else None) or "personal"
    user = activity.from_property
    return ConversationSeen(
        channel_id=activity.channel_id or "msteams",
        conversation_id=activity.conversation.id,
        conversation_type=conversation_type,
        tenant_id=tenant_of(activity),
        service_url=activity.service_url,
        bot_id=(activity.recipient.id if activity.recipient else "") or "",
        reference=stored_reference(activity),
        team_id=team.get("id") if team else None,
        team_name=team.get("name") if team else None,
        teams_channel_id=channel.get("id") if channel else None,
        user_aad_object_id=(user_identity(activity) if conversation_type == "personal" and user else None),
    )


def user_identity(activity: Activity) -> str:
    """The Entra object id; Teams always sends it for people. Fall back to the channel id for odd clients."""
    user = activity.from_property
    if user is None:
        return ""
    return str(user.aad_object_id or user.id or "")


def person_seen(activity: Activity) -> PersonSeen | None:
    user = activity.from_property
    identity = user_identity(activity)
    if user is None or not identity:
        return None
    return PersonSeen(
        tenant_id=tenant_of(activity),
        aad_object_id=identity,
        teams_user_id=str(user.id or ""),
        name=user.name or None,
        locale=activity.locale or _client_info(activity).get("locale"),
        timezone=timezone_of(activity),
    )


def _client_info(activity: Activity) -> dict[str, Any]:
    for entity in activity.entities or []:
        if entity.type == "clientInfo":
            return dict(entity.additional_properties or {})
    return {}


def timezone_of(activity: Activity) -> str | None:
    """Teams sends the user's IANA zone only on activities the user started; ignore anything unknown."""
    candidates = [getattr(activity, "local_timezone", None), _client_info(activity).get("timezone")]
    for zone in candidates:
        if isinstance(zone, str) and zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return zone
    return None


def text_without_bot_mention(activity: Activity) -> str:
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        if entity.type != "mention":
            continue
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") or {}
        if mentioned.get("id") == bot_id and props.get("text"):
            text = text.replace(props["text"], " ")
    # In channels the text always starts with the mention; strip a leftover tag even without its entity.
    if bot_id and text.lstrip().lower().startswith("<at>"):
        text = _AT_TAG.sub(" ", text, count=1)
    return text.replace("&nbsp;", " ").strip()


def bot_among(members: list[Any] | None, activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    return any(getattr(member, "id", None) == bot_id for member in members or [])
