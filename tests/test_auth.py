"""The authenticated path, for real and offline: production settings, signed tokens, TLS to a Teams host name.

Inbound, the SDK validates tokens exactly as in production; only its OpenID key cache is filled with a key of
ours (and a guard fails the test if the SDK would fetch keys over the network). Outbound, the production
SingleTenant credentials factory is kept except that its credentials hand out a fixed access token instead of
asking Entra through msal. The activity's serviceUrl is the real `https://smba.trafficmanager.net/emea/`: the
bot's one HTTP session resolves that host name to a TLS relay on loopback (with a certificate for that name,
trusted by that session only) in front of the fake connector, so the bot's outgoing code, URL building, TLS
and headers are what production runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import socket
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import jwt
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    ChannelValidation,
    jwt_token_extractor,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlmodel import select

from bot.adapter import SdkConfiguration
from bot.http_app import MAX_BODY_BYTES, MAX_JSON_DEPTH
from bot.security import AccessPolicy
from bot.settings import AppType, Settings
from storage.db import Database
from storage.models import ConversationRef, Person
from tests.harness import ActivityFactory, FakeClock, FakeConnector, TeamsUser
from tests.harness.botdriver import TENANT, BotDriver, TurnResult

APP_ID = "3f0b9a52-5b8e-4d7a-9c31-7e2a0c4d1b66"
OTHER_APP_ID = "9d1c2e73-0000-4000-8000-0000000000b2"
OTHER_TENANT = "0c2d4e6f-0000-4000-8000-00000000bad1"
TEAMS_HOST = "smba.trafficmanager.net"
SERVICE_URL = f"https://{TEAMS_HOST}/emea/"
EVIL_SERVICE_URL = "https://evil.example.com/"
KID = "projectbot-test-key"
ACCESS_TOKEN = "projectbot-test-outbound-access-token"

CHANNEL_METADATA_URL = (
    ChannelValidation.open_id_metadata_endpoint or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
)
EMULATOR_METADATA_URL = AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"

JSON = dict[str, Any]


# -- keys and tokens ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> JSON:
    jwk: JSON = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "endorsements": ["msteams"]})
    return jwk


@dataclass
class Tokens:
    """Bot Framework channel tokens, signed like the Bot Connector service signs them."""

    key: rsa.RSAPrivateKey

    def claims(self, **overrides: Any) -> JSON:
        now = int(time.time())
        claims: JSON = {
            "iss": AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            "aud": APP_ID,
            "serviceurl": SERVICE_URL,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, *, key: rsa.RSAPrivateKey | None = None, kid: str | None = KID, **overrides: Any) -> str:
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(self.claims(**overrides), key or self.key, algorithm="RS256", headers=headers)

    def header(self, **kwargs: Any) -> str:
        return f"Bearer {self.token(**kwargs)}"


@dataclass
class NetworkGuard:
    """Stands in for `requests` in the SDK's key cache: any key fetch is recorded and fails."""

    calls: list[str] = field(default_factory=list)

    def get(self, url: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(url)
        raise ConnectionError(f"the test tried to fetch {url}")


@pytest.fixture
def tokens(signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tokens]:
    """Trust `signing_key` as a Bot Connector signing key, without any network; the cache is restored after."""
    cache = JwtTokenExtractor.metadataCache
    saved = dict(cache)
    channel = _OpenIdMetadata(CHANNEL_METADATA_URL)
    channel.keys = [_jwk(signing_key, KID)]
    channel.last_updated = dt.datetime.now()  # naive, like the SDK: fresh, so it never refreshes
    # Tokens from an Entra issuer take the emulator path, whose keys come from another document: trust none.
    emulator = _OpenIdMetadata(EMULATOR_METADATA_URL)
    emulator.last_updated = dt.datetime.now()
    cache[CHANNEL_METADATA_URL] = channel
    cache[EMULATOR_METADATA_URL] = emulator
    guard = NetworkGuard()
    monkeypatch.setattr(jwt_token_extractor, "requests", guard)
    try:
        yield Tokens(signing_key)
    finally:
        cache.clear()
        cache.update(saved)
    assert guard.calls == [], f"the SDK tried to fetch signing keys: {guard.calls}"


# -- outbound credentials ----------------------------------------------------------------------------


class FixedTokenCredentials(AppCredentials):  # type: ignore[misc]
    def __init__(self, app_id: str, oauth_scope: str) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)

    def get_access_token(self, force_refresh: bool = False) -> str:
        return ACCESS_TOKEN


