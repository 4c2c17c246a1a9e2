"""A quiet, readable `projectbot chat` (issue 15, item 5): the log goes to a file, the terminal has no roster to fail,
and tables (the timesheet, a project's hours per person) print as aligned rows."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from botbuilder.schema import ChannelAccount

from bot.chat import ChatUser, render_card, run_chat
from bot.chat.adapter import TerminalRoster
from bot.chat.log_file import chat_log_path, log_to_file
from bot.settings import Settings
from cards.i18n import translator
from cards.timelog import PersonHours, ProjectHoursView, SheetView, build_project_hours_card, build_timesheet_card
from domain.time import WeekCell
from tests.conftest import START
from tests.harness import FakeClock

MONDAY = date(2026, 11, 30)
# What the chat gives a card in an 80-column terminal (bot/chat/console.py: the prefix and the card's bar).
CARD_WIDTH = 73


def _settings(tmp_path: Path, *, chat_log: str = "") -> Settings:
    return Settings(database_url="sqlite:///" + str(tmp_path / "chat.db"), chat_log=chat_log)


def _sheet(codes: list[str]) -> SheetView:
    cells = [
        WeekCell(MONDAY + timedelta(days=day), code, f"Project {code}", "performed", 30 * (day + 1) + 15 * index)
        for index, code in enumerate(codes)
        for day in range(5)
    ]
    return SheetView(MONDAY, cells, codes)


def _grid_lines(text: str) -> list[str]:
    """The lines of the first table in a rendered card: from its header to its total row."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^-+[-+ ]*$", line)) - 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("Totaal", "Total")))
    return lines[start : end + 1]


# The log goes to a file ----------------------------------------------------------------------------------------


