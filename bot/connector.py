"""Outgoing Bot Connector calls: one shared aiohttp session, a bearer token, retries with backoff.

botbuilder 4.17.1 builds a new connector client for every turn whose pipeline sends through `requests` in a
thread, with a fresh HTTP session (and TCP/TLS handshake) each time, and never retries. Here the SDK still
creates the client (so its credentials logic is kept), and we swap in a pipeline that reuses the process's
one aiohttp ClientSession, adds the token, and retries what Teams asks to be retried.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, TypeVar

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Attachment
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
)
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Request, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Model, Serializer, full_restapi_key_transformer
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.requests import ClientRetryPolicy

from bot.metrics import record_connector_answer, record_connector_retry
from cards.encoded import EncodedCard

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({412, 429, 502, 503, 504})

# Blocking network calls the SDK leaves us (MSAL token requests, signing-key downloads) run here, never in the
# default executor: on SQLite that one is the single database thread (bot.http_app), which they must not hold up.
_network_executor: ThreadPoolExecutor | None = None


async def run_blocking_network_call(function: Callable[[], T]) -> T:
    global _network_executor
    if _network_executor is None:
        _network_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="projectbot-net")
    return await asyncio.get_running_loop().run_in_executor(_network_executor, function)


def remove_msrest_retry_policy_cost() -> None:
    """msrest builds its retry status list with a list lookup per code (~4 ms per client); a set makes it free."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)


class SharedSessionSender(AsyncHTTPSender):  # type: ignore[misc]
    """Sends msrest requests through the process's one aiohttp session (never closes it)."""

    def __init__(self, session: aiohttp.ClientSession, timeout_seconds: float = 30.0) -> None:
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def __aenter__(self) -> SharedSessionSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None

    def build_context(self) -> None:
        return None

    async def send(self, request: Request, **config: Any) -> Response:
        http_request = request.http_request
        try:
            result = await self._session.request(
                http_request.method,
                http_request.url,
                headers=dict(http_request.headers),
                data=http_request.data,
                timeout=self._timeout,
            )
        except (aiohttp.ClientError, TimeoutError):
            record_connector_answer(None)
            raise
        record_connector_answer(result.status)
        response = AioHttpClientResponse(http_request, result)
        await response.load_body()
        return Response(request, response)


class BearerTokenPolicy(AsyncHTTPPolicy):  # type: ignore[misc]
    """Adds the bot's access token; msal is synchronous, so the (usually cached) lookup runs off the loop."""

    def __init__(self, credentials: AppCredentials | None) -> None:
        super().__init__()
        self._credentials = credentials

    async def send(self, request: Request, **kwargs: Any) -> Response:
        credentials = self._credentials
        if credentials is not None and getattr(credentials, "microsoft_app_id", None):
            token = await run_blocking_network_call(credentials.get_access_token)
            request.http_request.headers["Authorization"] = f"Bearer {token}"
        return await self.next.send(request, **kwargs)


