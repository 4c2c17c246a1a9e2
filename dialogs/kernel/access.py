"""The permission rule of every text command, card verb, invoke and event: one table, checked against the registry at
start-up.

The router refuses to start when a registered command or verb has no rule here (or a rule names nothing
registered), and enforces the organisation-wide rules (ROLE, ORGANISATION) itself before a handler runs. Rules that
depend on a project (PROJECT) or a conversation (CONVERSATION) are checked by the handler against the thing the
request names, through dialogs.kernel.permissions; tests/test_verb_walk.py presses every verb as a stranger, a member of
another project and a guest to prove that they are. docs/security.md prints this table (a test keeps it in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogs.kernel.permissions import Action


class Scope(StrEnum):
    EVERYONE = "everyone"  # shows or changes nothing of anyone's (the menu, a cancelled confirmation)
    OWN = "own"  # only the asker's own data: their settings, time, leave, files, their list of projects
    ROLE = "role"  # an organisation-wide role; the router checks it before the handler runs
    # the role, or being named manager of a project that is not closed (the data, read anew each turn); the router
    # checks it, the handler shows only what the role or those projects cover
    ROLE_OR_PROJECT_MANAGER = "role_or_project_manager"
    ORGANISATION = "organisation"  # anyone with a role or a place on a project; not a guest without one (router)
    PROJECT = "project"  # the handler checks `action` on the project named; one the asker may not see is not found
    CONVERSATION = "conversation"  # a card posted in a conversation: anyone in it, or who may see the project
    COMMAND = "command"  # runs the command it names, whose own rule applies
    # sent by Teams itself, not pressed by a person (a meeting started): the handler acts only on what a person with
    # the right to do so set up beforehand (a meeting linked to a series by its coordinator), else stays silent
    TEAMS = "teams"


@dataclass(frozen=True)
class Rule:
    scope: Scope
    action: Action | None = None
    note: str = ""  # what the table in docs/security.md adds in words


EVERYONE = Rule(Scope.EVERYONE)
OWN = Rule(Scope.OWN)
ORGANISATION = Rule(Scope.ORGANISATION)
COMMAND = Rule(Scope.COMMAND)


def role(action: Action) -> Rule:
    return Rule(Scope.ROLE, action)


def role_or_project_manager(action: Action, note: str = "") -> Rule:
    return Rule(Scope.ROLE_OR_PROJECT_MANAGER, action, note)


def project(action: Action, note: str = "") -> Rule:
    return Rule(Scope.PROJECT, action, note)


def conversation(action: Action, note: str) -> Rule:
    return Rule(Scope.CONVERSATION, action, note)


_HANDOVER_ACCEPTANCE = "the receiving party: the person named, or anyone in the receiving team's chat"
_SEARCH = "the message extension's project search: finds and inserts only the projects the asker may see"
_MEETING_CHAT = "typed in a Teams meeting's own chat; links it to one of the project's meeting series"
_MEETING_EVENT = "only in a meeting chat linked to a series (by its coordinator, or an Outlook import's join URL); once"
_IN_THE_MEETING_CHAT = "or anyone in the conversation the meeting's reminders are posted in (its working group)"
_CAPACITY = "coordinators: their projects' people; managers: their domains' and named projects'; admins: all (handler)"
_FREE_HOURS = "who staffs projects (coordinators, managers, admins): free hours only, not projects (handler)"
_PORTFOLIO = "managers: their domains' projects; admins: all; whoever is named manager of projects: those projects"

COMMAND_RULES: dict[str, Rule] = {
    "help": EVERYONE,
    "settings": OWN,
    "projects": OWN,
    "new project": role(Action.CREATE_PROJECT),
    "project": project(Action.VIEW_PROJECT),
    "edit project": project(Action.EDIT_PROJECT),
    "add team member": project(Action.EDIT_PROJECT),
    "phase": project(Action.EDIT_PROJECT),
    "my data": OWN,
    "forget me": OWN,
    "roles": role(Action.MANAGE_PEOPLE),
    "domains": role(Action.MANAGE_LISTS),
    "governments": role(Action.MANAGE_LISTS),
    "log": project(Action.LOG_OWN_TIME),
    "plan": project(Action.LOG_OWN_TIME),
    "timesheet": OWN,
    "budget": project(Action.VIEW_PROJECT, "everyone's hours only for its coordinator and manager"),
    "export": Rule(Scope.OWN, note="own entries, and those of projects one coordinates or manages"),
    "leave": OWN,
    "update": project(Action.UPDATE_STATUS),
    "status": project(Action.VIEW_PROJECT),
    "status history": project(Action.VIEW_PROJECT),
    "milestones": project(Action.VIEW_PROJECT, "changing them: UPDATE_STATUS"),
    "risks": project(Action.VIEW_PROJECT, "changing them: UPDATE_STATUS"),
    "decisions": project(Action.VIEW_PROJECT, "recording one: UPDATE_STATUS"),
    "retrospective": project(Action.UPDATE_STATUS),
    "lessons": ORGANISATION,
    "portfolio": role_or_project_manager(Action.VIEW_PORTFOLIO, _PORTFOLIO),
    "report": project(Action.VIEW_BOARD_REPORT),
    "digest": role_or_project_manager(Action.VIEW_PORTFOLIO, _PORTFOLIO),
    "handover": project(Action.VIEW_HANDOVER, "planning it: MANAGE_HANDOVER"),
    "new meeting": project(Action.MANAGE_MEETINGS),
    "meetings": project(Action.VIEW_PROJECT, "without a code: the meetings of this conversation, or one's own"),
    "agenda": conversation(Action.VIEW_PROJECT, _IN_THE_MEETING_CHAT),
    "actions": project(Action.VIEW_PROJECT),
    "import meeting": project(Action.MANAGE_MEETINGS),
    "link meeting": project(Action.MANAGE_MEETINGS, _MEETING_CHAT),
    "available": Rule(Scope.ORGANISATION, Action.VIEW_CAPACITY, _FREE_HOURS),
    "my week": OWN,
    "capacity": Rule(Scope.ORGANISATION, Action.VIEW_CAPACITY, _CAPACITY),
    "export planning": Rule(Scope.ORGANISATION, Action.VIEW_CAPACITY, _CAPACITY),
}

VERB_RULES: dict[str, Rule] = {
    "menu.open": COMMAND,
    "lookup.choose": COMMAND,
    "settings.save": OWN,
    "settings.language_offer": Rule(Scope.OWN, note="answered only by the person it was offered to"),
    "outbox.opt_out": Rule(
        Scope.OWN,
        note="for oneself; for a whole channel or chat only the coordinator of a project meeting there, or an admin",
    ),
    "privacy.forget": OWN,
    "privacy.forget_cancel": EVERYONE,
    "roles.save": role(Action.MANAGE_PEOPLE),
    "roles.availability": role(Action.MANAGE_PEOPLE),
    "lists.domain_save": role(Action.MANAGE_LISTS),
    "lists.government_save": role(Action.MANAGE_LISTS),
    "lists.government_page": role(Action.MANAGE_LISTS),
    "projects.page": OWN,
    "projects.open": project(Action.VIEW_PROJECT),
    "projects.save": project(Action.EDIT_PROJECT, "a new project: CREATE_PROJECT"),
    "projects.edit": project(Action.EDIT_PROJECT),
    "projects.member_form": project(Action.EDIT_PROJECT),
    "projects.member_save": project(Action.EDIT_PROJECT),
    "projects.phase_form": project(Action.EDIT_PROJECT),
    "projects.phase_save": project(Action.EDIT_PROJECT),
    "timelog.save": project(Action.LOG_OWN_TIME),
    "timelog.undo": OWN,
    "timelog.undo_plan": OWN,
    "timelog.edit": OWN,
    "timelog.week": OWN,
    "timelog.hours": project(Action.VIEW_PROJECT),
    "status.form": project(Action.UPDATE_STATUS),
    "status.save": project(Action.UPDATE_STATUS),
    "status.open": project(Action.VIEW_PROJECT),
    "status.history": project(Action.VIEW_PROJECT),
    "milestones.open": project(Action.VIEW_PROJECT),
    "milestones.form": project(Action.UPDATE_STATUS),
    "milestones.save": project(Action.UPDATE_STATUS),
    "milestones.done": project(Action.UPDATE_STATUS),
    "risks.open": project(Action.VIEW_PROJECT),
    "risks.form": project(Action.UPDATE_STATUS),
    "risks.save": project(Action.UPDATE_STATUS),
    "risks.close": project(Action.UPDATE_STATUS),
    "decisions.open": project(Action.VIEW_PROJECT),
    "decisions.form": project(Action.UPDATE_STATUS),
    "decisions.save": project(Action.UPDATE_STATUS),
    "retro.form": project(Action.UPDATE_STATUS),
    "retro.save": project(Action.UPDATE_STATUS),
    "lessons.filter": ORGANISATION,
    "portfolio.page": role_or_project_manager(Action.VIEW_PORTFOLIO, _PORTFOLIO),
    "report.open": project(Action.VIEW_BOARD_REPORT),
    "digest.save": role_or_project_manager(Action.VIEW_PORTFOLIO, _PORTFOLIO),
    "handover.open": project(Action.VIEW_HANDOVER),
    "handover.form": project(Action.MANAGE_HANDOVER),
    "handover.save": project(Action.MANAGE_HANDOVER),
    "handover.item_form": project(Action.MANAGE_HANDOVER),
    "handover.item_save": project(Action.MANAGE_HANDOVER),
    "handover.item_done": project(Action.MANAGE_HANDOVER),
    "handover.ask_acceptance": project(Action.MANAGE_HANDOVER),
    "handover.export": project(Action.VIEW_HANDOVER),
    "handover.acceptance_view": project(Action.VIEW_HANDOVER),
    "handover.accept": project(Action.ACCEPT_HANDOVER, _HANDOVER_ACCEPTANCE),
    "handover.not_yet_form": project(Action.ACCEPT_HANDOVER, _HANDOVER_ACCEPTANCE),
    "handover.not_yet": project(Action.ACCEPT_HANDOVER, _HANDOVER_ACCEPTANCE),
    "meeting.save": project(Action.MANAGE_MEETINGS),
    "meeting.edit": project(Action.MANAGE_MEETINGS),
    "meeting.list": project(Action.VIEW_PROJECT, "without a code: the meetings of this conversation, or one's own"),
    "meeting.cancel_one": project(Action.MANAGE_MEETINGS),
    "meeting.move_form": project(Action.MANAGE_MEETINGS),
    "meeting.move_save": project(Action.MANAGE_MEETINGS),
    "meeting.conversation_form": project(Action.MANAGE_MEETINGS),
    "meeting.conversation_save": project(Action.MANAGE_MEETINGS),
    "meeting.import_list": project(Action.MANAGE_MEETINGS),
    "meeting.import": project(Action.MANAGE_MEETINGS),
    "meeting.report_save": project(Action.MANAGE_MEETINGS),
    "meeting.attend": conversation(Action.VIEW_PROJECT, _IN_THE_MEETING_CHAT),
    "meeting.decline": conversation(Action.VIEW_PROJECT, _IN_THE_MEETING_CHAT),
    "meeting.agenda_add": conversation(Action.VIEW_PROJECT, _IN_THE_MEETING_CHAT),
    "meeting.actions": project(Action.VIEW_PROJECT),
    "meeting.action_done": project(Action.MANAGE_MEETINGS, "or the action item's owner"),
    "capacity.add_form": Rule(Scope.ORGANISATION, Action.VIEW_CAPACITY, _FREE_HOURS),
    "capacity.add_to_team": project(Action.EDIT_PROJECT, "the project chosen: the asker's ongoing ones (admins: any)"),
    "capacity.page": Rule(Scope.ORGANISATION, Action.VIEW_CAPACITY, _CAPACITY),
}


# Invokes a capability declares by name (Capability.invoke): message extensions, dialogs, typeahead searches. Invokes
# nobody declared are answered 200 with an empty body (bot/teams_bot.py) and need no rule.
INVOKE_RULES: dict[str, Rule] = {
    "composeExtension/query": project(Action.VIEW_PROJECT, _SEARCH),
    "composeExtension/selectItem": project(Action.VIEW_PROJECT, _SEARCH),
    "application/search": project(
        Action.VIEW_PROJECT,
        "typeahead: only projects the asker may see (not closed); people only to someone with a role or a project",
    ),
    "composeExtension/fetchTask": project(Action.LOG_OWN_TIME, "log time from a message: own time, guessed project"),
    "composeExtension/submitAction": project(
        Action.LOG_OWN_TIME, "the dialog's Save: like the log form's (the form's owner; a project they may log on)"
    ),
}

# Event activities a capability declares by name (Capability.event), such as a meeting's start and end.
EVENT_RULES: dict[str, Rule] = {
    "application/vnd.microsoft.meetingEnd": Rule(Scope.TEAMS, note=_MEETING_EVENT),
    "application/vnd.microsoft.meetingStart": Rule(Scope.TEAMS, note=_MEETING_EVENT),
}


class MissingRule(LookupError):
    """A command or verb without a permission rule (or a rule for nothing registered): the bot does not start."""


def check_complete(
    commands: set[str], verbs: set[str], invokes: set[str] | None = None, events: set[str] | None = None
) -> None:
    problems: list[str] = []
    for kind, registered, rules in (
        ("command", commands, COMMAND_RULES),
        ("card verb", verbs, VERB_RULES),
        ("invoke", invokes or set(), INVOKE_RULES),
        ("event", events or set(), EVENT_RULES),
    ):
        problems += [f"{kind} {name!r} has no permission rule" for name in sorted(registered - rules.keys())]
        problems += [f"rule for unknown {kind} {name!r}" for name in sorted(rules.keys() - registered)]
    if problems:
        raise MissingRule("; ".join(problems) + " (dialogs/access.py)")


_SCOPE_WORDS = {
    Scope.EVERYONE: "everyone",
    Scope.OWN: "only one's own data",
    Scope.ROLE: "role (checked by the router)",
    Scope.ROLE_OR_PROJECT_MANAGER: "role, or named manager of a project not closed (checked by the router)",
    Scope.ORGANISATION: "a role or a place on a project (checked by the router)",
    Scope.PROJECT: "on the project named",
    Scope.CONVERSATION: "in the conversation, or on the project",
    Scope.COMMAND: "the rule of the command it opens",
    Scope.TEAMS: "sent by Teams; acts only on what was set up by who may",
}


def permission_table() -> str:
    """The Markdown table docs/security.md shows (tests/test_verb_walk.py keeps the two in step)."""
    lines = ["| kind | name | who may | action | note |", "|---|---|---|---|---|"]
    tables = (("command", COMMAND_RULES), ("card verb", VERB_RULES), ("invoke", INVOKE_RULES), ("event", EVENT_RULES))
    for kind, rules in tables:
        for name, rule in sorted(rules.items()):
            action = f"`{rule.action.value}`" if rule.action else ""
            lines.append(f"| {kind} | `{name}` | {_SCOPE_WORDS[rule.scope]} | {action} | {rule.note} |")
    return "\n".join(lines)
