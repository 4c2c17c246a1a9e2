"""Outgoing Bot Connector calls: one shared aiohttp session, a bearer token, retries with backoff.

botbuilder 4.17.1 builds a new connector client for every turn whose pipeline sends through `requests` in a
thread, with a fresh HTTP session (and TCP/TLS handshake) each time, and never retries. Here the SDK still
creates the client (so its credentials logic is kept), and we swap in a pipeline that reuses the process's
one aiohttp ClientSession, adds the token, and retries what Teams asks to be retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AppCredentials, AuthenticateRequestResult, ClaimsIdentity, ConnectorFactory
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Request, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.aiohttp import AioHttpClientResponse

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({412, 429, 502, 503, 504})


def remove_msrest_retry_policy_cost() -> None:
    """msrest builds its retry status list with a list lookup per code (~4 ms per client); a set makes it free."""
    from msrest.universal_http.requests import ClientRetryPolicy

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
        result = await self._session.request(
            http_request.method,
            http_request.url,
            headers=dict(http_request.headers),
            data=http_request.data,
            timeout=self._timeout,
        )
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
            token = await asyncio.to_thread(credentials.get_access_token)
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
            await self._sleep(delay)
            attempt += 1

    def delay_for(self, attempt: int, retry_after: str | None) -> float:
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return min(asked, self.max_delay * 4)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


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
    from datetime import UTC, datetime

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


class SharedSessionConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory, session: aiohttp.ClientSession, retry: RetryPolicy) -> None:
        self._inner = inner
        self._session = session
        self._retry = retry

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        client: ConnectorClient = await self._inner.create(service_url, audience)
        client.config.pipeline = shared_pipeline(self._session, client.config.credentials, client.config, self._retry)
        # ServiceClientAsync keeps its own reference to the pipeline it built; point it at ours too.
        client._client.config.pipeline = client.config.pipeline
        return client


class ProjectBotAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """The SDK's configuration-based authentication, with connectors that share one HTTP session."""

    def __init__(self, configuration: Any, *, session: aiohttp.ClientSession, retry: RetryPolicy, **kwargs: Any):
        super().__init__(configuration, **kwargs)
        self._session = session
        self._retry = retry

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        inner = super().create_connector_factory(claims_identity)
        return SharedSessionConnectorFactory(inner, self._session, self._retry)

    async def authenticate_request(self, activity: Any, auth_header: str) -> AuthenticateRequestResult:
        """The SDK's result carries a connector factory of its own for the turn's replies; use ours there too."""
        result: AuthenticateRequestResult = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = SharedSessionConnectorFactory(
                result.connector_factory, self._session, self._retry
            )
        return result