class RetryPolicy(AsyncHTTPPolicy):  # type: ignore[misc]
    """Retries 412, 429 (honouring Retry-After), 502, 503 and 504 with exponential backoff and full jitter."""

    def __init__(
        self,
        max_attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__()
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep

    async def send(self, request: Request, **kwargs: Any) -> Response:
        attempt = 1
        while True:
            response: Response = await self.next.send(request, **kwargs)
            status = response.http_response.status_code
            if status not in RETRYABLE_STATUSES or attempt >= self.max_attempts:
                return response
            delay = self.delay_for(attempt, response.http_response.headers.get("Retry-After"))
            log.info("connector answered %s; retry %d in %.2fs", status, attempt, delay)
            record_connector_retry(status)
            await self._sleep(delay)
            attempt += 1

    def delay_for(self, attempt: int, retry_after: str | None) -> float:
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return min(asked, self.max_delay * 4)
        return backoff_delay(attempt, self.base_delay, self.max_delay)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter, as Teams asks for 429s: uniform in [0, base * 2^(attempt-1)], capped.

    Full jitter (rather than a fixed part plus jitter) spreads the retries of requests that failed together
    across the whole step, so they do not come back together; the step still doubles with every attempt.
    """
    return (rng or random).uniform(0, min(cap, base * 2 ** (attempt - 1)))


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def shared_pipeline(
    session: aiohttp.ClientSession, credentials: AppCredentials | None, config: Any, retry: RetryPolicy
) -> AsyncPipeline:
    policies = [
        config.user_agent_policy,
        BearerTokenPolicy(credentials),
        retry,
        RawDeserializer(),
        config.http_logger_policy,
    ]
    return AsyncPipeline(policies, SharedSessionSender(session))


class CardPassThroughSerializer(Serializer):  # type: ignore[misc]
    """The body of an outgoing activity, as msrest would write it, for a fraction of the work.

    msrest first rebuilds the model from itself (a deserialisation), validates it, then walks it attribute by
    attribute with a type lookup at each step: about a tenth of a help turn's CPU (bench/help_turns.py with py-spy),
    and a card inside it, JSON already, walked key by key. An Activity here is plain data the bot built, so it is
    walked once by each model class's attribute map (kept per class), with msrest's rules for what gets written: None
    and read-only attributes left out, additional properties merged, nested keys unflattened, datetimes as ISO 8601 in
    UTC. A card's content is put in unchanged, and a card that comes with its JSON text (cards.encoded) as that text.
    Other bodies, and anything unexpected inside an activity (a dict where a model belongs), go through msrest itself;
    tests/test_connector.py holds both to the same output."""

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type == "Activity" and isinstance(data, Model):
            try:
                return _encoded_body(_plain_model(data))
            except _Unusual:
                return super().body(_with_plain_cards(data), data_type, **kwargs)
        return super().body(data, data_type, **kwargs)


# Where a card's own JSON text goes in the body; random, so no text in the activity can be taken for it.
_CARD_MARK = f"\x00card-{secrets.token_hex(8)}-"


def _encoded_body(plain: dict[str, Any]) -> bytes:
    """The body as the UTF-8 JSON msrest sends unchanged (its ClientRequest.add_content passes on as they are the
    bodies json.dumps refuses, bytes among them), with the text of each EncodedCard put in its place as it is."""
    texts: dict[str, str] = {}
    for index, attachment in enumerate(plain.get("attachments") or ()):
        card = attachment.get("content") if isinstance(attachment, dict) else None
        if isinstance(card, EncodedCard):
            mark = f"{_CARD_MARK}{index}"
            attachment["content"] = mark  # a copy of the activity's attachment (_plain_model), not the attachment
            texts[json.dumps(mark)] = card.text
    written = json.dumps(plain, check_circular=False, separators=(",", ":"))
    for mark, text in texts.items():
        written = written.replace(mark, text, 1)
    return written.encode()


def _with_plain_cards(activity: Model) -> Model:
    """A shallow copy whose cards are plain dicts: msrest writes any other mapping (the bot's cards are EncodedCard
    or teams_bot._SentCard) as its Python repr, a string."""
    attachments = getattr(activity, "attachments", None)
    if not attachments:
        return activity
    copied = copy.copy(activity)
    copied.attachments = []
    for attachment in attachments:
        content = getattr(attachment, "content", None)
        if isinstance(content, dict) and type(content) is not dict:
            attachment = copy.copy(attachment)
            attachment.content = dict(content)
        copied.attachments.append(attachment)
    return copied


class _Unusual(Exception):
    """Something msrest would have to interpret (a dict or string where a model or date belongs)."""


_BASIC = {"str", "bool", "int", "float"}


Layout = tuple[tuple[str, tuple[str, ...], str], ...]
_LAYOUTS: dict[type, Layout] = {}


def _layout(model_class: type) -> Layout:
    known = _LAYOUTS.get(model_class)
    if known is None:
        known = _LAYOUTS[model_class] = _read_layout(model_class)
    return known


def _read_layout(model_class: type) -> Layout:
    """(attribute, its JSON key path, its msrest type) for each attribute msrest writes; type "" for the
    additional properties merged into the object itself."""
    validation = getattr(model_class, "_validation", {})
    fields = []
    attribute_map: dict[str, dict[str, Any]] = getattr(model_class, "_attribute_map")  # noqa: B009 (msrest is untyped)
    for attribute, description in attribute_map.items():
        if validation.get(attribute, {}).get("readonly", False):
            continue
        if attribute == "additional_properties" and description["key"] == "":
            fields.append((attribute, (), ""))
            continue
        keys, _ = full_restapi_key_transformer(attribute, description, None)
        fields.append((attribute, tuple(keys), description["type"]))
    return tuple(fields)


def _plain_model(model: Model) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for attribute, keys, kind in _layout(type(model)):
        value = getattr(model, attribute, None)
        if value is None:
            continue
        if kind == "":
            plain.update(value)
            continue
        if kind == "object" and attribute == "content" and isinstance(model, Attachment):
            written = value  # a card: JSON already
        else:
            written = _plain_value(value, kind)
        target = plain
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = written
    return plain


def _plain_value(value: Any, kind: str) -> Any:
    if value is None:
        return None  # inside a list or dict msrest keeps the place
    if kind in _BASIC:
        if kind == "str":
            return value.value if isinstance(value, Enum) else str(value)
        if not isinstance(value, (bool, int, float)):
            raise _Unusual(kind)
        return {"bool": bool, "int": int, "float": float}[kind](value)
    if kind == "iso-8601":
        if not isinstance(value, datetime):
            raise _Unusual(kind)
        return Serializer.serialize_iso(value)
    if kind == "object":
        return _plain_object(value)
    if kind.startswith("[") and kind.endswith("]"):
        return [_plain_value(item, kind[1:-1]) for item in value]
    if kind.startswith("{") and kind.endswith("}"):
        return {str(key): _plain_value(item, kind[1:-1]) for key, item in value.items()}
    if isinstance(value, Model):
        return _plain_model(value)
    if isinstance(value, Enum):
        return value.value
    raise _Unusual(kind)


def _plain_object(value: Any) -> Any:
    """msrest's serialize_object for what an activity carries (channelData, value, entities' extra fields)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Model):
        return _plain_model(value)
    if type(value) is dict:
        return {str(key): _plain_object(item) for key, item in value.items()}
    if type(value) is list:
        return [_plain_object(item) for item in value]
    raise _Unusual(type(value).__name__)  # dates, decimals, sets: msrest's own rules