class FixedTokenCredentialsFactory(ConfigurationServiceClientCredentialFactory):  # type: ignore[misc]
    """The production factory for these settings (app id and auth-disabled checks unchanged), minus msal."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(SdkConfiguration(settings))
        self.created: list[tuple[str, str]] = []

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        if not await self.is_valid_app_id(app_id):
            raise PermissionError(f"credentials asked for a foreign app id {app_id!r}")
        self.created.append((app_id, oauth_scope))
        return FixedTokenCredentials(app_id, oauth_scope)


# -- a Teams host name on loopback, over TLS -----------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    pem: bytes
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Verifies certificates and host names as usual, but trusts only this certificate."""
        return ssl.create_default_context(cadata=self.pem.decode())


@pytest.fixture(scope="module")
def teams_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, TEAMS_HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(TEAMS_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (directory / "cert.pem").write_bytes(pem)
    (directory / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificate(pem, directory / "cert.pem", directory / "key.pem")


class TlsRelay:
    """Terminates TLS on loopback and relays the bytes, unchanged, to a plain-HTTP server (a load balancer)."""

    def __init__(self, upstream_url: str, context: ssl.SSLContext) -> None:
        parts = urlsplit(upstream_url)
        assert parts.hostname is not None and parts.port is not None
        self._upstream = (parts.hostname, parts.port)
        self._context = context
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def __aenter__(self) -> TlsRelay:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self._context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        # Closing both ends makes each pipe read EOF, so every relay task ends on its own (never cancelled:
        # asyncio's stream server logs a cancelled connection task as an error).
        for writer in list(self._writers):
            writer.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        assert not self._tasks, "a relay connection did not close"

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self._writers.add(client_writer)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._upstream)
            self._writers.add(upstream_writer)
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    writer.close()
                    self._writers.discard(writer)
            self._tasks.discard(task)  # type: ignore[arg-type]

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()


class StaticResolver(AbstractResolver):
    """DNS for the bot's HTTP session: the listed host names go to loopback ports, anything else fails."""

    def __init__(self, hosts: dict[str, int]) -> None:
        self._hosts = hosts
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self._hosts:
            raise OSError(f"{host} is not reachable from this test")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=self._hosts[host],
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


# -- the bot in production mode ------------------------------------------------------------------------


def production_settings() -> Settings:
    return Settings(
        _env_file=None,
        dev=False,
        app_id=APP_ID,
        app_password="secret",
        app_tenant_id=TENANT,
        app_type=AppType.SINGLE_TENANT,
        allowed_tenants=[],  # the allow-list is then the app's own tenant
        database_url="sqlite://",  # unused: the test passes its database
        default_locale="nl-BE",
    )


@dataclass
class ProductionBot:
    driver: BotDriver
    connector: FakeConnector
    credentials: FixedTokenCredentialsFactory
    resolver: StaticResolver
    activities: ActivityFactory
    user: TeamsUser

    def message(self, *, service_url: str = SERVICE_URL, tenant_id: str = TENANT) -> JSON:
        factory = ActivityFactory(service_url, tenant_id, clock=self.activities.clock)
        return factory.message(self.user, "help")

    async def post(self, activity: JSON, authorization: str | None) -> TurnResult:
        headers = {"Authorization": authorization} if authorization is not None else None
        return await self.driver.post(activity, headers=headers)


@pytest.fixture
async def prod_bot(
    db: Database, clock: FakeClock, tokens: Tokens, teams_certificate: Certificate
) -> AsyncIterator[ProductionBot]:
    settings = production_settings()
    credentials = FixedTokenCredentialsFactory(settings)
    async with (
        FakeConnector(base_path="emea") as connector,
        TlsRelay(connector.url, teams_certificate.server_context()) as relay,
    ):
        resolver = StaticResolver({TEAMS_HOST: relay.port})
        client_context = teams_certificate.client_context()

        def session_factory() -> aiohttp.ClientSession:
            return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver, ssl=client_context))

        async with BotDriver.start(
            db=db,
            clock=clock,
            connector=connector,
            settings=settings,
            adapter_options={"credentials_factory": credentials},
            client_session_factory=session_factory,
        ) as driver:
            yield ProductionBot(
                driver=driver,
                connector=connector,
                credentials=credentials,
                resolver=resolver,
                activities=ActivityFactory(SERVICE_URL, TENANT, clock=clock),
                user=TeamsUser.named("Ann Peeters"),
            )


