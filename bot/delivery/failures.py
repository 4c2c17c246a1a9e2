"""What a failed send was: retryable (network, 429, 5xx), gone (403/404: the bot is no longer in the conversation)
or final, read from what the Bot Framework SDK raised."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp

from bot.connector import RETRYABLE_STATUSES, parse_retry_after

GONE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class SendFailure:
    status: int | None  # None: no HTTP answer (network error, timeout)
    code: str
    retry_after: float | None

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE_STATUSES

    @property
    def gone(self) -> bool:
        return self.status in GONE_STATUSES

    def describe(self) -> str:
        return f"{self.status or 'network'} {self.code}".strip()


def classify(error: BaseException) -> SendFailure:
    """The SDK raises ErrorResponseException (msrest HttpOperationError) with the HTTP response attached."""
    if isinstance(error, ReplyUndeliverable):  # already read, by the adapter
        return error.failure
    response = getattr(error, "response", None)
    if response is not None:
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", None) or {}
        code = ""
        inner = getattr(error, "error", None)
        if inner is not None and getattr(inner, "error", None) is not None:
            code = str(getattr(inner.error, "code", "") or "")
        if isinstance(status, int):
            return SendFailure(status, code or type(error).__name__, parse_retry_after(headers.get("Retry-After")))
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        return SendFailure(None, type(error).__name__, None)
    return SendFailure(0, f"{type(error).__name__}: {error}"[:200], None)


class ReplyUndeliverable(Exception):
    """The conversation's connector did not take a reply (gone, refused, unreachable, timing out): in --dev, the
    Playground was closed. Raised by the adapter (bot/adapter.py) from the SDK's error, which stays the cause."""

    def __init__(self, failure: SendFailure, service_url: str | None) -> None:
        super().__init__(f"{failure.describe()} from {service_url or 'an unknown service'}")
        self.failure = failure
        self.service_url = service_url


def undeliverable(error: Exception, service_url: str | None) -> ReplyUndeliverable | None:
    """The error as an undeliverable reply when it is one the connector gave (an HTTP answer or no answer at all);
    None for anything else (a bug in building the reply stays a bug)."""
    failure = classify(error)
    if failure.status is None or failure.status >= 400:
        return ReplyUndeliverable(failure, service_url)
    return None