ClientKey = tuple[str, str | None, str | None]


class SharedSessionConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """Connector clients that send through the shared session, one per (service URL, audience, app id), reused.

    The SDK builds a new client (msrest configuration, serializer, credentials) for every turn and every proactive
    message. A client holds no per-conversation state and its credentials cache and renew their token (MSAL), so
    one per service URL is safe to share, also between concurrent turns.
    """

    def __init__(
        self,
        inner: ConnectorFactory,
        *,
        app_id: str | None,
        clients: dict[ClientKey, ConnectorClient],
        session: aiohttp.ClientSession,
        retry: RetryPolicy,
    ) -> None:
        self._inner = inner
        self._app_id = app_id
        self._clients = clients
        self._session = session
        self._retry = retry

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, audience, self._app_id)
        client = self._clients.get(key)
        if client is None:
            client = await self._build(service_url, audience)
            self._clients[key] = client
        return client

    async def _build(self, service_url: str, audience: str | None) -> ConnectorClient:
        client: ConnectorClient = await self._inner.create(service_url, audience)
        client.config.pipeline = shared_pipeline(self._session, client.config.credentials, client.config, self._retry)
        # ServiceClientAsync keeps its own reference to the pipeline it built; point it at ours too.
        client._client.config.pipeline = client.config.pipeline
        fast = CardPassThroughSerializer.__new__(CardPassThroughSerializer)
        fast.__dict__.update(client.conversations._serialize.__dict__)
        client.conversations._serialize = fast
        return client


class ProjectBotAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """The SDK's configuration-based authentication, with connectors that share one HTTP session and are reused."""

    def __init__(self, configuration: Any, *, session: aiohttp.ClientSession, retry: RetryPolicy, **kwargs: Any):
        super().__init__(configuration, **kwargs)
        self._session = session
        self._retry = retry
        self._clients: dict[ClientKey, ConnectorClient] = {}
        self._user_token_clients: dict[str | None, Any] = {}

    def _shared(self, inner: ConnectorFactory, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return SharedSessionConnectorFactory(
            inner,
            app_id=JwtTokenValidation.get_app_id_from_claims(claims_identity.claims),
            clients=self._clients,
            session=self._session,
            retry=self._retry,
        )

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._shared(super().create_connector_factory(claims_identity), claims_identity)

    async def authenticate_request(self, activity: Any, auth_header: str) -> AuthenticateRequestResult:
        """The SDK's result carries a connector factory of its own for the turn's replies; use ours there too."""
        result: AuthenticateRequestResult = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = self._shared(result.connector_factory, result.claims_identity)
        return result

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        """The SDK makes one per turn (with a fresh requests.Session) although the bot never signs users in."""
        key = JwtTokenValidation.get_app_id_from_claims(claims_identity.claims)
        client = self._user_token_clients.get(key)
        if client is None:
            client = self._user_token_clients[key] = await super().create_user_token_client(claims_identity)
        return client