def _chat_process(tmp_path: Path, typed: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`projectbot chat` as a person runs it, in a folder of its own (no .env, no data/ of the repository)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PROJECTBOT_", "DATABASE_URL"))}
    clean |= {"DATABASE_URL": "sqlite:///" + str(tmp_path / "data" / "chat.db"), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=120,
        check=False,
    )


def test_a_chat_session_prints_no_log_lines_and_no_roster_warning(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    done = _chat_process(tmp_path, "hulp\nuren\nuren vorige week\n/quit\n")

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert not re.search(r"\b(DEBUG|INFO|WARNING|ERROR)\b", done.stdout)
    assert "roster" not in done.stdout
    log_file = tmp_path / "data" / "projectbot-chat.log"
    assert done.stdout.count(f"-- log: {log_file}") == 1  # the path, once, with the chat's opening notes
    assert "Urenstaat" in done.stdout  # the conversation itself is all there
    logged = log_file.read_text(encoding="utf-8")
    assert "INFO" in logged and "turn message" in logged  # the lines went to the file instead
    assert "roster lookup" not in logged  # the terminal's roster answered: nothing failed


def test_the_chat_log_path_follows_the_setting_else_sits_beside_the_database(tmp_path: Path) -> None:
    assert chat_log_path(_settings(tmp_path)) == tmp_path / "projectbot-chat.log"
    chosen = tmp_path / "logs" / "mine.log"
    assert chat_log_path(_settings(tmp_path, chat_log=str(chosen))) == chosen
    on_postgres = Settings(database_url="postgresql://bot:secret@db.example:5432/projectbot")
    assert chat_log_path(on_postgres) == Path("data") / "projectbot-chat.log"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """log_to_file replaces the root logger's handlers: put the test run's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("root_logging")
def test_a_warning_reaches_the_terminal_as_one_line_and_its_traceback_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = log_to_file(_settings(tmp_path, chat_log=str(tmp_path / "chat.log")))
    logging.getLogger().setLevel(logging.INFO)
    log = logging.getLogger("bot.somewhere")

    log.info("a turn went fine")
    try:
        raise RuntimeError("the drawing worker died")
    except RuntimeError:
        log.exception("drawing failed")

    err = capsys.readouterr().err
    assert err == f"projectbot: ERROR drawing failed (details in {path})\n"
    logged = path.read_text(encoding="utf-8")
    assert "a turn went fine" in logged
    assert "Traceback (most recent call last)" in logged and "RuntimeError" in logged


# The terminal's roster -----------------------------------------------------------------------------------------


def test_the_terminal_roster_knows_the_person_typing_and_nobody_else() -> None:
    person = ChannelAccount(id="29:1abc", name="Alex", aad_object_id="aad-1")
    roster = TerminalRoster(person)

    member = asyncio.run(roster.conversations.get_conversation_member("a:1conv", "29:1abc"))

    assert (member.id, member.name, member.aad_object_id, member.email) == ("29:1abc", "Alex", "aad-1", None)
    with pytest.raises(LookupError):
        asyncio.run(roster.conversations.get_conversation_member("a:1conv", "29:1someone-else"))


def test_a_chat_turn_asks_the_roster_without_a_failure(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    output = io.StringIO()
    typed = ["hulp", "uren"]

    def input_fn(_prompt: str) -> str:
        if not typed:
            raise EOFError  # as Ctrl-D
        return typed.pop(0)

    status = run_chat(
        _settings(tmp_path),
        input_fn=input_fn,
        output=output,
        clock=FakeClock(START),
        user=ChatUser.named("alex"),
    )

    assert status == 0
    assert "Urenstaat" in output.getvalue()
    assert not [record for record in caplog.records if "roster" in record.getMessage()]


# Tables as aligned text ----------------------------------------------------------------------------------------


def test_a_timesheet_renders_as_aligned_rows_with_a_header_and_a_total() -> None:
    card = build_timesheet_card(_sheet(["DT-042", "GIS-007", "HR-101"]), translator("nl"))

    rendered = render_card(card, CARD_WIDTH, timezone="Europe/Brussels")

    grid = _grid_lines(rendered.text)
    header, rule, *days, total_rule, total = grid
    assert header.split() == ["|", "DT-042", "|", "GIS-007", "|", "HR-101", "|", "Totaal"]
    assert set(rule) <= {"-", "+"} and rule == total_rule
    assert [day.split()[0] for day in days] == ["ma", "di", "wo", "do", "vr", "za", "zo"]  # one row a day
    assert total.startswith("Totaal")
    # Every row has its bars where the header has them, and the numbers end at the column's right edge.
    bars = [i for i, char in enumerate(header) if char == "|"]
    rows = [header, *days, total]
    assert all([i for i, char in enumerate(row) if char == "|"] == bars for row in rows)
    assert len({len(row) for row in rows}) == 1  # the last column is right-aligned to the same edge
    assert [cell.strip() for cell in days[0].split("|")][1:] == ["0,5", "0,75", "1", "2,25"]
    assert [cell.strip() for cell in days[5].split("|")][1:] == ["·", "·", "·", "·"]  # Saturday: nothing
    assert len(rendered.text.splitlines()) < 20  # it used to be ~45 lines, one cell per line


def test_a_wide_timesheet_packs_its_columns_closer_and_else_repeats_the_day_column() -> None:
    codes = [f"P{n}-{n:03d}" for n in range(12)]
    card = build_timesheet_card(_sheet(codes), translator("en"))

    fitted = render_card(card, CARD_WIDTH).text
    assert all(len(line) <= CARD_WIDTH for line in fitted.splitlines())
    assert re.search(r"^ +P0-000 +P1-001 .* Total$", fitted, re.MULTILINE)  # one table, no bars between

    narrow = render_card(card, 40).text.splitlines()
    assert all(len(line) <= 40 for line in narrow)
    shown = {code for line in narrow for code in re.findall(r"P\d+-\d{3}", line)}
    assert shown == set(codes[:6])  # the card itself shows six projects and "…": all of them are here
    assert sum(line.startswith("Mon ") for line in narrow) > 1  # each block repeats the day column


def test_a_projects_hours_per_person_is_a_table_too() -> None:
    people = [PersonHours("An Peeters", 600, 450), PersonHours("Bob Smith-Vandenberghe", 120, 30)]
    view = ProjectHoursView("DT-042", "Loket", 480, 720, None, None, None, False, 15, people)

    text = render_card(build_project_hours_card(view, translator("en")), CARD_WIDTH).text

    lines = text.splitlines()
    header = next(line for line in lines if "Planned" in line and "Worked" in line)
    an = next(line for line in lines if line.startswith("An Peeters"))
    bob = next(line for line in lines if line.startswith("Bob Smith-Vandenberghe"))
    assert header.index("|") == an.index("|") == bob.index("|")
    assert "10 h" in an and "7.5 h" in an


def test_a_lone_column_set_is_still_a_layout_not_a_table() -> None:
    card = {
        "type": "AdaptiveCard",
        "body": [
            {
                "type": "ColumnSet",
                "columns": [
                    {"type": "Column", "items": [{"type": "TextBlock", "text": "left"}]},
                    {"type": "Column", "items": [{"type": "TextBlock", "text": "right"}]},
                ],
            }
        ],
    }
    assert render_card(card).text.splitlines() == ["left", "right"]


def test_a_log_path_that_cannot_be_written_is_said_before_the_chat_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "chat.db"))
    monkeypatch.setenv("PROJECTBOT_CHAT_LOG", str(tmp_path))  # a folder, not a file

    assert main(["chat"]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"projectbot: cannot write the chat's log to {tmp_path}: Is a directory")
    assert "PROJECTBOT_CHAT_LOG" in err