def rows(db: Database) -> tuple[list[Person], list[ConversationRef]]:
    with db.session() as session:
        return list(session.exec(select(Person)).all()), list(session.exec(select(ConversationRef)).all())


def assert_refused(result: TurnResult, status: int, error: str, bot: ProductionBot, db: Database) -> None:
    assert (result.status, result.body) == (status, {"error": error})
    assert bot.connector.requests == [], "a refused activity must not make the bot send anything"
    assert bot.credentials.created == [], "a refused activity must not get an outbound token"
    assert bot.resolver.asked == []
    assert rows(db) == ([], []), "a refused activity must not be recorded"


# -- the accepted turn ---------------------------------------------------------------------------------


async def test_a_valid_token_runs_the_turn_and_the_reply_carries_the_bots_token(
    prod_bot: ProductionBot, tokens: Tokens, db: Database
) -> None:
    activity = prod_bot.message()

    result = await prod_bot.post(activity, tokens.header())

    assert result.status == 201
    assert result.sent, "the bot answered nothing"
    # The roster lookup for the new person's email (an unknown member here: 404), then the reply.
    lookup, reply = prod_bot.connector.requests
    assert lookup.route == "members" and lookup.method == "GET"
    assert lookup.authorization == f"Bearer {ACCESS_TOKEN}"
    assert reply.route == "send" and reply.ok
    assert reply.authorization == f"Bearer {ACCESS_TOKEN}"
    assert reply.headers["Host"] == TEAMS_HOST  # it went to the Teams host, over TLS, through the relay
    assert reply.path == f"/emea/v3/conversations/{activity['conversation']['id']}/activities/{activity['id']}"
    assert reply.body["replyToId"] == activity["id"]
    assert prod_bot.resolver.asked == [TEAMS_HOST]
    # Credentials for the connector client and for the user token client: both this app's, for the channel.
    assert set(prod_bot.credentials.created) == {(APP_ID, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE)}
    people, conversations = rows(db)
    assert [p.aad_object_id for p in people] == [prod_bot.user.aad_object_id]
    assert [(c.conversation_id, c.service_url) for c in conversations] == [
        (activity["conversation"]["id"], SERVICE_URL)
    ]


# -- refused: 401 --------------------------------------------------------------------------------------

_AuthHeader = Callable[[Tokens, rsa.RSAPrivateKey], str | None]

