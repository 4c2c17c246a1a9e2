"""Where capabilities meet. A capability declares, in its own package and in one object, what it adds to the bot:
text commands (nl/en), card verbs (each with its typed payload contract), proactive message renderers, scheduled
jobs, sections it adds to other capabilities' cards and hooks it answers ("a project closed"), invokes and events
by name. dialogs/app.py lists the capabilities; the Registry built from that list gives the router, the proactive
renderers, the jobs, the sections and the hooks. Nothing registers itself by being imported, and no capability
imports another's internals: they meet here, by slot and event names (see SLOTS and EVENTS).

A newcomer finds any behaviour in two hops: dialogs/app.py names the capability, the capability's `__init__.py`
(its `capability` object) names the handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from cards.i18n import Translator
from dialogs.kernel.calendar_source import CalendarSource
from dialogs.kernel.router import EventHandler, InvalidHandler, InvokeHandler, MenuInfo, Router
from dialogs.kernel.turn import Capabilities, NoCapabilities, Reply, Request, Services
from storage.db import Database

F = TypeVar("F", bound=Callable[..., Any])
P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=Reply | Awaitable[Reply])
IH = TypeVar("IH", bound=InvokeHandler)
EH = TypeVar("EH", bound=EventHandler)

# A renderer turns the JSON arguments stored in the outbox into a card, in the reader's language, when sent.
Renderer = Callable[[dict[str, Any], Translator], dict[str, Any]]
# A send-time check: given the database, the stored arguments and now, the arguments to render with, or None when
# the message has lost its point (the sender then cancels the row and sends nothing).
Refresher = Callable[[Database, dict[str, Any], datetime], dict[str, Any] | None]


class Slot(StrEnum):
    """What one capability's card shows of others. Each slot states the signature of its sections; the capability
    that owns the card asks `services.capabilities.sections(slot)` and calls each."""

    # (request, services, project: domain.projects.ProjectFacts, today: date) -> dict[str, Any]: fields of the
    # reader's card extras (cards.projects.ProjectCardExtras) this capability fills, e.g. {"chart_uri": ...} (time) or
    # {"after_care": ...} (handover); {} when it has nothing to add.
    PROJECT_CARD = "project.card"
    # (db, project_id: int, t: Translator) -> the status card's handover line (a value cards/status renders), or
    # None when the project has no handover.
    STATUS_HANDOVER = "status.handover"
    # (db, project_id: int, now: datetime) -> list of the project's next meetings (values cards/status renders).
    STATUS_MEETINGS = "status.meetings"
    # (db, project_ids: list[int], today: date, at_risk_percent: int) -> the weekly digest's capacity section: the
    # over-booked weeks of the people on these projects (plain JSON values cards/status renders), or None.
    DIGEST_CAPACITY = "digest.capacity"


class Event(StrEnum):
    """What one capability tells the others. Each hook gets the Services and the event's keyword arguments and
    returns a Reply to add to the turn's answer, or None."""

    # (services, project_id: int, t: Translator) -> Reply | None: a person set a project's phase to closing; the
    # status capability answers with the request for the closing retrospective.
    PROJECT_CLOSING = "project.closing"
    # (services, person_id: int) -> int: someone named by e-mail before they talked to the bot has just been
    # linked to their Teams identity; capabilities send what they owed them then (returns the rows queued).
    PERSON_LINKED = "person.linked"


@dataclass(frozen=True)
class Every:
    """A job that runs every so many minutes (and, with start_now, once right at start-up)."""

    minutes: int


@dataclass(frozen=True)
class Daily:
    """A job that runs once a day at this wall-clock time in this zone."""

    hour: int
    minute: int
    timezone: str = "Europe/Brussels"


@dataclass(frozen=True)
class JobContext:
    """What a scheduled job may use: the database, the instant it runs for, and the configured services."""

    db: Database
    now: datetime
    default_timezone: str
    calendar: CalendarSource | None = None
    # The other capabilities' sections, for a job that composes a card from them (the weekly digest).
    capabilities: Capabilities = field(default_factory=NoCapabilities)


@dataclass(frozen=True)
class Job:
    id: str
    name: str  # what it does, for the log and the operations docs
    when: Every | Daily
    grace_seconds: int  # how late a run may start and still run (a restart at that hour postpones, not skips)
    # Plain functions run in a database worker thread; coroutines on the loop. Returns how many things it did.
    run: Callable[[JobContext], int | Awaitable[int]]
    start_now: bool = False
    needs_calendar: bool = False  # only scheduled when Microsoft Graph is configured
    capabilities: Capabilities | None = None  # set by Registry.jobs(): what the job's context carries


@dataclass(frozen=True)
class CommandSpec:
    name: str
    en: tuple[str, ...]
    nl: tuple[str, ...]
    handler: Callable[..., Any]
    menu: MenuInfo | None
    takes_project: bool


@dataclass(frozen=True)
class VerbSpec:
    verb: str
    payload: type[BaseModel]
    handler: Callable[..., Any]
    on_invalid: InvalidHandler | None


@dataclass(frozen=True)
class InvokeSpec:
    name: str
    handler: InvokeHandler


@dataclass(frozen=True)
class EventSpec:
    name: str
    handler: EventHandler


