"""Who may talk to the bot: the Teams service hosts (plus loopback in --dev) and the organisation's tenant(s)."""

from __future__ import annotations

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


@dataclass(frozen=True)
class AccessPolicy:
    allowed_tenants: frozenset[str]  # empty: any tenant (only ever in --dev)
    dev: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_tenants", frozenset(t.lower() for t in self.allowed_tenants))

    def service_url_allowed(self, service_url: str | None) -> bool:
        if not service_url:
            return False
        try:
            parts = urlsplit(service_url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return False
        if parts.scheme == "https" and host in TEAMS_SERVICE_HOSTS:
            return True
        return self.dev and parts.scheme in ("http", "https") and host in LOOPBACK_HOSTS

    def tenant_allowed(self, tenant_id: str) -> bool:
        if self.dev or not self.allowed_tenants:
            return self.dev
        return tenant_id.lower() in self.allowed_tenants
