"""Project status in the chat: status updates and history, milestones, risks, decisions and scope changes, the
closing retrospective and lessons, the status summary, the portfolio, the board report, the weekly digest settings;
and the jobs that enqueue milestone reminders and weekly digests in the outbox."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from cards.i18n import Translator
from cards.menu import MenuSection
from cards.payloads import Id, Payload, Prose, StoredIn, length_errors
from cards.status import (
    DECISION_FORM_VERB,
    DECISION_SAVE_VERB,
    DECISIONS_VERB,
    DIGEST_SAVE_VERB,
    LESSONS_FILTER_VERB,
    MILESTONE_DONE_VERB,
    MILESTONE_FORM_VERB,
    MILESTONE_SAVE_VERB,
    MILESTONES_VERB,
    PORTFOLIO_VERB,
    REPORT_VERB,
    RETRO_FORM_VERB,
    RETRO_SAVE_VERB,
    RISK_CLOSE_VERB,
    RISK_FORM_VERB,
    RISK_SAVE_VERB,
    RISKS_VERB,
    STATUS_FIELDS,
    STATUS_FORM_VERB,
    STATUS_HISTORY_VERB,
    STATUS_OPEN_VERB,
    STATUS_SAVE_VERB,
    STATUS_TEXT_FIELDS,
    STATUS_TEXT_MAX,
    BoardReport,
    DecisionForm,
    DecisionLine,
    DigestItem,
    DigestSettingsForm,
    DigestView,
    HandoverLine,
    LessonLine,
    MeetingLine,
    MilestoneForm,
    MilestoneLine,
    MilestoneReminder,
    PortfolioFilters,
    PortfolioLine,
    PortfolioView,
    ReportView,
    RetroForm,
    RiskForm,
    RiskLine,
    StatusForm,
    StatusSummary,
    build_board_report_card,
    build_decision_form_card,
    build_decisions_card,
    build_digest_card,
    build_digest_settings_card,
    build_lessons_card,
    build_milestone_form_card,
    build_milestone_reminder_card,
    build_milestones_card,
    build_portfolio_card,
    build_retrospective_card,
    build_risk_form_card,
    build_risks_card,
    build_status_card,
    build_status_form_card,
    build_status_history_card,
)
from cards.values import parse_date, parse_id, whole_number
from dialogs import status_rules as rules
from dialogs.handover import handover_summary
from dialogs.kernel.hours import hours_source
from dialogs.kernel.owned import not_yours, submission_key
from dialogs.kernel.permissions import Action, allowed
from dialogs.kernel.registry import Capability, Daily, Every, JobContext
from dialogs.kernel.rendering import RenderingBusy
from dialogs.kernel.router import CodePayload, MenuInfo, PagedCode, Router
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.kernel.who import PersonPick, find_project, me, refusal, resolve_person
from dialogs.meetings import upcoming_meetings
from storage.db import Database
from storage.directory import DirectoryRepository, Role, person_for_email
from storage.models import Person
from storage.outbox import OutboxRepository, Target, builder_payload
from storage.projects import ProjectFacts, ProjectRepository
from storage.status import (
    DecisionKind,
    Duplicate,
    MilestoneRow,
    PortfolioRow,
    ReportRow,
    RiskRow,
    RiskState,
    StatusRepository,
)

HISTORY_PAGE = 5
PORTFOLIO_PAGE = 20
DIGEST_KIND = "status.digest"
DIGEST_BUILDER = "status.digest"
MILESTONE_KIND = "milestone.reminder"
MILESTONE_BUILDER = "status.milestone_reminder"
DEFAULT_DIGEST_DAY = "monday"
DEFAULT_DIGEST_TIME = "08:30"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def register(router: Router) -> None:
    router.command(
        "update",
        en=("update", "update status", "status update"),
        nl=("update", "status bijwerken", "statusupdate"),
        handler=update_form,
        menu=MenuInfo(
            "menu.update.title",
            "menu.update.description",
            {"en": "update DT-042", "nl": "update DT-042"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "status",
        en=("status",),
        nl=("status",),
        handler=show_status,
        menu=MenuInfo(
            "menu.status.title",
            "menu.status.description",
            {"en": "status DT-042", "nl": "status DT-042"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "status history",
        en=("status history", "history"),
        nl=("statusgeschiedenis", "status geschiedenis", "geschiedenis"),
        handler=history,
    )
    router.command(
        "milestones",
        en=("milestones",),
        nl=("mijlpalen",),
        handler=milestones,
        menu=MenuInfo(
            "menu.milestones.title",
            "menu.milestones.description",
            {"en": "milestones DT-042", "nl": "mijlpalen DT-042"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "risks",
        en=("risks", "risk register"),
        nl=("risico's", "risico’s", "risicos", "risicoregister"),
        handler=risks,
        menu=MenuInfo(
            "menu.risks.title",
            "menu.risks.description",
            {"en": "risks DT-042", "nl": "risico's DT-042"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "decisions",
        en=("decisions", "scope changes"),
        nl=("beslissingen", "scopewijzigingen"),
        handler=decisions,
        menu=MenuInfo(
            "menu.decisions.title",
            "menu.decisions.description",
            {"en": "decisions DT-042", "nl": "beslissingen DT-042"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "retrospective",
        en=("retrospective", "retro"),
        nl=("retrospectieve", "terugblik"),
        handler=retrospective,
    )
    router.command(
        "lessons",
        en=("lessons", "lessons learned"),
        nl=("lessen", "geleerde lessen"),
        handler=lessons,
        menu=MenuInfo(
            "menu.lessons.title",
            "menu.lessons.description",
            {"en": "lessons", "nl": "lessen"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "portfolio",
        en=("portfolio",),
        nl=("overzicht", "portfolio"),
        handler=portfolio,
        menu=MenuInfo(
            "menu.portfolio.title",
            "menu.portfolio.description",
            {"en": "portfolio", "nl": "overzicht"},
            requires=Action.VIEW_PORTFOLIO,
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "report",
        en=("report", "board report"),
        nl=("rapport", "rvb-rapport"),
        handler=board_report,
        menu=MenuInfo(
            "menu.report.title",
            "menu.report.description",
            {"en": "report DT-042", "nl": "rapport DT-042"},
            section=MenuSection.STATUS,
        ),
    )
    router.command(
        "digest",
        en=("digest", "weekly digest"),
        nl=("weekoverzicht", "weekdigest"),
        handler=digest_settings,
    )
    router.action(STATUS_FORM_VERB, CodePayload, lambda r, s, p: update_form(r, s, p.code))
    router.action(STATUS_SAVE_VERB, StatusPayload, save_status)
    router.action(STATUS_HISTORY_VERB, PagedCode, lambda r, s, p: history(r, s, p.code, page=p.page))
    router.action(STATUS_OPEN_VERB, CodePayload, lambda r, s, p: show_status(r, s, p.code))
    router.action(MILESTONES_VERB, CodePayload, lambda r, s, p: milestones(r, s, p.code))
    router.action(MILESTONE_FORM_VERB, MilestoneRef, milestone_form)
    router.action(MILESTONE_SAVE_VERB, MilestonePayload, save_milestone)
    router.action(MILESTONE_DONE_VERB, MilestoneDone, mark_milestone)
    router.action(RISKS_VERB, CodePayload, lambda r, s, p: risks(r, s, p.code))
    router.action(RISK_FORM_VERB, RiskRef, risk_form)
    router.action(RISK_SAVE_VERB, RiskPayload, save_risk)
    router.action(RISK_CLOSE_VERB, RiskRef, close_risk)
    router.action(DECISIONS_VERB, CodePayload, lambda r, s, p: decisions(r, s, p.code))
    router.action(DECISION_FORM_VERB, CodePayload, decision_form)
    router.action(DECISION_SAVE_VERB, DecisionPayload, save_decision)
    router.action(RETRO_FORM_VERB, CodePayload, lambda r, s, p: retrospective(r, s, p.code))
    router.action(RETRO_SAVE_VERB, RetroPayload, save_retrospective)
    router.action(LESSONS_FILTER_VERB, LessonsPayload, lambda r, s, p: lessons(r, s, "", domain=p.domain))
    router.action(PORTFOLIO_VERB, PortfolioPayload, portfolio_page)
    router.action(REPORT_VERB, CodePayload, lambda r, s, p: board_report(r, s, p.code))
    router.action(DIGEST_SAVE_VERB, DigestPayload, save_digest_settings)


# Payloads ------------------------------------------------------------------------------------------------------


class StatusPayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    overall: str = ""
    schedule: str = ""
    budget: str = ""
    scope: str = ""
    summary: Annotated[str, StoredIn("status_report.summary", STATUS_TEXT_MAX)] = ""
    achievements: Annotated[str, StoredIn("status_report.achievements", STATUS_TEXT_MAX)] = ""
    next_steps: Annotated[str, StoredIn("status_report.next_steps", STATUS_TEXT_MAX)] = ""
    decisions_needed: Annotated[str, StoredIn("status_report.decisions_needed", STATUS_TEXT_MAX)] = ""
    blockers: Annotated[str, StoredIn("status_report.blockers", STATUS_TEXT_MAX)] = ""


class MilestoneRef(Payload):
    code: str
    milestone: Id | None = None


class MilestonePayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    milestone: Id | None = None
    title: Annotated[str, StoredIn("milestone.title", 200)] = ""
    due: str = ""
    description: Annotated[str, StoredIn("milestone.description", 4000)] = ""


class MilestoneDone(Payload):
    code: str
    milestone: Id
    undo: bool = False


class RiskRef(Payload):
    code: str
    risk: Id | None = None


class RiskPayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    risk: Id | None = None
    title: Annotated[str, StoredIn("risk.title", 200)] = ""
    probability: str = ""
    impact: str = ""
    mitigation: Annotated[str, StoredIn("risk.mitigation", 4000)] = ""
    owner: str = ""
    state: str = "open"


class DecisionPayload(Payload):
    code: str
    form_id: Annotated[str, Prose()] = ""
    kind: str = "decision"
    date: str = ""
    text: Annotated[str, StoredIn("project_decision.text", 4000)] = ""
    decided_by: Annotated[str, StoredIn("project_decision.decided_by", 200)] = ""


class RetroPayload(Payload):
    code: str
    went_well: Annotated[str, StoredIn("retrospective.went_well", 4000)] = ""
    to_improve: Annotated[str, StoredIn("retrospective.to_improve", 4000)] = ""
    lessons: Annotated[str, StoredIn("retrospective.lessons", 4000)] = ""


class LessonsPayload(Payload):
    domain: str = ""


class PortfolioPayload(Payload):
    page: int = 1
    domain: str = ""
    coordinator: str = ""
    government: str = ""
    owner: Id | None = None  # whose overview it is (dialogs/owned.py)


class DigestPayload(Payload):
    enabled: Literal["true", "false"] = "true"  # the card's toggle
    weekday: str = DEFAULT_DIGEST_DAY
    at_time: str = DEFAULT_DIGEST_TIME
    stale_days: str = str(rules.DEFAULT_STALE_DAYS)
    owner: Id | None = None  # whose digest settings card it is


# Helpers -------------------------------------------------------------------------------------------------------


def _project(
    request: Request, services: Services, reference: str, command: str, action: Action
) -> ProjectFacts | Reply:
    found = find_project(request, services, reference, command)
    if isinstance(found, Reply):
        return found
    decision = allowed(me(request, services).actor(found), action)
    return found if decision.allowed else refusal(decision, request.t)


def _can(request: Request, services: Services, project: ProjectFacts, action: Action) -> bool:
    return allowed(me(request, services).actor(project), action).allowed


def _zone(request: Request) -> ZoneInfo:
    try:
        return ZoneInfo(request.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Brussels")


def _today(request: Request, services: Services) -> date:
    return services.clock.now().astimezone(_zone(request)).date()


def report_view(row: ReportRow, zone: ZoneInfo) -> ReportView:
    return ReportView(
        overall=row.overall,
        schedule=row.schedule,
        budget=row.budget,
        scope=row.scope,
        summary=row.summary,
        achievements=row.achievements,
        next_steps=row.next_steps,
        decisions_needed=row.decisions_needed,
        blockers=row.blockers,
        author=row.author,
        when=row.created_at.astimezone(zone),
    )


def milestone_line(row: MilestoneRow, today: date, zone: ZoneInfo) -> MilestoneLine:
    return MilestoneLine(
        id=row.id,
        title=row.title,
        due_on=row.due_on,
        flag=rules.milestone_flag(row.due_on, row.done_at is not None, today),
        done_on=row.done_at.astimezone(zone).date() if row.done_at else None,
    )


def risk_line(row: RiskRow) -> RiskLine:
    return RiskLine(
        id=row.id,
        title=row.title,
        probability=row.probability,
        impact=row.impact,
        score=row.score,
        level=rules.risk_level(row.score),
        mitigation=row.mitigation,
        owner=row.owner,
        state=row.state,
    )


def _clean(text: str, limit: int = 4000) -> str:
    return text.strip()[:limit]


def _pick_person(services: Services, pick: PersonPick, now: datetime) -> int | None:
    if pick.person_id is not None or pick.email is None:
        return pick.person_id
    with services.db.session() as session:
        return person_for_email(session, pick.email, now=now).id


# Status update -------------------------------------------------------------------------------------------------


def update_form(request: Request, services: Services, rest: str) -> Reply:
    found = _project(request, services, rest, "update", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    previous = StatusRepository(services.db).reports(found.id, limit=1)
    values: dict[str, str] = {}
    when = None
    if previous:
        last = previous[0]
        # Achievements are "since the last update": they start empty; everything else carries over.
        values = {name: str(getattr(last, name)) for name in STATUS_FIELDS if name != "achievements"}
        when = last.created_at.astimezone(_zone(request))
    form = StatusForm(found.code, found.name, uuid.uuid4().hex, values=values, previous_when=when)
    return Reply.card(build_status_form_card(form, request.t))


def validate_status(payload: StatusPayload, t: Translator) -> tuple[dict[str, str], dict[str, str]]:
    """The report's values, or the error per field (pure)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name in ("overall", "schedule", "budget", "scope"):
        value = getattr(payload, name).strip().lower()
        if value not in rules.RAG_VALUES:
            errors[name] = t("status.rag.missing")
        values[name] = value
    for name in STATUS_TEXT_FIELDS:
        text = getattr(payload, name).strip()
        if len(text) > STATUS_TEXT_MAX:
            errors[name] = t("status.text.too_long", limit=STATUS_TEXT_MAX)
        values[name] = text
    if not values["summary"]:
        errors["summary"] = t("status.summary.missing")
    if values.get("overall") == "green" and any(values.get(d) == "red" for d in rules.DIMENSIONS):
        errors["overall"] = t("status.overall.inconsistent")
    return values, errors