UNAUTHORIZED: dict[str, _AuthHeader] = {
    "missing header": lambda t, other: None,
    "empty header": lambda t, other: "",
    "wrong audience": lambda t, other: t.header(aud=OTHER_APP_ID),
    "no audience": lambda t, other: t.header(aud=None),
    "serviceurl claim is another url": lambda t, other: t.header(serviceurl="https://smba.trafficmanager.net/amer/"),
    "no serviceurl claim": lambda t, other: t.header(serviceurl=None),
    "expired": lambda t, other: t.header(exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
    "not yet valid": lambda t, other: t.header(nbf=int(time.time()) + 3600),
    "signed by another key with the same kid": lambda t, other: t.header(key=other),
    "unknown kid": lambda t, other: t.header(kid="someone-elses-key"),
    "no kid": lambda t, other: t.header(kid=None),
    "wrong issuer": lambda t, other: t.header(iss="https://evil.example.com"),
    "emulator issuer, untrusted key": lambda t, other: t.header(iss=EMULATOR_ISSUER, appid=APP_ID, ver="1.0"),
    "skill token (another bot)": lambda t, other: t.header(iss=EMULATOR_ISSUER, appid=OTHER_APP_ID, ver="1.0"),
    "unsigned (alg none)": lambda t, other: (
        "Bearer " + jwt.encode(t.claims(), None, algorithm="none", headers={"kid": KID})
    ),
    "malformed token": lambda t, other: "Bearer abc.def",
    "not a token": lambda t, other: "Bearer not-a-jwt",
    "bearer without token": lambda t, other: "Bearer ",
    "non-Bearer scheme": lambda t, other: f"Basic {t.token()}",
    "token without scheme": lambda t, other: t.token(),
    "extra part": lambda t, other: f"Bearer {t.token()} extra",
}


@pytest.mark.parametrize("case", list(UNAUTHORIZED))
async def test_an_unauthenticated_activity_is_refused_with_401(
    case: str, prod_bot: ProductionBot, tokens: Tokens, other_key: rsa.RSAPrivateKey, db: Database
) -> None:
    result = await prod_bot.post(prod_bot.message(), UNAUTHORIZED[case](tokens, other_key))

    assert_refused(result, 401, "unauthorized", prod_bot, db)


async def test_the_token_for_one_activity_does_not_authenticate_another_service_url(
    prod_bot: ProductionBot, tokens: Tokens, db: Database
) -> None:
    """A token Teams issued for the EMEA service cannot carry an activity claiming another service URL."""
    activity = prod_bot.message(service_url="https://smba.trafficmanager.net/amer/")

    result = await prod_bot.post(activity, tokens.header())

    assert_refused(result, 401, "unauthorized", prod_bot, db)


# -- refused: 403 --------------------------------------------------------------------------------------


async def test_a_valid_token_for_a_service_url_outside_teams_is_refused_with_403(
    prod_bot: ProductionBot, tokens: Tokens, db: Database
) -> None:
    activity = prod_bot.message(service_url=EVIL_SERVICE_URL)

    result = await prod_bot.post(activity, tokens.header(serviceurl=EVIL_SERVICE_URL))

    assert_refused(result, 403, "serviceUrl not allowed", prod_bot, db)


async def test_a_valid_token_from_a_tenant_outside_the_allow_list_is_refused_with_403(
    prod_bot: ProductionBot, tokens: Tokens, db: Database
) -> None:
    activity = prod_bot.message(tenant_id=OTHER_TENANT)

    result = await prod_bot.post(activity, tokens.header())

    assert_refused(result, 403, "tenant not allowed", prod_bot, db)


# -- AccessPolicy ----------------------------------------------------------------------------------------

PRODUCTION = AccessPolicy(allowed_tenants=frozenset({TENANT}), dev=False)
DEV = AccessPolicy(allowed_tenants=frozenset(), dev=True)

TEAMS_SERVICE_URLS = [
    "https://smba.trafficmanager.net/emea/",
    "https://smba.trafficmanager.net/amer/",
    "https://smba.trafficmanager.net/teams/",
    "https://SMBA.TrafficManager.NET/emea/",
    "https://smba.trafficmanager.net:443/emea/",
    "https://smba.infra.gcc.teams.microsoft.com/",
    "https://smba.infra.gov.teams.microsoft.us/",
    "https://smba.infra.dod.teams.microsoft.us/",
]

NOT_TEAMS_SERVICE_URLS = [
    None,
    "",
    "http://smba.trafficmanager.net/emea/",  # Teams only over https
    "http://smba.infra.gov.teams.microsoft.us/",
    "ftp://smba.trafficmanager.net/",
    "smba.trafficmanager.net/emea/",  # no scheme
    "//smba.trafficmanager.net/emea/",
    "https://smba.trafficmanager.net.evil.com/",
    "https://evil-smba.trafficmanager.net/",
    "https://evil.smba.trafficmanager.net/",
    "https://trafficmanager.net/",
    "https://smba.trafficmanager.net@evil.com/",  # user info, host is evil.com
    "https://evil.com/smba.trafficmanager.net/",
    "https://evil.com/?u=https://smba.trafficmanager.net/",
    "https://smba.infra.gov.teams.microsoft.us.evil.com/",
    "https://[::1",  # unparseable
    "https://evil.example.com/",
]

LOOPBACK_URLS = [
    "http://127.0.0.1:3978/",
    "http://localhost:56000/_connector/",
    "https://localhost/",
    "http://[::1]:3978/",
]


# Each of these names a Teams host somewhere, and urllib (or a browser, or another HTTP client) may read that host out
# of it; none is a URL Teams sends. Only the exact form `https://<teams host>[:443]/<path>` is accepted.
HOSTILE_SERVICE_URLS = [
    "https://evil.com\\@smba.trafficmanager.net/",  # urllib: host smba...; WHATWG parsers: host evil.com
    "https://smba.trafficmanager.net\\@evil.com/",
    "https://smba.trafficmanager.net\\emea/",
    "https://user@smba.trafficmanager.net/",  # any user info at all
    "https://user:password@smba.trafficmanager.net/",
    "https://@smba.trafficmanager.net/",
    "https://smba.trafficmanager.net%2f@evil.com/",
    "https://smba.trafficmanager.net:8443/",  # Teams is on the default port only
    "https://smba.trafficmanager.net:80/",
    "https://smba.trafficmanager.net:0443/",
    "https://smba.trafficmanager.net:+443/",
    "https://smba.trafficmanager.net:-1/",
    "https://smba.trafficmanager.net:65536/",
    "https://smba.trafficmanager.net:443:80/",
    "https://smba.trafficmanager.net:/emea/",
    " https://smba.trafficmanager.net/emea/",  # urllib strips the space, other parsers may not
    "https://smba.trafficmanager.net/emea/ ",
    "https://smba.traffic\tmanager.net/",  # urllib deletes tabs and newlines anywhere
    "https://smba.trafficmanager.net/emea/\n",
    "https://smba.trafficmanager.net\r\n.evil.com/",
    "https://smba.trafficmanager.net\x00.evil.com/",
    "https://smba.trafficmanager.net/\x7f/",
    "https://smba\u3002trafficmanager.net/",  # ideographic full stop: IDNA maps it to "."
    "https://smba\uff0etrafficmanager.net/",  # fullwidth full stop
    "https://smba.trafficmanager.net/\u00e9mea/",  # nothing outside ASCII anywhere
    "https://xn--smba.trafficmanager.net/",
    "https://smba%2etrafficmanager%2enet/",
    "https://smba.trafficmanager.net./",
    "https://[smba.trafficmanager.net]/",
    "https://smba.trafficmanager.net/emea/#@evil.com",  # no fragment
    "https://smba.trafficmanager.net/emea/?next=https://evil.com",  # no query
    "https:smba.trafficmanager.net/emea/",
    "https:/smba.trafficmanager.net/emea/",
    "https:///smba.trafficmanager.net/emea/",
    "https://smba.trafficmanager.net" + "/a" * 1100,  # absurdly long
]


@pytest.mark.parametrize("url", HOSTILE_SERVICE_URLS)
def test_service_urls_that_only_look_like_teams_are_refused(url: str) -> None:
    assert not PRODUCTION.service_url_allowed(url)
    assert not DEV.service_url_allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://user@localhost:3978/",
        "http://evil.com\\@localhost:3978/",
        "http://localhost:3978\\@evil.com/",
        "http://127.0.0.1:99999/",
        "http://local\thost:3978/",
        "http://localhost:3978/#@evil.com",
    ],
)
def test_hostile_loopback_urls_are_refused_even_in_dev(url: str) -> None:
    assert not DEV.service_url_allowed(url)


