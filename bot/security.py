"""Who may talk to the bot: the Teams service hosts (plus loopback in --dev) and the organisation's tenant(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# The Bot Connector hosts Teams calls from (commercial cloud and the documented government clouds). Exact
# host names only: a wildcard would let any Azure-hosted bot framework service impersonate Teams.
TEAMS_SERVICE_HOSTS = frozenset(
    {
        "smba.trafficmanager.net",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.gov.teams.microsoft.us",
        "smba.infra.dod.teams.microsoft.us",
    }
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_SERVICE_URL_LENGTH = 2048
# Printable ASCII without space, backslash, quotes or angle brackets: what a Teams serviceUrl is made of.
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


@dataclass(frozen=True)
class AccessPolicy:
    allowed_tenants: frozenset[str]  # empty: any tenant (only ever in --dev)
    dev: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_tenants", frozenset(t.lower() for t in self.allowed_tenants))

    def service_url_allowed(self, service_url: str | None) -> bool:
        """Only the plain form `https://<Teams host>[:443]/<path>`. Anything a parser might read differently
        (user info, backslashes, whitespace or control characters that urllib silently drops, non-ASCII that IDNA
        folds into dots, odd ports, a query or fragment) is refused rather than interpreted."""
        if not service_url or len(service_url) > MAX_SERVICE_URL_LENGTH or not _PLAIN_URL.fullmatch(service_url):
            return False
        try:
            parts = urlsplit(service_url)
            host = (parts.hostname or "").lower()
            port = parts.port
        except ValueError:
            return False
        netloc = parts.netloc.lower()
        if "@" in netloc or "%" in netloc or parts.query or parts.fragment or "?" in service_url:
            return False
        if parts.scheme == "https" and host in TEAMS_SERVICE_HOSTS:
            return netloc in (host, f"{host}:443")
        if not (self.dev and parts.scheme in ("http", "https") and host in LOOPBACK_HOSTS):
            return False
        bracketed = f"[{host}]" if ":" in host else host
        return netloc == bracketed or (port is not None and netloc == f"{bracketed}:{port}")

    def tenant_allowed(self, tenant_id: str) -> bool:
        if self.dev or not self.allowed_tenants:
            return self.dev
        return tenant_id.lower() in self.allowed_tenants