def save_status(request: Request, services: Services, payload: StatusPayload) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "update", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    values, errors = validate_status(payload, t)
    if errors:
        typed = {name: str(getattr(payload, name)) for name in STATUS_FIELDS}
        form = StatusForm(found.code, found.name, form_id, values=typed, errors=errors)
        return Reply(replace_card=build_status_form_card(form, t))
    try:
        StatusRepository(services.db).add_report(
            found.id,
            values,
            author_id=request.person.id,
            now=services.clock.now(),
            form_id=submission_key(request, form_id),
        )
    except Duplicate:
        return Reply(
            texts=[t("status.already_saved", code=found.code)], replace_card=_status_card(request, services, found)
        )
    return Reply(texts=[t("status.saved", code=found.code)], replace_card=_status_card(request, services, found))


def history(request: Request, services: Services, rest: str, *, page: int = 1) -> Reply:
    found = _project(request, services, rest, "status history", Action.VIEW_PROJECT)
    if isinstance(found, Reply):
        return found
    repository = StatusRepository(services.db)
    pages = max(1, math.ceil(repository.count_reports(found.id) / HISTORY_PAGE))
    page = min(max(page, 1), pages)
    rows = repository.reports(found.id, limit=HISTORY_PAGE, offset=(page - 1) * HISTORY_PAGE)
    zone = _zone(request)
    return Reply.card(
        build_status_history_card(found.code, [report_view(r, zone) for r in rows], page, pages, request.t)
    )