@pytest.mark.parametrize("url", TEAMS_SERVICE_URLS)
def test_teams_service_urls_are_accepted_over_https(url: str) -> None:
    assert PRODUCTION.service_url_allowed(url)
    assert DEV.service_url_allowed(url)


@pytest.mark.parametrize("url", NOT_TEAMS_SERVICE_URLS)
def test_other_and_lookalike_service_urls_are_refused(url: str | None) -> None:
    assert not PRODUCTION.service_url_allowed(url)
    assert not DEV.service_url_allowed(url)


@pytest.mark.parametrize("url", LOOPBACK_URLS)
def test_loopback_service_urls_are_accepted_only_in_dev(url: str) -> None:
    assert DEV.service_url_allowed(url)
    assert not PRODUCTION.service_url_allowed(url)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file://localhost/etc/passwd", "ws://localhost:3978/"])
def test_loopback_needs_http_even_in_dev(url: str) -> None:
    assert not DEV.service_url_allowed(url)


def _policy(**settings: Any) -> AccessPolicy:
    configured = Settings(_env_file=None, dev=False, database_url="sqlite://", **settings)
    return AccessPolicy(allowed_tenants=configured.tenant_allow_list, dev=configured.dev)


def test_the_tenant_allow_list_ignores_case() -> None:
    tenant = str(uuid.uuid4())
    policy = _policy(allowed_tenants=f" {tenant.upper()} , {OTHER_TENANT}")

    assert policy.tenant_allowed(tenant)
    assert policy.tenant_allowed(tenant.upper())
    assert policy.tenant_allowed(OTHER_TENANT.upper())
    assert not policy.tenant_allowed(TENANT)
    assert not policy.tenant_allowed("")


