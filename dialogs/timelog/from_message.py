"""Log time from a message: the message action `logTimeFromMessage` ("Uren registreren" / "Log time" in a
message's ... menu) opens a dialog (task module) with the same time form as `log`, the note taken from the message
and the project guessed from it; its Save records the entry exactly like the form's Save (form.save_new: the same
validation, and a retry stores once), and the dialog answers with the form again (errors under their fields) or a
short line that says what was recorded.

Teams sends `composeExtension/fetchTask` to open the dialog and `composeExtension/submitAction` with the form's
inputs (value.data) when Save is pressed. Anything that is not this command, or not a form this person may save, is
answered in the dialog in the person's language; nothing is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any

from pydantic import ValidationError

from cards.base import minutes_text
from cards.i18n import Translator
from cards.timelog import NOTE_MAX, SavePayload, build_time_form_card
from dialogs.kernel.owned import not_yours
from dialogs.kernel.timezones import today_for
from dialogs.kernel.turn import InvokeResult, Request, Services, Stop
from dialogs.kernel.who import Me, conversation_project_ids, me
from dialogs.timelog.declaration import capability
from dialogs.timelog.entries import _loggable_projects as loggable_projects
from dialogs.timelog.entries import time_form
from dialogs.timelog.form import save_new
from domain.names import normalise
from domain.projects import ProjectFacts
from storage.projects import normalise_code

COMMAND_ID = "logTimeFromMessage"
FETCH_TASK = "composeExtension/fetchTask"
SUBMIT_ACTION = "composeExtension/submitAction"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Teams sizes a dialog by these words (or pixels); the form is a phone's width and six fields high.
DIALOG_WIDTH = "medium"
DIALOG_HEIGHT = "large"
# A project code anywhere in a message: "DT-042", "dt-42" (storage/projects.py CODE_PATTERN, not anchored).
CODE_IN_TEXT = re.compile(r"(?<![\w-])([A-Za-z][A-Za-z0-9]{0,9}-\d{1,5})(?![\w-])")
# Teams caps a message at about 28 KB; more is not a message, and not read.
MESSAGE_MAX = 100_000
ELLIPSIS = "…"


# The message as plain text ----------------------------------------------------------------------------------------


class _PlainText(HTMLParser):
    """The text of a Teams message's HTML: tags dropped, a space where a block or line ends, entities read."""

    BREAKS = frozenset({"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "blockquote", "pre"})
    SKIPPED = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skipping += 1
        elif tag in self.BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in self.BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(message: Any) -> str:
    """The text of a message payload (value.messagePayload): HTML stripped, whitespace collapsed."""
    body = message.get("body") if isinstance(message, dict) else None
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        return ""
    content = body["content"][:MESSAGE_MAX]
    if str(body.get("contentType", "")).lower() == "html":
        parser = _PlainText()
        parser.feed(content)
        parser.close()
        content = "".join(parser.parts)
    else:
        content = unescape(content)
    return " ".join(content.split())


def shortened(text: str, limit: int = NOTE_MAX) -> str:
    """At most `limit` characters, cut at a word where one is near, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    at_space = cut.rfind(" ")
    if at_space > limit * 0.8:
        cut = cut[:at_space]
    return cut.rstrip() + ELLIPSIS


# The project it is about ------------------------------------------------------------------------------------------


def guess_project(text: str, projects: list[ProjectFacts], linked_ids: list[int]) -> ProjectFacts | None:
    """Among the projects the person may log on (`projects`): the first whose code the message names, else the one
    whose name it holds (the longest, when several), else the one this conversation is linked to (when only one
    is). Only these count: a guess the form could not save would only be refused at Save."""
    by_code = {p.code: p for p in projects}
    for match in CODE_IN_TEXT.finditer(text):
        found = by_code.get(normalise_code(match.group(1)))
        if found is not None:
            return found
    said = f" {normalise(text)} "
    named = [p for p in projects if (name := normalise(p.name)) and f" {name} " in said]
    if named:
        return max(named, key=lambda p: len(p.name))
    linked = [p for p in projects if p.id in linked_ids]
    return linked[0] if len(linked) == 1 else None


# The two invokes --------------------------------------------------------------------------------------------------


def _continue(card: dict[str, Any], t: Translator) -> InvokeResult:
    """The dialog shows (or keeps showing) this card."""
    task = {
        "title": t("time.form.title"),
        "card": {"contentType": CARD_CONTENT_TYPE, "content": card},
        "width": DIALOG_WIDTH,
        "height": DIALOG_HEIGHT,
    }
    return InvokeResult({"task": {"type": "continue", "value": task}})


def _message(text: str) -> InvokeResult:
    """The dialog shows this line (and closes when it is read)."""
    return InvokeResult({"task": {"type": "message", "value": text}})


def _is_ours(value: dict[str, Any]) -> bool:
    return value.get("commandId") == COMMAND_ID


@dataclass(frozen=True)
class _Guess:
    project: str
    note: str


def _guess(request: Request, services: Services, who: Me, message: Any) -> _Guess:
    text = plain_text(message)
    project = guess_project(text, loggable_projects(services, who), conversation_project_ids(request, services))
    return _Guess(project.code if project is not None else "", shortened(text))


@capability.invoke(FETCH_TASK)
def fetch_task(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    """The dialog opens on the log form for today, the note and project taken from the message."""
    t = request.t
    if not _is_ours(value):
        return _message(t("time.from_message.unknown_command"))
    who = me(request, services)
    guess = _guess(request, services, who, value.get("messagePayload"))
    values = {
        "project": guess.project,
        "date": today_for(request, services).isoformat(),
        "duration": "",
        "kind": "performed",
        "category": "other",
        "note": guess.note,
    }
    return _continue(build_time_form_card(time_form(services, who, values=values), t), t)


@capability.invoke(SUBMIT_ACTION)
def submit_action(request: Request, services: Services, value: dict[str, Any]) -> InvokeResult:
    """Save in the dialog: recorded like the log form's Save, answered in the dialog."""
    t = request.t
    if not _is_ours(value):
        return _message(t("time.from_message.unknown_command"))
    data = value.get("data")
    inputs = (
        {key: field for key, field in data.items() if key not in ("verb", "msteams")} if isinstance(data, dict) else {}
    )
    try:
        payload = SavePayload.model_validate(inputs)
    except ValidationError:
        return _message(t("time.from_message.unreadable"))
    if payload.entry_id is not None:  # this dialog only adds entries; an edit is the confirmation's Edit
        return _message(t("time.from_message.unreadable"))
    if (not_theirs := not_yours(request, services, payload.owner, "card.not_yours.time_form")) is not None:
        return _message(" ".join(not_theirs.texts))
    try:
        saved = save_new(request, services, payload)
    except Stop as stop:
        if stop.reply.replace_card is not None:
            return _continue(stop.reply.replace_card, t)
        return _message(" ".join(stop.reply.texts))
    entry = saved.entry
    said = t("time.from_message.saved", duration=minutes_text(entry.minutes, t), code=entry.project_code)
    return _message(said if saved.created else f"{t('time.already_saved')} {said}")