# Status summary ------------------------------------------------------------------------------------------------


def show_status(request: Request, services: Services, rest: str) -> Reply:
    found = _project(request, services, rest, "status", Action.VIEW_PROJECT)
    if isinstance(found, Reply):
        return found
    return Reply.card(_status_card(request, services, found))


def _status_card(request: Request, services: Services, project: ProjectFacts) -> dict[str, Any]:
    repository = StatusRepository(services.db)
    now = services.clock.now()
    zone = _zone(request)
    today = now.astimezone(zone).date()
    reports = repository.latest_two([project.id]).get(project.id, [])
    latest = reports[0] if reports else None
    previous = reports[1] if len(reports) > 1 else None
    trends = {
        d: rules.trend(getattr(previous, d) if previous else None, getattr(latest, d) if latest else None)
        for d in ("overall", *rules.DIMENSIONS)
    }
    spent = hours_source().spent(services.db, [project.id]).get(project.id, Decimal(0))
    burn = rules.burn_percent(spent, project.budget_hours)
    open_milestones = [milestone_line(m, today, zone) for m in repository.milestones_for([project.id])]
    top = repository.top_risks([project.id]).get(project.id, [])
    age = rules.age_days(latest.created_at if latest else None, now)
    show_handover, handover = _handover_part(request, services, project)
    view = StatusSummary(
        code=project.code,
        name=project.name,
        latest=report_view(latest, zone) if latest else None,
        trends=trends,
        age_days=age,
        stale=rules.is_stale(latest.created_at if latest else None, now),
        spent=spent,
        budget_hours=project.budget_hours,
        burn=burn,
        burn_level=rules.burn_level(burn),
        next_milestones=[m for m in open_milestones if m.flag != "late"][:3],
        late_milestones=[m for m in open_milestones if m.flag == "late"],
        top_risks=[risk_line(r) for r in top],
        can_update=_can(request, services, project, Action.UPDATE_STATUS),
        meetings=[
            MeetingLine(m.title, m.start.astimezone(zone), m.place, m.moved)
            for m in upcoming_meetings(services.db, project.id, now)
        ],
        show_handover=show_handover,
        handover=handover,
    )
    return build_status_card(view, request.t)


