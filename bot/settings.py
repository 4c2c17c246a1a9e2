"""Settings read from the environment (and an optional .env), built once in main() and passed down."""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.db import default_database_url
from storage.directory import is_email, normalise_email


class LogFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


class AppType(StrEnum):
    SINGLE_TENANT = "SingleTenant"
    MULTI_TENANT = "MultiTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


def _aliases(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every knob an operator can turn; docs/configuration.md lists them all."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default_factory=default_database_url, validation_alias=_aliases("DATABASE_URL", "database_url")
    )
    app_id: str = Field(default="", validation_alias=_aliases("MICROSOFT_APP_ID", "MicrosoftAppId", "app_id"))
    app_password: str = Field(
        default="",
        validation_alias=_aliases("MICROSOFT_APP_PASSWORD", "MicrosoftAppPassword", "app_password"),
        repr=False,
    )
    app_type: AppType = Field(
        default=AppType.SINGLE_TENANT,
        validation_alias=_aliases("MICROSOFT_APP_TYPE", "MicrosoftAppType", "app_type"),
    )
    app_tenant_id: str = Field(
        default="",
        validation_alias=_aliases("MICROSOFT_APP_TENANT_ID", "MicrosoftAppTenantId", "app_tenant_id"),
    )
    allowed_tenants: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_aliases("PROJECTBOT_ALLOWED_TENANTS", "allowed_tenants")
    )
    default_timezone: str = Field(
        default="Europe/Brussels",
        validation_alias=_aliases("PROJECTBOT_DEFAULT_TIMEZONE", "default_timezone"),
    )
    default_locale: str = Field(
        default="nl-BE", validation_alias=_aliases("PROJECTBOT_DEFAULT_LOCALE", "default_locale")
    )
    # Signs the short-lived download links of files (bot/files.py). Unset: derived from MICROSOFT_APP_PASSWORD, or
    # random per process with --dev; `serve` refuses to start without either.
    file_secret: str = Field(default="", validation_alias=_aliases("PROJECTBOT_FILE_SECRET", "file_secret"), repr=False)
    # The bot's public base URL (https://bot.example.org), for download links; unset: the host Teams posts to.
    public_url: str = Field(default="", validation_alias=_aliases("PROJECTBOT_PUBLIC_URL", "public_url"))
    # Budget burn: the coordinator is warned when spent hours (% of budget) run ahead of elapsed time (% of the
    # planned period) by more than this many percentage points.
    burn_margin_points: int = Field(
        default=15, ge=0, le=100, validation_alias=_aliases("PROJECTBOT_BURN_MARGIN_POINTS", "burn_margin_points")
    )
    # Capacity: a person's week is "at risk" when more than this share (%) of their available hours is planned.
    capacity_at_risk_percent: int = Field(
        default=90,
        ge=1,
        le=100,
        validation_alias=_aliases("PROJECTBOT_CAPACITY_AT_RISK_PERCENT", "capacity_at_risk_percent"),
    )
    # Proactive messages the bot may send per second, to all conversations together (Teams' per-conversation limits
    # are kept as well). One instance at a time sends (the dispatcher lease), so every instance gets the same value.
    outbox_per_second: float = Field(
        default=30.0, gt=0, le=1000, validation_alias=_aliases("PROJECTBOT_OUTBOX_PER_SECOND", "outbox_per_second")
    )
    # Database connections this instance keeps (default: 4 on SQLite, 10 on PostgreSQL). On PostgreSQL, instances x
    # pool size must stay below the server's max_connections (minus what operators and migrations need).
    db_pool_size: int | None = Field(
        default=None, ge=1, le=200, validation_alias=_aliases("PROJECTBOT_DB_POOL_SIZE", "db_pool_size")
    )
    # The longest a turn waits for the database (a connection, its turn to write, a lock held elsewhere) before the
    # person hears "busy, try again"; well below Teams' 15 s (5 s for card actions).
    db_wait_seconds: float = Field(
        default=3.0, gt=0, le=10, validation_alias=_aliases("PROJECTBOT_DB_WAIT_SECONDS", "db_wait_seconds")
    )
    # Worker processes drawing charts and building documents (bot/rendering.py), started on first use.
    render_workers: int = Field(
        default=1, ge=1, le=16, validation_alias=_aliases("PROJECTBOT_RENDER_WORKERS", "render_workers")
    )
    # Microsoft Graph (meeting import from Outlook, docs/configuration.md). Unset client id: the bot's own app
    # registration (MICROSOFT_APP_ID / _PASSWORD / _TENANT_ID) is used; it then needs Calendars.Read (application).
    graph_tenant_id: str = Field(default="", validation_alias=_aliases("PROJECTBOT_GRAPH_TENANT_ID", "graph_tenant_id"))
    graph_client_id: str = Field(default="", validation_alias=_aliases("PROJECTBOT_GRAPH_CLIENT_ID", "graph_client_id"))
    graph_client_secret: str = Field(
        default="", validation_alias=_aliases("PROJECTBOT_GRAPH_CLIENT_SECRET", "graph_client_secret"), repr=False
    )
    graph_url: str = Field(
        default="https://graph.microsoft.com", validation_alias=_aliases("PROJECTBOT_GRAPH_URL", "graph_url")
    )
    graph_authority: str = Field(
        default="https://login.microsoftonline.com",
        validation_alias=_aliases("PROJECTBOT_GRAPH_AUTHORITY", "graph_authority"),
    )
    # The first administrators (docs/configuration.md): comma-separated addresses that become admin once Teams reports
    # them for someone who talks to the bot, like a pending `projectbot admin grant`; applied at every start.
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_aliases("PROJECTBOT_ADMINS", "admins")
    )
    # Log lines as JSON objects (one a line, for a log collector) or as text; unset: text with --dev and for the
    # terminal verbs (chat, db, outbox, ...), JSON for `projectbot serve` (bot/logs.py, docs/operations.md).
    log_format: LogFormat | None = Field(default=None, validation_alias=_aliases("PROJECTBOT_LOG_FORMAT", "log_format"))
    # GET /metrics (Prometheus, bot/metrics.py): off unless set (always on with --dev). With PROJECTBOT_METRICS_PORT
    # it is served on that port only, not beside /api/messages on the public one.
    metrics: bool = Field(default=False, validation_alias=_aliases("PROJECTBOT_METRICS", "metrics"))
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias=_aliases("PROJECTBOT_METRICS_PORT", "metrics_port")
    )
    # `projectbot chat` writes its log here (appending) instead of between the bot's answers; unset: beside the SQLite
    # database (data/projectbot-chat.log), bot/chat/log_file.py.
    chat_log: str = Field(default="", validation_alias=_aliases("PROJECTBOT_CHAT_LOG", "chat_log"))
    # The Teams app package (`projectbot manifest`): who publishes the app and its pages, shown in Teams' app details.
    # Unset: placeholders (example.org), which `manifest` refuses unless --allow-placeholders (bot/manifest.py).
    developer_name: str = Field(default="", validation_alias=_aliases("PROJECTBOT_DEVELOPER_NAME", "developer_name"))
    website_url: str = Field(default="", validation_alias=_aliases("PROJECTBOT_WEBSITE_URL", "website_url"))
    privacy_url: str = Field(default="", validation_alias=_aliases("PROJECTBOT_PRIVACY_URL", "privacy_url"))
    terms_url: str = Field(default="", validation_alias=_aliases("PROJECTBOT_TERMS_URL", "terms_url"))
    dev: bool = False

    @field_validator("allowed_tenants", mode="before")
    @classmethod
    def _split_tenants(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            wrong = [part for part in value if not is_email(str(part))]
            if wrong:
                raise ValueError(f"PROJECTBOT_ADMINS takes e-mail addresses, separated by commas; not {wrong[0]!r}")
            return [normalise_email(str(part)) for part in value]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value.split("-")[0].lower() not in {"nl", "en"}:
            raise ValueError(f"unsupported locale {value!r}: use nl-BE or en-US style")
        return value

    @field_validator("file_secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("PROJECTBOT_FILE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("PROJECTBOT_PUBLIC_URL must be an absolute URL such as https://bot.example.org")
        return value.rstrip("/")

    @field_validator("graph_url", "graph_authority")
    @classmethod
    def _graph_base(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("PROJECTBOT_GRAPH_URL and PROJECTBOT_GRAPH_AUTHORITY must be absolute URLs")
        return value.rstrip("/")

    def graph_credentials(self) -> tuple[str, str, str] | None:
        """(tenant, client id, secret) for app-only Graph tokens, or None when the meeting import is off. Without
        PROJECTBOT_GRAPH_CLIENT_ID the bot's own registration is used (its secret and tenant)."""
        if self.graph_client_id:
            client_id, secret = self.graph_client_id, self.graph_client_secret
        else:
            client_id, secret = self.app_id, self.app_password
        tenant = self.graph_tenant_id or self.app_tenant_id
        if not (client_id and secret and tenant) or tenant.lower() in {"common", "organizations", "consumers"}:
            return None
        return tenant, client_id, secret

    def file_link_key(self) -> bytes | None:
        """The key that signs download links: PROJECTBOT_FILE_SECRET, else one derived from the app password (the
        same on every instance sharing the configuration); None when there is neither."""
        if self.file_secret:
            return self.file_secret.encode()
        if self.app_password:
            return hmac.new(self.app_password.encode(), b"projectbot file links v1", hashlib.sha256).digest()
        return None

    @property
    def tenant_allow_list(self) -> frozenset[str]:
        """Tenants whose users may talk to the bot; empty means any (only in --dev)."""
        if self.allowed_tenants:
            return frozenset(t.lower() for t in self.allowed_tenants)
        if self.app_tenant_id:
            return frozenset({self.app_tenant_id.lower()})
        return frozenset()

    @property
    def metrics_on(self) -> bool:
        """Whether /metrics is served: PROJECTBOT_METRICS=1 or a metrics port, and always with --dev."""
        return self.metrics or self.metrics_port is not None or self.dev

    def database_location(self) -> Path | None:
        """The SQLite file behind database_url, when it is one."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix) :])
        return None

    def database_label(self) -> str:
        """The database as the log and the terminal show it: the SQLite file, or the URL with its password masked
        (a log is read by more people than the secret store)."""
        location = self.database_location()
        if location is not None:
            return f"SQLite {location.resolve()}"
        try:
            url = make_url(self.database_url)
        except (ArgumentError, ValueError):  # a port that is no number, say: the URL itself is not repeated
            return "(an unreadable DATABASE_URL)"
        return url.render_as_string(hide_password=True)
