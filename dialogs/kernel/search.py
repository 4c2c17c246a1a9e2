"""Typeahead for the pickers (cards/base.py `picker`): Teams asks `application/search` with what the person typed
in a project or person field and the field's dataset, and shows at most 15 results.

It lives in the kernel because every capability's forms pick projects and people, and what a person may find is the
kernel's to say (who.py): the `projects` dataset holds the projects they may see that are not closed, their own
first; `people` the colleagues the bot knows (never anyone erased), and only for someone who is part of the
organisation's project work (a role, or a place on a project). Matching forgives case, accents, punctuation and word
order (domain/names.normalise): every typed word starts a word of the code, name or address. An unknown dataset, a
malformed query or a guest: no results, never an error. The projects capability registers it
(dialogs/projects/typeahead.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from cards.base import CHOICE_TITLE_MAX, PEOPLE_DATASET, PROJECTS_DATASET
from dialogs.kernel.turn import InvokeResult, Request, Services
from dialogs.kernel.who import me
from domain.names import normalise
from storage.db import Database
from storage.directory import DirectoryRepository, is_email, is_placeholder, normalise_email
from storage.models import Person
from storage.projects import ProjectRepository

SEARCH_INVOKE = "application/search"
SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"
RESULTS_MAX = 15  # what Teams shows in the dropdown
QUERY_MAX = 200  # characters of the typed text that are read
SKIP_MAX = 10_000


@dataclass(frozen=True)
class Query:
    text: str
    dataset: str
    skip: int = 0
    top: int = RESULTS_MAX


@dataclass(frozen=True)
class Found:
    title: str
    value: str


def read_query(value: Any) -> Query:
    """What Teams sent, read forgivingly: anything missing or of the wrong type is as if not sent."""
    value = value if isinstance(value, dict) else {}
    options = value.get("queryOptions") if isinstance(value.get("queryOptions"), dict) else {}
    text = value.get("queryText")
    dataset = value.get("dataset")
    return Query(
        text=" ".join(text.split())[:QUERY_MAX] if isinstance(text, str) else "",
        dataset=dataset if isinstance(dataset, str) else "",
        skip=_bounded(options.get("skip"), 0, SKIP_MAX, 0),
        top=_bounded(options.get("top"), 1, RESULTS_MAX, RESULTS_MAX),
    )


def _bounded(value: Any, low: int, high: int, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return min(max(int(value), low), high)


def search(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    """The application/search invoke's answer."""
    query = read_query(value)
    finder = DATASETS.get(query.dataset)
    found = finder(request, services, query) if finder is not None else []
    page = found[query.skip : query.skip + query.top]
    results = [{"title": item.title[:CHOICE_TITLE_MAX], "value": item.value} for item in page]
    return InvokeResult({"type": SEARCH_RESPONSE, "value": {"results": results}})


def matches(typed: str, *texts: str) -> bool:
    """Every typed word starts a word of one of the texts (any order), or the typed text is inside the texts run
    together ("dt042" in "DT-042"); both normalised (case, accents, punctuation)."""
    wanted = normalise(typed).split()
    if not wanted:
        return True
    words = [word for text in texts for word in normalise(text).split()]
    if all(any(word.startswith(part) for word in words) for part in wanted):
        return True
    joined = "".join(words)
    return "".join(wanted) in joined


def projects(request: Request, services: Services, query: Query) -> list[Found]:
    """Projects the asker may see that are not closed: a code that starts with what was typed first, then their
    own projects, then the rest, each by code. An empty query lists their own first."""
    visible = me(request, services).visibility()
    typed = "".join(normalise(query.text).split())
    rows = [row for row in ProjectRepository(services.db).pickable(visible) if matches(query.text, row[0], row[1])]

    def rank(row: tuple[str, str, bool]) -> tuple[bool, bool, str]:
        code, _name, own = row
        by_code = bool(typed) and "".join(normalise(code).split()).startswith(typed)
        return (not by_code, not own, code)

    return [Found(f"{code} · {name}", code) for code, name, _own in sorted(rows, key=rank)]


def people(request: Request, services: Services, query: Query) -> list[Found]:
    """Colleagues the bot knows, by name (colleague_choices). A typed address nobody has yet comes first, as itself,
    so a person can still be named before they have talked to the bot."""
    who = me(request, services)
    if not who.roles and not ProjectRepository(services.db).has_place(who.id):
        return []  # a guest: the directory is not theirs to browse
    found: list[Found] = []
    typed = query.text.strip()
    known = DirectoryRepository(services.db).colleagues()
    if is_email(typed) and all(p.email != normalise_email(typed) for p in known):
        found.append(Found(request.t("search.people.new", email=normalise_email(typed)), normalise_email(typed)))
    for person in known:
        if matches(typed, person.name, person.email or "") and (choice := _choice(person)) is not None:
            found.append(Found(title=choice[1], value=choice[0]))
    return found


def colleague_choices(services: Services, *, keep: Collection[str] = (), limit: int = 50) -> list[tuple[str, str]]:
    """(value, title) of the colleagues a person picker lists before anything is typed (the static choices, for
    clients without typeahead), by name: the first `limit`, and those whose value is in `keep` (the field's current
    value). The value is what dialogs/kernel/who.resolve_person reads: the person's Entra object id, or the address
    of someone named by address who has not talked to the bot yet."""
    every = [choice for person in DirectoryRepository(services.db).colleagues() if (choice := _choice(person))]
    return [choice for position, choice in enumerate(every) if position < limit or choice[0] in keep]


def team_choices(db: Database, project_id: int) -> list[tuple[str, str]]:
    """(value, title) of a project's coordinator and team: the static choices of a picker whose natural answers are
    they (a meeting's action owners); Teams still searches every colleague as one types."""
    project = ProjectRepository(db).facts(project_id)
    if project is None:
        return []
    ids = [project.coordinator_id, *(line.person_id for line in project.team)]
    directory = DirectoryRepository(db)
    people = [directory.get(person_id) for person_id in dict.fromkeys(ids) if person_id is not None]
    return [c for p in people if p is not None and p.forgotten_at is None and (c := _choice(p)) is not None]


def choice_value(services: Services, person_id: int | None) -> str:
    """The value a person picker holds for this person ("" for nobody, or someone erased)."""
    person = DirectoryRepository(services.db).get(person_id) if person_id is not None else None
    choice = _choice(person) if person is not None and person.forgotten_at is None else None
    return choice[0] if choice is not None else ""


def _choice(person: Person) -> tuple[str, str] | None:
    if is_placeholder(person):
        return (person.email, person.email) if person.email else None
    if not person.name and not person.email:
        return None
    title = f"{person.name} · {person.email}" if person.name and person.email else person.name or person.email or ""
    return person.aad_object_id, title


DATASETS: dict[str, Callable[[Request, Services, Query], list[Found]]] = {
    PROJECTS_DATASET: projects,
    PEOPLE_DATASET: people,
}
