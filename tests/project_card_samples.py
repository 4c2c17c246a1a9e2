"""Samples of the project and people cards (added to tests/card_samples.py's SAMPLES)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from cards.i18n import Translator
from cards.lists import DomainRow, DomainsForm, GovernmentsForm, build_domains_card, build_governments_card
from cards.people import RoleHolder, RolesForm, build_forget_card, build_my_data_card, build_roles_card
from cards.projects import (
    MemberForm,
    ProjectCardExtras,
    ProjectForm,
    ProjectLine,
    build_phase_card,
    build_project_card,
    build_project_choice_card,
    build_project_form_card,
    build_project_list_card,
    build_team_member_card,
)
from domain.projects import ProjectFacts, TeamLine
from tests.time_card_samples import chart_uri

Sample = tuple[str, Callable[..., dict[str, Any]], Callable[[Translator], dict[str, Any]]]


def facts(code: str, name: str, domain: str, phase: str, state: str, **more: Any) -> ProjectFacts:
    """A project's facts as storage returns them: only what the card shows matters here."""
    unset: dict[str, Any] = {
        "coordinator_id": None,
        "coordinator_email": None,
        "manager_id": None,
        "manager_email": None,
        "description": "",
        "goal": "",
        "scope": "",
        "coordinator_name": None,
        "manager_name": None,
        "planned_start": None,
        "planned_end": None,
        "budget_hours": None,
        "budget_euros": None,
    }
    return ProjectFacts(
        id=1, code=code, name=name, domain_id=1, domain_nl=domain, domain_en=domain, phase=phase, state=state,
        **{**unset, **more},
    )  # fmt: skip


FULL = facts(
    "DT-042",
    "Digitaal loket",
    "Digitale transformatie",
    "execution",
    "active",
    description="Een digitaal loket voor alle aanvragen van burgers. " * 5,
    goal="Minder papier.",
    scope="Aanvragen, betalingen, opvolging.",
    coordinator_name="An Peeters",
    manager_name="Marc Janssens",
    governments=("Gemeente Zottegem", "Politiezone Vlaamse Ardennen"),
    team=tuple(TeamLine(i + 10, f"Lid {i}", "analist", i % 2 == 0) for i in range(40)),
    planned_start=date(2026, 1, 5),
    planned_end=date(2026, 12, 18),
    budget_hours=Decimal("1250.5"),
    budget_euros=Decimal("98000"),
)
EDITABLE = ProjectCardExtras(can_edit=True)
DOMAINS = [("1", "Technologie & infrastructuur"), ("2", "Digitale transformatie")]
GOVERNMENTS = [(str(i), f"Gemeente {i}") for i in range(60)]


def _form_with_errors(t: Translator) -> dict[str, Any]:
    values = {name: "x" * 300 for name in ("code", "name", "coordinator", "manager", "budget_hours")}
    values.update({"description": "y" * 4000, "goal": "z" * 2000, "domain": "9", "start": "2026-13-01"})
    errors = {name: t("project.date.invalid", value="2026-13-01") for name in ("code", "name", "start", "end")}
    return build_project_form_card(ProjectForm("f" * 32, DOMAINS, GOVERNMENTS, None, values, errors), t)