def test_without_an_allow_list_only_the_apps_own_tenant_is_allowed() -> None:
    policy = _policy(app_tenant_id=TENANT.upper())

    assert policy.tenant_allowed(TENANT)
    assert not policy.tenant_allowed(OTHER_TENANT)
    assert not policy.tenant_allowed("")


def test_production_without_any_tenant_refuses_every_tenant() -> None:
    policy = _policy()

    assert not policy.tenant_allowed(TENANT)
    assert not policy.tenant_allowed("")


@pytest.mark.parametrize("tenant", [TENANT, OTHER_TENANT, ""])
def test_dev_accepts_any_tenant(tenant: str) -> None:
    assert DEV.tenant_allowed(tenant)
    assert AccessPolicy(allowed_tenants=frozenset({TENANT}), dev=True).tenant_allowed(tenant)


# -- bodies that are refused before anything else ----------------------------------------------------


def _nested_body(activity: JSON, where: str, depth: int) -> bytes:
    activity = {**activity, where: "NESTED"}
    return json.dumps(activity).replace('"NESTED"', "[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
@pytest.mark.parametrize("where", ["value", "channelData"])
async def test_a_deeply_nested_body_is_refused_with_400_before_authentication(
    prod_bot: ProductionBot, db: Database, where: str, depth: int
) -> None:
    """Unauthenticated and before any other work: JSON nested beyond what any activity needs is no activity."""
    body = _nested_body(prod_bot.message(), where, depth)

    response = await prod_bot.driver.client.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status == 400
    assert await response.json() == {"error": "the body is nested too deeply"}
    assert prod_bot.connector.requests == [] and prod_bot.credentials.created == []
    assert rows(db) == ([], [])


async def test_a_body_nested_as_deep_as_allowed_still_reaches_authentication(
    prod_bot: ProductionBot, db: Database
) -> None:
    body = _nested_body(prod_bot.message(), "channelData", MAX_JSON_DEPTH - 1)

    response = await prod_bot.driver.client.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status == 401


async def test_a_body_over_the_size_limit_is_refused_with_413(prod_bot: ProductionBot, db: Database) -> None:
    activity = prod_bot.message()
    activity["text"] = "x" * MAX_BODY_BYTES

    response = await prod_bot.driver.client.post(
        "/api/messages", data=io.BytesIO(json.dumps(activity).encode()), headers={"Content-Type": "application/json"}
    )

    assert response.status == 413
    assert prod_bot.connector.requests == [] and rows(db) == ([], [])
