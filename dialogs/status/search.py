"""The project search of the message extension (command `searchProjects`, issue 18): from the compose box of any
chat, a person finds the projects they may see by code, name, local government or coordinator, and inserts the
project's status card, the very card `status DT-042` shows.

`composeExtension/query` answers with a page of previews (queryOptions skip/count; an empty query or the first
run lists the person's own projects first); choosing one asks `composeExtension/selectItem` with its code, which
looks the project up again for whoever chose it, so a forged or replayed code finds nothing the person may not see.
The inserted card's buttons are the status card's own verbs (as Action.Execute: cards/status/search.py), each with
its permission rule: a colleague in the chat who may not see the project is refused by it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cards.i18n import Translator
from cards.status.search import ProjectPreview, card_attachment, preview_attachment
from dialogs.kernel.permissions import Action
from dialogs.kernel.search import matches
from dialogs.kernel.turn import InvokeResult, Request, Services, Stop
from dialogs.kernel.who import me
from dialogs.status.common import can, capability
from dialogs.status.reports import status_card
from domain.names import normalise
from storage.project_search import SearchRow, searchable
from storage.projects import ProjectRepository, ProjectState, is_valid_code, normalise_code
from storage.status import StatusRepository

SEARCH_COMMAND = "searchProjects"
SEARCH_PARAMETER = "searchText"
QUERY_INVOKE = "composeExtension/query"
SELECT_INVOKE = "composeExtension/selectItem"
TEXT_MAX = 100  # characters of the typed text that are read: no project's code, name or government is longer
PAGE_DEFAULT = 10
PAGE_MAX = 25  # what Teams asks for at most
SKIP_MAX = 10_000


@dataclass(frozen=True)
class Query:
    command: str
    text: str
    skip: int = 0
    count: int = PAGE_DEFAULT


def read_query(value: dict[str, Any]) -> Query:
    """What Teams sent, read forgivingly: anything missing or of the wrong type is as if not sent; the text capped
    and without control characters (domain.names.normalise keeps letters and digits only when matching)."""
    command = value.get("commandId")
    parameters = value.get("parameters")
    text = ""
    for parameter in parameters if isinstance(parameters, list) else []:
        if isinstance(parameter, dict) and parameter.get("name") == SEARCH_PARAMETER:
            typed = parameter.get("value")
            text = " ".join(typed[: TEXT_MAX * 4].split())[:TEXT_MAX] if isinstance(typed, str) else ""
    options = value.get("queryOptions")
    options = options if isinstance(options, dict) else {}
    return Query(
        command=command if isinstance(command, str) else "",
        text="".join(char for char in text if char.isprintable()),
        skip=_bounded(options.get("skip"), 0, SKIP_MAX, 0),
        count=_bounded(options.get("count"), 1, PAGE_MAX, PAGE_DEFAULT),
    )


def _bounded(value: Any, low: int, high: int, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return min(max(int(value), low), high)


@capability.invoke(QUERY_INVOKE)
def search_projects(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    query = read_query(value)
    if query.command != SEARCH_COMMAND:
        raise Stop.saying(request.t("search.unknown_command"))
    page = found(request, services, query.text)[query.skip : query.skip + query.count]
    previews = _previews(services, page)
    return _results([preview_attachment(preview, request.t) for preview in previews])


def found(request: Request, services: Services, text: str) -> list[SearchRow]:
    """The projects the asker may see that the text names, best first: a code that starts with what was typed,
    then their own projects, then the others (through a domain, or as admin); closed projects last. Nothing named
    exactly: the close matches of the forgiving lookup ("did you mean"), typos included."""
    visible = me(request, services).visibility()
    rows = searchable(services.db, visible)
    typed = "".join(normalise(text).split())
    hits = [row for row in rows if matches(text, row.code, row.name, row.coordinator or "", *row.governments)]
    if not hits and typed:
        # The forgiving lookup `status` uses: a part inside a word ("loket" in "e-loket"), or close to a name (typos).
        lookup = ProjectRepository(services.db).lookup(text, visible_to=visible)
        close = {code for code, _name in lookup.candidates + lookup.suggestions}
        close |= {lookup.found.code} if lookup.found is not None else set()
        hits = [row for row in rows if row.code in close]

    def rank(row: SearchRow) -> tuple[bool, bool, bool, str]:
        by_code = bool(typed) and "".join(normalise(row.code).split()).startswith(typed)
        return (row.state == ProjectState.CLOSED.value, not by_code, not row.own, row.code)

    return sorted(hits, key=rank)


def _previews(services: Services, rows: list[SearchRow]) -> list[ProjectPreview]:
    colours = _latest_colours(services, [row.id for row in rows])
    return [
        ProjectPreview(
            code=row.code,
            name=row.name,
            rag=colours.get(row.id),
            coordinator=row.coordinator,
            governments=row.governments,
            closed=row.state == ProjectState.CLOSED.value,
        )
        for row in rows
    ]


def _latest_colours(services: Services, project_ids: list[int]) -> dict[int, str]:
    """Each project's colour as its latest report rates it overall (none: no report yet), in one query."""
    latest = StatusRepository(services.db).latest_two(project_ids)
    return {project_id: reports[0].overall for project_id, reports in latest.items() if reports}


def _results(attachments: list[dict[str, Any]]) -> InvokeResult:
    results = {"type": "result", "attachmentLayout": "list", "attachments": attachments}
    return InvokeResult({"composeExtension": results})


@capability.invoke(SELECT_INVOKE)
def select_project(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    """The chosen result: the status card to insert, for a project the chooser may see (else "not found")."""
    code = value.get("code")
    wanted = normalise_code(code[:32]) if isinstance(code, str) else ""
    # Only what the search itself would have shown this person (not the wider reach of a typed `status`, such as
    # a project whose meetings this chat holds): a code is no key to a project.
    project = ProjectRepository(services.db).by_code(wanted) if is_valid_code(wanted) else None
    if project is None or not me(request, services).visibility().sees(project):
        raise Stop.saying(_not_found(request.t, wanted or code))
    if not can(request, services, project, Action.VIEW_PROJECT):
        raise Stop.saying(_not_found(request.t, wanted))
    preview = ProjectPreview(
        code=project.code,
        name=project.name,
        rag=_latest_colours(services, [project.id]).get(project.id),
        coordinator=project.coordinator_name,
        governments=project.governments,
        closed=project.state == ProjectState.CLOSED.value,
    )
    return _results([card_attachment(status_card(request, services, project), preview, request.t)])


def _not_found(t: Translator, code: object) -> str:
    shown = " ".join(code.split())[:40] if isinstance(code, str) else ""
    return t("search.not_found", reference=shown)