PROJECT_SAMPLES: list[Sample] = [
    ("project, full, editable", build_project_card, lambda t: build_project_card(FULL, EDITABLE, t)),
    (
        "project, full, with a two-year hours chart",
        build_project_card,
        lambda t: build_project_card(FULL, replace(EDITABLE, chart_uri=chart_uri()), t),
    ),
    (
        "project, minimal, read-only",
        build_project_card,
        lambda t: build_project_card(
            facts("TI-001", "Netwerk", "Technology", "analysis", "on_hold"), ProjectCardExtras(), t
        ),
    ),
    (
        "project list, paged",
        build_project_list_card,
        lambda t: build_project_list_card(
            [ProjectLine(f"DT-{i:03}", "Een lange projectnaam " * 3, "handover", "coördinator") for i in range(8)],
            2,
            5,
            t,
        ),
    ),
    ("project list, empty", build_project_list_card, lambda t: build_project_list_card([], 1, 1, t)),
    (
        "which project?",
        build_project_choice_card,
        lambda t: build_project_choice_card(
            "loket", [(f"DT-{i:03}", "Digitaal loket " * 8) for i in range(8)], "project", t
        ),
    ),
    (
        "new project form",
        build_project_form_card,
        lambda t: build_project_form_card(ProjectForm("f1", DOMAINS, GOVERNMENTS), t),
    ),
    ("new project form, long values and errors", build_project_form_card, _form_with_errors),
    (
        "edit project form",
        build_project_form_card,
        lambda t: build_project_form_card(
            ProjectForm("f2", DOMAINS, [], "DT-042", {"name": "Loket", "domain": "2", "state": "on_hold"}), t
        ),
    ),
    ("team member form", build_team_member_card, lambda t: build_team_member_card(MemberForm("DT-042"), t)),
    (
        "team member form, error",
        build_team_member_card,
        lambda t: build_team_member_card(
            MemberForm("DT-042", {"person": "Jan", "external": "true"}, {"person": t("project.member.person.missing")}),
            t,
        ),
    ),
    (
        "team member form, colleagues to pick",
        build_team_member_card,
        lambda t: build_team_member_card(
            MemberForm(
                "DT-042",
                {"person": "aad-bart", "person_new": ""},
                people=[("aad-bart", "Bart Claes · bart@example.test"), ("marc@example.test", "marc@example.test")],
            ),
            t,
        ),
    ),
    ("phase", build_phase_card, lambda t: build_phase_card("DT-042", "handover", t)),
    (
        "phase, error",
        build_phase_card,
        lambda t: build_phase_card("DT-042", "analysis", t, error=t("project.phase.invalid")),
    ),
    ("phase, typed", build_phase_card, lambda t: build_phase_card("DT-042", "analysis", t, chosen="execution")),
    (
        "phase, typed with a typo",
        build_phase_card,
        lambda t: build_phase_card(
            "DT-042",
            "analysis",
            t,
            error=t("project.phase.did_you_mean", typed="uitvoring", suggestion=t("project.phase.execution")),
        ),
    ),
    (
        "roles",
        build_roles_card,
        lambda t: build_roles_card(
            RolesForm(
                [
                    RoleHolder(f"Persoon {i}", f"p{i}@example.test", ("manager", "admin"), ("Digitale transformatie",))
                    for i in range(60)
                ],
                DOMAINS,
            ),
            t,
        ),
    ),
    (
        "roles, error",
        build_roles_card,
        lambda t: build_roles_card(
            RolesForm([], DOMAINS, {"person": "nobody", "role": "manager"}, {"person": t("roles.person.missing")}), t
        ),
    ),
    (
        "my data",
        build_my_data_card,
        lambda t: build_my_data_card([("person", 1), ("projects", 3)], t, files=("my-data.json", "my-data.csv")),
    ),
    ("forget me", build_forget_card, lambda t: build_forget_card(t, token="abc")),
    (
        "domains",
        build_domains_card,
        lambda t: build_domains_card(
            DomainsForm([DomainRow(i, f"Domein {i}", f"Domain {i}") for i in range(1, 30)]), t
        ),
    ),
    (
        "domains, errors",
        build_domains_card,
        lambda t: build_domains_card(
            DomainsForm(
                [DomainRow(1, "Digitale transformatie", "Digital transformation")],
                {"domain": "", "name_nl": "", "name_en": "x"},
                {"domain": t("lists.domains.which.missing"), "name_nl": t("lists.name.missing")},
            ),
            t,
        ),
    ),
    (
        "local governments, a full page of long names",
        build_governments_card,
        lambda t: build_governments_card(
            GovernmentsForm(
                [
                    (f"Hulpverleningszone Vlaamse Ardennen en omstreken {i:03}" + "x" * 150, "emergency_zone")
                    for i in range(25)
                ],
                page=2,
                pages=13,
                total=310,
            ),
            t,
        ),
    ),
    (
        "local governments, errors",
        build_governments_card,
        lambda t: build_governments_card(
            GovernmentsForm(
                [],
                values={"current": "Gemeente X", "name": "", "kind": "police_zone"},
                errors={
                    "current": t("lists.governments.current.unknown", name="Gemeente X"),
                    "kind": t("lists.governments.kind.invalid"),
                },
            ),
            t,
        ),
    ),
]