def _handover_part(request: Request, services: Services, project: ProjectFacts) -> tuple[bool, HandoverLine | None]:
    """Whether the reader may see the handover section, and the handover (None: none planned)."""
    if not _can(request, services, project, Action.VIEW_HANDOVER):
        return False, None
    found = handover_summary(services.db, project.id, request.t)
    line = (
        HandoverLine(
            planned_on=found.planned_on,
            receiver=found.receiver,
            state=found.state,
            open_items=found.open_items,
            total_items=found.total_items,
            after_care=found.after_care_note,
        )
        if found is not None
        else None
    )
    return True, line


# Milestones ----------------------------------------------------------------------------------------------------


def milestones(request: Request, services: Services, rest: str, *, notice: str | None = None) -> Reply:
    found = _project(request, services, rest, "milestones", Action.VIEW_PROJECT)
    if isinstance(found, Reply):
        return found
    return Reply.card(_milestones_card(request, services, found, notice))


def _milestones_card(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> dict[str, Any]:
    zone = _zone(request)
    today = _today(request, services)
    lines = [milestone_line(m, today, zone) for m in StatusRepository(services.db).milestones(project.id)]
    can_edit = _can(request, services, project, Action.UPDATE_STATUS)
    return build_milestones_card(project.code, project.name, lines, request.t, can_edit=can_edit, notice=notice)


def milestone_form(request: Request, services: Services, payload: MilestoneRef) -> Reply:
    found = _project(request, services, payload.code, "milestones", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    values: dict[str, str] = {}
    if payload.milestone is not None:
        row = StatusRepository(services.db).milestone(payload.milestone)
        if row is None or row.project_id != found.id:
            return Reply.text(request.t("milestone.unknown"))
        values = {"title": row.title, "due": row.due_on.isoformat(), "description": row.description}
    form = MilestoneForm(found.code, uuid.uuid4().hex, payload.milestone, values)
    return Reply.card(build_milestone_form_card(form, request.t))


def save_milestone(request: Request, services: Services, payload: MilestonePayload) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "milestones", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    repository = StatusRepository(services.db)
    if payload.milestone is not None:
        row = repository.milestone(payload.milestone)
        if row is None or row.project_id != found.id:
            return Reply.text(t("milestone.unknown"))
    errors: dict[str, str] = {}
    title = " ".join(payload.title.split())
    if not title:
        errors["title"] = t("milestone.title.missing")
    elif len(title) > 200:
        errors["title"] = t("milestone.title.too_long")
    due = parse_date(payload.due) if payload.due.strip() else None
    if due is None:
        errors["due"] = (
            t("milestone.due.invalid", value=payload.due.strip()[:20])
            if payload.due.strip()
            else t("milestone.due.missing")
        )
    errors.update(length_errors(payload, t))
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if errors:
        typed = {"title": payload.title, "due": payload.due, "description": payload.description}
        form = MilestoneForm(found.code, form_id, payload.milestone, typed, errors)
        return Reply(replace_card=build_milestone_form_card(form, t))
    values = {"title": title, "due_on": due, "description": _clean(payload.description)}
    try:
        repository.save_milestone(
            found.id, payload.milestone, values, now=services.clock.now(), form_id=submission_key(request, form_id)
        )
    except Duplicate:
        return Reply(replace_card=_milestones_card(request, services, found, t("form.already_saved")))
    return Reply(replace_card=_milestones_card(request, services, found, t("milestone.saved", title=title)))


def mark_milestone(request: Request, services: Services, payload: MilestoneDone) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "milestones", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    repository = StatusRepository(services.db)
    row = repository.milestone(payload.milestone)
    if row is None or row.project_id != found.id:
        return Reply.text(t("milestone.unknown"))
    changed = repository.mark_milestone(row.id, done=not payload.undo, now=services.clock.now())
    key = "milestone.reopened" if payload.undo else "milestone.done"
    notice = t(key, title=row.title) if changed else t("milestone.unchanged", title=row.title)
    return Reply(replace_card=_milestones_card(request, services, found, notice))


# Risks ---------------------------------------------------------------------------------------------------------


def risks(request: Request, services: Services, rest: str) -> Reply:
    found = _project(request, services, rest, "risks", Action.VIEW_PROJECT)
    if isinstance(found, Reply):
        return found
    return Reply.card(_risks_card(request, services, found, None))


def _risks_card(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> dict[str, Any]:
    rows = StatusRepository(services.db).risks(project.id)
    # Open and occurred risks first (by score), then the mitigated and closed ones.
    rows.sort(key=lambda r: (r.state not in rules.ACTIVE_RISK_STATES, -r.score, r.id))
    can_edit = _can(request, services, project, Action.UPDATE_STATUS)
    return build_risks_card(
        project.code, project.name, [risk_line(r) for r in rows], request.t, can_edit=can_edit, notice=notice
    )


def risk_form(request: Request, services: Services, payload: RiskRef) -> Reply:
    found = _project(request, services, payload.code, "risks", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    values: dict[str, str] = {}
    if payload.risk is not None:
        row = StatusRepository(services.db).risk(payload.risk)
        if row is None or row.project_id != found.id:
            return Reply.text(request.t("risk.unknown"))
        owner = DirectoryRepository(services.db).get(row.owner_id) if row.owner_id else None
        values = {
            "title": row.title,
            "probability": str(row.probability),
            "impact": str(row.impact),
            "mitigation": row.mitigation,
            "owner": (owner.email or owner.name) if owner else "",
            "state": row.state,
        }
    form = RiskForm(found.code, uuid.uuid4().hex, payload.risk, values)
    return Reply.card(build_risk_form_card(form, request.t))


def save_risk(request: Request, services: Services, payload: RiskPayload) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "risks", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    repository = StatusRepository(services.db)
    if payload.risk is not None:
        row = repository.risk(payload.risk)
        if row is None or row.project_id != found.id:
            return Reply.text(t("risk.unknown"))
    errors: dict[str, str] = {}
    title = " ".join(payload.title.split())
    if not title:
        errors["title"] = t("risk.title.missing")
    elif len(title) > 200:
        errors["title"] = t("risk.title.too_long")
    numbers: dict[str, int] = {}
    for name in ("probability", "impact"):
        text = payload.__dict__[name].strip()
        if (number := whole_number(text)) is not None and 1 <= number <= 5:
            numbers[name] = number
        else:
            errors[name] = t("risk.scale.invalid")
    if payload.state not in rules.RISK_STATES:
        errors["state"] = t("risk.state.invalid")
    pick: PersonPick | str = PersonPick()
    if payload.owner.strip():
        pick = resolve_person(services, payload.owner, t)
        if isinstance(pick, str):
            errors["owner"] = pick
    errors.update(length_errors(payload, t))
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if errors or isinstance(pick, str):
        typed = payload.model_dump(include={"title", "probability", "impact", "mitigation", "owner", "state"})
        form = RiskForm(found.code, form_id, payload.risk, typed, errors)
        return Reply(replace_card=build_risk_form_card(form, t))
    now = services.clock.now()
    values: dict[str, Any] = {
        "title": title,
        "probability": numbers["probability"],
        "impact": numbers["impact"],
        "mitigation": _clean(payload.mitigation),
        "owner_id": _pick_person(services, pick, now),
        "state": payload.state,
    }
    try:
        repository.save_risk(found.id, payload.risk, values, now=now, form_id=submission_key(request, form_id))
    except Duplicate:
        return Reply(replace_card=_risks_card(request, services, found, t("form.already_saved")))
    return Reply(replace_card=_risks_card(request, services, found, t("risk.saved", title=title)))


def close_risk(request: Request, services: Services, payload: RiskRef) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "risks", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    repository = StatusRepository(services.db)
    row = repository.risk(payload.risk) if payload.risk is not None else None
    if row is None or row.project_id != found.id:
        return Reply.text(t("risk.unknown"))
    repository.set_risk_state(row.id, RiskState.CLOSED, now=services.clock.now())
    return Reply(replace_card=_risks_card(request, services, found, t("risk.closed", title=row.title)))


# Decisions and scope changes -----------------------------------------------------------------------------------


def decisions(request: Request, services: Services, rest: str) -> Reply:
    found = _project(request, services, rest, "decisions", Action.VIEW_PROJECT)
    if isinstance(found, Reply):
        return found
    return Reply.card(_decisions_card(request, services, found, None))


def _decisions_card(request: Request, services: Services, project: ProjectFacts, notice: str | None) -> dict[str, Any]:
    rows = StatusRepository(services.db).decisions(project.id)
    lines = [DecisionLine(d.kind, d.decided_on, d.text, d.decided_by) for d in rows]
    can_edit = _can(request, services, project, Action.UPDATE_STATUS)
    return build_decisions_card(project.code, project.name, lines, request.t, can_edit=can_edit, notice=notice)


def decision_form(request: Request, services: Services, payload: CodePayload) -> Reply:
    found = _project(request, services, payload.code, "decisions", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    values = {"date": _today(request, services).isoformat(), "kind": "decision"}
    return Reply.card(build_decision_form_card(DecisionForm(found.code, uuid.uuid4().hex, values), request.t))


def save_decision(request: Request, services: Services, payload: DecisionPayload) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "decisions", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    errors: dict[str, str] = {}
    if payload.kind not in (DecisionKind.DECISION.value, DecisionKind.SCOPE_CHANGE.value):
        errors["kind"] = t("decision.kind.invalid")
    decided_on = parse_date(payload.date) if payload.date.strip() else None
    if decided_on is None:
        errors["date"] = t("decision.date.invalid")
    text = payload.text.strip()
    if not text:
        errors["text"] = t("decision.text.missing")
    elif len(text) > 4000:
        errors["text"] = t("status.text.too_long", limit=4000)
    decided_by = " ".join(payload.decided_by.split())
    if len(decided_by) > 200:
        errors["decided_by"] = t("decision.decided_by.too_long")
    form_id = payload.form_id[:64] or uuid.uuid4().hex
    if errors:
        typed = payload.model_dump(include={"kind", "date", "text", "decided_by"})
        return Reply(replace_card=build_decision_form_card(DecisionForm(found.code, form_id, typed, errors), t))
    values = {"kind": payload.kind, "decided_on": decided_on, "text": text, "decided_by": decided_by}
    try:
        StatusRepository(services.db).add_decision(
            found.id,
            values,
            recorded_by_id=request.person.id,
            now=services.clock.now(),
            form_id=submission_key(request, form_id),
        )
    except Duplicate:
        return Reply(replace_card=_decisions_card(request, services, found, t("form.already_saved")))
    return Reply(replace_card=_decisions_card(request, services, found, t(f"decision.saved.{payload.kind}")))


# Retrospective and lessons -------------------------------------------------------------------------------------


def retrospective(request: Request, services: Services, rest: str) -> Reply:
    found = _project(request, services, rest, "retrospective", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    return Reply.card(retrospective_card(services, found, request.t))


def retrospective_card(services: Services, project: ProjectFacts, t: Translator) -> dict[str, Any]:
    """The retrospective form, pre-filled when there is one; also what closing a project asks for."""
    existing = StatusRepository(services.db).retrospective(project.id)
    values = {}
    if existing is not None:
        values = {"went_well": existing.went_well, "to_improve": existing.to_improve, "lessons": existing.lessons}
    return build_retrospective_card(RetroForm(project.code, project.name, values), t)


def save_retrospective(request: Request, services: Services, payload: RetroPayload) -> Reply:
    t = request.t
    found = _project(request, services, payload.code, "retrospective", Action.UPDATE_STATUS)
    if isinstance(found, Reply):
        return found
    values = {k: getattr(payload, k).strip() for k in ("went_well", "to_improve", "lessons")}
    errors = {k: t("status.text.too_long", limit=4000) for k, v in values.items() if len(v) > 4000}
    if not any(values.values()):
        errors["went_well"] = t("retro.empty")
    if errors:
        form = RetroForm(found.code, found.name, payload.model_dump(exclude={"code"}), errors)
        return Reply(replace_card=build_retrospective_card(form, t))
    changed = StatusRepository(services.db).save_retrospective(
        found.id, values, author_id=request.person.id, now=services.clock.now()
    )
    return Reply.text(t("retro.saved" if changed else "retro.unchanged", code=found.code))


def lessons(request: Request, services: Services, rest: str, *, domain: str = "") -> Reply:
    t = request.t
    repository = ProjectRepository(services.db)
    domains = repository.domains()
    options = [(str(d.id), d.name(t.language)) for d in domains]
    names = {d.id: d.name(t.language) for d in domains}
    wanted = rest.strip().lower()
    domain_id = parse_id(domain)
    text = ""
    if wanted and domain_id is None:
        match = next((d for d in domains if wanted in (d.key.lower(), d.name_nl.lower(), d.name_en.lower())), None)
        if match is not None:
            domain_id = match.id
        else:
            text = rest.strip()
    rows = StatusRepository(services.db).lessons(domain_id, text=text)
    lines = [
        LessonLine(r.project_code, r.project_name, names.get(r.domain_id, "?"), r.lessons, r.to_improve, r.went_well)
        for r in rows
    ]
    return Reply.card(build_lessons_card(lines, options, str(domain_id) if domain_id else "", t))


def closing_prompt(services: Services, project_id: int, t: Translator) -> Reply:
    """What closing a project adds to the answer: the request for a retrospective (unless there is one)."""
    project = ProjectRepository(services.db).facts(project_id)
    if project is None or StatusRepository(services.db).retrospective(project_id) is not None:
        return Reply()
    return Reply(texts=[t("retro.asked", code=project.code)], cards=[retrospective_card(services, project, t)])


# Portfolio -----------------------------------------------------------------------------------------------------


def portfolio(request: Request, services: Services, rest: str) -> Reply:
    return portfolio_page(request, services, PortfolioPayload())


def _overseen_domains(request: Request, services: Services) -> tuple[frozenset[int], frozenset[Role]] | Reply:
    who = me(request, services)
    decision = allowed(who.actor(), Action.VIEW_PORTFOLIO)
    if not decision.allowed:
        return refusal(decision, request.t)
    if Role.ADMIN in who.roles:
        return frozenset(d.id for d in ProjectRepository(services.db).domains() if d.id is not None), who.roles
    return who.domains, who.roles


def portfolio_lines(
    rows: list[PortfolioRow], spent: dict[int, Decimal], now: datetime, stale_days: int = rules.DEFAULT_STALE_DAYS
) -> list[PortfolioLine]:
    """Attention first: red, amber, missing or stale updates, late milestones, overspent budgets (pure)."""
    scored: list[tuple[int, str, PortfolioLine]] = []
    for row in rows:
        latest, previous = row.latest, row.previous
        burn = rules.burn_percent(spent.get(row.project_id, Decimal(0)), row.budget_hours)
        age = rules.age_days(latest.created_at if latest else None, now)
        worst_dim = rules.worst(*(getattr(latest, d) for d in rules.DIMENSIONS)) if latest else None
        facts = rules.AttentionFacts(
            overall=latest.overall if latest else None,
            worst_dimension=worst_dim,
            days_since_update=age,
            late_milestones=row.late_milestones,
            burn=burn,
            top_risk_score=row.top_risk_score,
            stale_days=stale_days,
        )
        line = PortfolioLine(
            code=row.code,
            name=row.name,
            coordinator=row.coordinator,
            overall=latest.overall if latest else None,
            schedule=latest.schedule if latest else None,
            budget=latest.budget if latest else None,
            scope=latest.scope if latest else None,
            trend=rules.trend(previous.overall if previous else None, latest.overall if latest else None),
            burn=burn,
            burn_level=rules.burn_level(burn),
            late_milestones=row.late_milestones,
            age_days=age,
            stale=rules.is_stale(latest.created_at if latest else None, now, stale_days),
        )
        scored.append((-rules.attention(facts), row.code, line))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [line for _score, _code, line in scored]


def portfolio_page(request: Request, services: Services, payload: PortfolioPayload) -> Reply:
    t = request.t
    # One person's overview (their domains): in a channel a page replaces the card for everyone there.
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.portfolio")) is not None:
        return refused
    overseen = _overseen_domains(request, services)
    if isinstance(overseen, Reply):
        return overseen
    domains, _roles = overseen
    now = services.clock.now()
    projects = ProjectRepository(services.db)
    domain_ids = domains
    if (chosen := parse_id(payload.domain)) is not None and chosen in domains:
        domain_ids = frozenset({chosen})
    coordinator_id = parse_id(payload.coordinator)
    government_id = parse_id(payload.government)
    repository = StatusRepository(services.db)
    rows = repository.portfolio(
        domain_ids,
        today=now.astimezone(_zone(request)).date(),
        coordinator_id=coordinator_id,
        government_id=government_id,
    )
    spent = hours_source().spent(services.db, [r.project_id for r in rows]) if rows else {}
    lines = portfolio_lines(rows, spent, now)
    pages = max(1, math.ceil(len(lines) / PORTFOLIO_PAGE))
    page = min(max(payload.page, 1), pages)
    counts = {"red": 0, "amber": 0, "green": 0, "none": 0}
    for line in lines:
        counts[line.overall or "none"] += 1
    all_domains = projects.domains()
    coordinators = sorted(
        {(str(r.coordinator_id), r.coordinator) for r in rows if r.coordinator_id and r.coordinator},
        key=lambda c: c[1].lower(),
    )
    filters = PortfolioFilters(
        domains=[(str(d.id), d.name(t.language)) for d in all_domains if d.id in domains],
        coordinators=coordinators[:50],
        governments=[(str(g.id), g.name) for g in projects.governments()][:60],
        domain=payload.domain if parse_id(payload.domain) is not None else "",
        coordinator=payload.coordinator if coordinator_id else "",
        government=payload.government if government_id else "",
    )
    view = PortfolioView(
        lines=lines[(page - 1) * PORTFOLIO_PAGE : page * PORTFOLIO_PAGE],
        page=page,
        pages=pages,
        total=len(lines),
        counts=counts,
        filters=filters,
        owner_id=request.person.id,
    )
    card = build_portfolio_card(view, t)
    return Reply(replace_card=card) if request.kind != "message" and payload.page != 1 else Reply.card(card)


# Board report --------------------------------------------------------------------------------------------------


def board_report(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    found = _project(request, services, rest, "report", Action.VIEW_BOARD_REPORT)
    if isinstance(found, Reply):
        return found
    report = gather_board_report(services, found, t, _zone(request))
    from dialogs.board_document import board_report_docx, file_name

    chart = _burn_chart(services, found, t, report.generated.date())
    document = services.renderer.render(board_report_docx, report, t, chart=chart)  # off the database path
    file = OutgoingFile(
        name=file_name(report, t),
        content_type=DOCX_TYPE,
        data=document,
        description=t("report.file.description", code=found.code),
    )
    return Reply(cards=[build_board_report_card(report, t)], files=[file])


def _burn_chart(services: Services, project: ProjectFacts, t: Translator, today: date) -> bytes | None:
    """Hours against budget over time, the chart time registration draws (dialogs/burn_chart.py), for the document."""
    from dialogs.kernel.burn_chart import BurnSeries, ChartLabels, render_burn_chart
    from storage.time_entries import TimeEntryRepository

    points = TimeEntryRepository(services.db).cumulative(project.id)
    series = BurnSeries(points, project.budget_hours, project.planned_start, project.planned_end, today)
    labels = ChartLabels(
        title=t("time.chart.title", code=project.code),
        spent=t("time.chart.spent"),
        budget=t("time.chart.budget"),
        plan=t("time.chart.plan"),
        hours=t("time.chart.hours"),
        no_entries=t("time.chart.empty"),
    )
    try:
        return services.renderer.render(render_burn_chart, series, labels, cache=True)
    except RenderingBusy:
        return None  # the document without its chart, rather than no document


def gather_board_report(services: Services, project: ProjectFacts, t: Translator, zone: ZoneInfo) -> BoardReport:
    repository = StatusRepository(services.db)
    now = services.clock.now()
    today = now.astimezone(zone).date()
    latest = repository.reports(project.id, limit=1)
    spent = hours_source().spent(services.db, [project.id]).get(project.id, Decimal(0))
    return BoardReport(
        code=project.code,
        name=project.name,
        domain=project.domain_nl if t.language == "nl" else project.domain_en,
        phase=project.phase,
        goal=project.goal,
        scope=project.scope,
        description=project.description,
        governments=project.governments,
        coordinator=project.coordinator_name,
        manager=project.manager_name,
        team=tuple(f"{m.name} ({m.role})" if m.role else m.name for m in project.team),
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        milestones=[milestone_line(m, today, zone) for m in repository.milestones(project.id)],
        budget_hours=project.budget_hours,
        budget_euros=project.budget_euros,
        spent=spent,
        burn=rules.burn_percent(spent, project.budget_hours),
        latest=report_view(latest[0], zone) if latest else None,
        top_risks=[risk_line(r) for r in repository.top_risks([project.id]).get(project.id, [])],
        decisions=[
            DecisionLine(d.kind, d.decided_on, d.text, d.decided_by) for d in repository.decisions(project.id, limit=10)
        ],
        generated=now.astimezone(zone),
    )


# Weekly digest settings ----------------------------------------------------------------------------------------


def digest_settings(request: Request, services: Services, rest: str) -> Reply:
    overseen = _overseen_domains(request, services)
    if isinstance(overseen, Reply):
        return overseen
    assert request.person.id is not None
    pref = StatusRepository(services.db).digest_preferences([request.person.id]).get(request.person.id)
    form = DigestSettingsForm(
        weekday=pref.weekday if pref else DEFAULT_DIGEST_DAY,
        at_time=pref.at_time if pref else DEFAULT_DIGEST_TIME,
        enabled=pref.enabled if pref else True,
        stale_days=str(pref.stale_days if pref else rules.DEFAULT_STALE_DAYS),
        owner_id=request.person.id,
    )
    return Reply.card(build_digest_settings_card(form, request.t))


def save_digest_settings(request: Request, services: Services, payload: DigestPayload) -> Reply:
    t = request.t
    if (refused := not_yours(request, services, payload.owner, "card.not_yours.digest")) is not None:
        return refused
    overseen = _overseen_domains(request, services)
    if isinstance(overseen, Reply):
        return overseen
    errors: dict[str, str] = {}
    if payload.weekday not in rules.WEEKDAYS:
        errors["weekday"] = t("digest.settings.weekday.invalid")
    at = rules.parse_hhmm(payload.at_time)
    if at is None:
        errors["at_time"] = t("digest.settings.time.invalid", value=payload.at_time.strip()[:10])
    stale = payload.stale_days.strip()
    stale_number = whole_number(stale)
    if stale_number is None or not 1 <= stale_number <= 365:
        errors["stale_days"] = t("digest.settings.stale_days.invalid")
    if errors or at is None:
        form = DigestSettingsForm(
            payload.weekday,
            payload.at_time,
            payload.enabled == "true",
            payload.stale_days,
            errors,
            owner_id=request.person.id,
        )
        return Reply(replace_card=build_digest_settings_card(form, t))
    assert request.person.id is not None
    StatusRepository(services.db).save_digest_preference(
        request.person.id,
        weekday=payload.weekday,
        at_time=at.strftime("%H:%M"),
        enabled=payload.enabled == "true",
        stale_days=int(stale),
        now=services.clock.now(),
    )
    if payload.enabled != "true":
        return Reply.text(t("digest.settings.saved_off"))
    return Reply.text(t("digest.settings.saved", day=t(f"weekday.{payload.weekday}"), time=at.strftime("%H:%M")))


# Proactive: renderers and the jobs that enqueue -----------------------------------------------------------------


def render_digest(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    def items(key: str) -> list[DigestItem]:
        return [DigestItem(**item) for item in args.get(key) or []]

    view = DigestView(
        week=str(args.get("week", "")),
        updated=items("updated"),
        turned=items("turned"),
        stale=items("stale"),
        milestones=items("milestones"),
        stale_days=int(args.get("stale_days", rules.DEFAULT_STALE_DAYS)),
    )
    return build_digest_card(view, t)


def render_milestone_reminder(args: dict[str, Any], t: Translator) -> dict[str, Any]:
    reminder = MilestoneReminder(
        code=str(args["code"]),
        name=str(args.get("name", "")),
        title=str(args["title"]),
        due_on=date.fromisoformat(str(args["due"])),
        late=bool(args.get("late")),
    )
    return build_milestone_reminder_card(reminder, t)


RENDERERS = {DIGEST_BUILDER: render_digest, MILESTONE_BUILDER: render_milestone_reminder}


def enqueue_milestone_reminders(db: Database, now: datetime, timezone: str = "Europe/Brussels") -> int:
    """Daily: each open milestone due within 7 days or late reminds its project's coordinator, at most once a
    day (the dedup key holds the day). Returns how many were enqueued (or refreshed)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    outbox = OutboxRepository(db)
    count = 0
    for milestone, code, name, tenant_id, aad in StatusRepository(db).due_milestones(
        today + timedelta(days=rules.REMIND_DAYS_AHEAD)
    ):
        if not aad:
            continue
        outbox.enqueue(
            dedup_key=f"milestone:{milestone.id}:{today.isoformat()}",
            kind=MILESTONE_KIND,
            target=Target(tenant_id=tenant_id or "", aad_object_id=aad),
            payload=builder_payload(
                MILESTONE_BUILDER,
                code=code,
                name=name,
                title=milestone.title,
                due=milestone.due_on.isoformat(),
                late=milestone.due_on < today,
            ),
            due_at=now,
            not_after=now + timedelta(hours=20),
            now=now,
        )
        count += 1
    return count


def _person_zone(person: Person, default: str) -> str:
    for candidate in (person.preferred_timezone, person.seen_timezone, default):
        if candidate:
            try:
                ZoneInfo(candidate)
                return candidate
            except (KeyError, ValueError):
                continue
    return "Europe/Brussels"


def enqueue_weekly_digests(db: Database, now: datetime, default_timezone: str = "Europe/Brussels") -> int:
    """Run often (every few minutes): each manager whose chosen digest moment this week has come, and who has not
    had this week's digest yet (dedup key per ISO week), gets it enqueued with this week's content."""
    directory = DirectoryRepository(db)
    managers = [(p, roles) for p, roles in directory.people_with_roles() if Role.MANAGER in roles and p.id]
    repository = StatusRepository(db)
    prefs = repository.digest_preferences([p.id for p, _ in managers if p.id is not None])
    outbox = OutboxRepository(db)
    count = 0
    for person, _roles in managers:
        assert person.id is not None
        if person.forgotten_at is not None or not person.aad_object_id:
            continue
        pref = prefs.get(person.id)
        if pref is not None and not pref.enabled:
            continue
        zone = _person_zone(person, default_timezone)
        at = rules.parse_hhmm(pref.at_time if pref else DEFAULT_DIGEST_TIME) or time(8, 30)
        due = rules.digest_due_at(now, pref.weekday if pref else DEFAULT_DIGEST_DAY, at, zone)
        if not due <= now < due + timedelta(days=1):
            continue
        week = rules.week_key(due, zone)
        key = f"digest:{person.id}:{week}"
        if outbox.by_key(key) is not None:
            continue
        domains = directory.managed_domains(person.id)
        stale_days = pref.stale_days if pref else rules.DEFAULT_STALE_DAYS
        args = digest_content(db, domains, now, zone, stale_days)
        args["week"] = week
        outbox.enqueue(
            dedup_key=key,
            kind=DIGEST_KIND,
            target=Target(tenant_id=person.tenant_id, aad_object_id=person.aad_object_id),
            payload=builder_payload(DIGEST_BUILDER, **args),
            due_at=now,
            not_after=due + timedelta(days=1),
            now=now,
        )
        count += 1
    return count


def digest_content(
    db: Database, domain_ids: frozenset[int], now: datetime, timezone: str, stale_days: int
) -> dict[str, Any]:
    """The week in plain JSON values: updates this week, projects turning amber/red, stale updates, milestones due."""
    repository = StatusRepository(db)
    today = now.astimezone(ZoneInfo(timezone)).date()
    rows = repository.portfolio(domain_ids, today=today)
    by_id = {r.project_id: r for r in rows}
    ids = list(by_id)
    week_start = now - timedelta(days=7)
    this_week = repository.reports_between(ids, week_start, now)
    before = repository.reports_before(ids, week_start)
    updated: list[dict[str, str]] = []
    turned: list[dict[str, str]] = []
    seen: set[int] = set()
    for report in reversed(this_week):  # newest first: one line per project, its latest update
        if report.project_id in seen:
            continue
        seen.add(report.project_id)
        row = by_id[report.project_id]
        earlier = before.get(report.project_id)
        updated.append(
            {"code": row.code, "name": row.name, "detail": report.overall,
             "extra": rules.trend(earlier.overall if earlier else None, report.overall) or ""}
        )  # fmt: skip
        if rules.turned_worse(earlier.overall if earlier else None, report.overall):
            turned.append(
                {"code": row.code, "name": row.name, "detail": report.overall,
                 "extra": earlier.overall if earlier else ""}
            )  # fmt: skip
    stale = [
        {"code": r.code, "name": r.name, "detail": str(rules.age_days(r.latest.created_at, now)) if r.latest else ""}
        for r in rows
        if rules.is_stale(r.latest.created_at if r.latest else None, now, stale_days)
    ]
    due = repository.milestones_for(ids, due_before=today + timedelta(days=rules.REMIND_DAYS_AHEAD))
    milestones = [
        {
            "code": by_id[m.project_id].code,
            "name": by_id[m.project_id].name,
            "detail": m.due_on.isoformat(),
            "extra": m.title,
        }
        for m in due
    ]
    updated.sort(key=lambda i: (-rules.rag_rank(i["detail"]), i["code"]))
    turned.sort(key=lambda i: (-rules.rag_rank(i["detail"]), i["code"]))
    return {"updated": updated, "turned": turned, "stale": stale, "milestones": milestones, "stale_days": stale_days}


capability = Capability("status", install=register, renderers=dict(RENDERERS))


# Milestones due within 7 days or late remind their coordinator; the dedup key holds the day, so a second run that
# day (another instance, a restart) adds nothing. 07:00 in Brussels, half a day of grace.
@capability.job(
    "status.milestone_reminders",
    name="enqueue milestone reminders",
    when=Daily(7, 0),
    grace_seconds=12 * 3600,
)
def _milestone_reminders(context: JobContext) -> int:
    return enqueue_milestone_reminders(context.db, context.now)


# Weekly digests: each manager chooses day and time in their own zone, so this looks every 10 minutes for whose
# moment has come; the dedup key holds the ISO week, so each gets one per week.
@capability.job("status.weekly_digests", name="enqueue weekly digests", when=Every(10), grace_seconds=600)
def _weekly_digests(context: JobContext) -> int:
    return enqueue_weekly_digests(context.db, context.now)