@dataclass
class Capability:
    """One capability's declarations; its package builds exactly one, named `capability`."""

    name: str
    commands: list[CommandSpec] = field(default_factory=list)
    verbs: list[VerbSpec] = field(default_factory=list)
    invokes: list[InvokeSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    renderers: dict[str, Renderer] = field(default_factory=dict)
    refreshers: dict[str, Refresher] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    sections: dict[Slot, list[Callable[..., Any]]] = field(default_factory=dict)
    hooks: dict[Event, list[Callable[..., Any]]] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *,
        en: tuple[str, ...],
        nl: tuple[str, ...],
        menu: MenuInfo | None = None,
        takes_project: bool = False,
    ) -> Callable[[F], F]:
        """A text command; the handler gets (request, services, the rest of the text). takes_project: the rest
        names a project (find_project), so the "which project?" card may run the command again with the choice."""

        def add(handler: F) -> F:
            self.commands.append(CommandSpec(name, en, nl, handler, menu, takes_project))
            return handler

        return add

    def verb(
        self, payload: type[P], *, on_invalid: InvalidHandler | None = None
    ) -> Callable[[Callable[[Request, Services, P], R]], Callable[[Request, Services, P], R]]:
        """A card verb, by its payload contract (cards/payloads.py: Payload.VERB); the handler gets (request,
        services, the validated payload). on_invalid gets the ValidationError (a form shown again with its
        field errors); without it the router answers with what was wrong."""
        verb = getattr(payload, "VERB", "")
        if not verb:
            raise ValueError(f"{payload.__name__} declares no VERB")

        def add(handler: Callable[[Request, Services, P], R]) -> Callable[[Request, Services, P], R]:
            self.verbs.append(VerbSpec(verb, payload, handler, on_invalid))
            return handler

        return add

    def invoke(self, name: str) -> Callable[[IH], IH]:
        """An invoke activity by its name ("composeExtension/query", "task/fetch", "application/search"); the
        handler gets (request, services, the activity's value as a dict: untrusted, read it defensively) and
        returns an InvokeResult (status and body of the invoke response; answer within Teams' 5 s). Its rule is
        in dialogs/kernel/access.py INVOKE_RULES; a Stop becomes the invoke's message (router.invoke_answer)."""

        def add(handler: IH) -> IH:
            self.invokes.append(InvokeSpec(name, handler))
            return handler

        return add

    def event(self, name: str) -> Callable[[EH], EH]:
        """An event activity by its name ("application/vnd.microsoft.meetingStart"); the handler gets (request,
        services, the activity's value as a dict) and returns the Reply to post in the conversation it came from,
        or None to stay silent. Its rule is in dialogs/kernel/access.py EVENT_RULES."""

        def add(handler: EH) -> EH:
            self.events.append(EventSpec(name, handler))
            return handler

        return add

    def proactive(self, builder: str, *, refresh: Refresher | None = None) -> Callable[[Renderer], Renderer]:
        """The renderer of an outbox message built by name (and, optionally, its send-time refresher)."""

        def add(renderer: Renderer) -> Renderer:
            self.renderers[builder] = renderer
            if refresh is not None:
                self.refreshers[builder] = refresh
            return renderer

        return add

    def job(
        self,
        id: str,
        *,
        name: str,
        when: Every | Daily,
        grace_seconds: int,
        start_now: bool = False,
        needs_calendar: bool = False,
    ) -> Callable[[F], F]:
        def add(run: F) -> F:
            self.jobs.append(Job(id, name, when, grace_seconds, run, start_now, needs_calendar))
            return run

        return add

    def section(self, slot: Slot) -> Callable[[F], F]:
        def add(build: F) -> F:
            self.sections.setdefault(slot, []).append(build)
            return build

        return add

    def hook(self, event: Event) -> Callable[[F], F]:
        def add(answer: F) -> F:
            self.hooks.setdefault(event, []).append(answer)
            return answer

        return add


class Registry:
    """Every capability's declarations, assembled once at start-up (dialogs/app.py)."""

    def __init__(self, capabilities: Iterable[Capability]) -> None:
        self.capabilities = tuple(capabilities)
        names = [c.name for c in self.capabilities]
        if len(set(names)) != len(names):
            raise ValueError(f"a capability is listed twice: {names}")

    def router(self) -> Router:
        """The router of every command, verb, invoke and event; one without a permission rule stops the bot here
        (dialogs/kernel/access.py)."""
        router = Router()
        for capability in self.capabilities:
            for command in capability.commands:
                router.command(
                    command.name,
                    en=command.en,
                    nl=command.nl,
                    handler=command.handler,
                    menu=command.menu,
                    takes_project=command.takes_project,
                )
            for verb in capability.verbs:
                router.action(verb.verb, verb.payload, verb.handler, on_invalid=verb.on_invalid)
            for invoke in capability.invokes:
                router.invoke(invoke.name, invoke.handler)  # one handler per name: a second raises here
            for event in capability.events:
                router.event(event.name, event.handler)
        router.check_rules()
        return router

    def renderers(self) -> dict[str, Renderer]:
        return _merged((c.renderers for c in self.capabilities), "proactive renderer")

    def refreshers(self) -> dict[str, Refresher]:
        return _merged((c.refreshers for c in self.capabilities), "proactive refresher")

    def jobs(self) -> list[Job]:
        jobs = [replace(job, capabilities=self) for c in self.capabilities for job in c.jobs]
        ids = [job.id for job in jobs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a job id is declared twice: {ids}")
        return jobs

    def sections(self, slot: Slot) -> list[Callable[..., Any]]:
        return [build for c in self.capabilities for build in c.sections.get(slot, [])]

    def answers(self, event: Event, services: Services, **details: Any) -> list[Any]:
        """Every hook's answer to an event, in capability order."""
        return [hook(services, **details) for c in self.capabilities for hook in c.hooks.get(event, [])]


def _merged(parts: Iterable[dict[str, Any]], what: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for name, value in part.items():
            if name in merged:
                raise ValueError(f"{what} {name!r} declared twice")
            merged[name] = value
    return merged
