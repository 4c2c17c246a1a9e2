"""The projectbot command and its settings: verbs listed, unsafe configurations refused, database verbs."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from bot.cli import CliError, check_can_serve, main
from bot.settings import AppType, Settings

APP_ID = "3f2b8c1e-1111-4222-8333-444455556666"
TENANT = "9a8b7c6d-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "MICROSOFT_APP_ID",
        "MicrosoftAppId",
        "MICROSOFT_APP_PASSWORD",
        "MicrosoftAppPassword",
        "MICROSOFT_APP_TYPE",
        "MicrosoftAppType",
        "MICROSOFT_APP_TENANT_ID",
        "MicrosoftAppTenantId",
        "PROJECTBOT_ALLOWED_TENANTS",
        "PROJECTBOT_DEFAULT_TIMEZONE",
        "PROJECTBOT_DEFAULT_LOCALE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env, and the default database lands in tmp


def test_no_arguments_lists_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for verb in ("serve", "chat", "manifest", "db"):
        assert verb in out


def test_defaults() -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///data/projectbot.db"
    assert (settings.default_timezone, settings.default_locale) == ("Europe/Brussels", "nl-BE")
    assert settings.app_type is AppType.SINGLE_TENANT


def test_environment_names_and_legacy_bot_framework_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("MicrosoftAppPassword", "pw")
    monkeypatch.setenv("MicrosoftAppType", "MultiTenant")
    monkeypatch.setenv("MicrosoftAppTenantId", TENANT)
    monkeypatch.setenv("PROJECTBOT_ALLOWED_TENANTS", f" {TENANT.upper()} , other-tenant ")
    settings = Settings()
    assert (settings.app_id, settings.app_password, settings.app_type) == (APP_ID, "pw", AppType.MULTI_TENANT)
    assert settings.tenant_allow_list == frozenset({TENANT, "other-tenant"})


def test_tenant_allow_list_defaults_to_the_apps_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", TENANT)
    assert Settings().tenant_allow_list == frozenset({TENANT})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PROJECTBOT_DEFAULT_TIMEZONE", "Mars/Phobos", "unknown IANA time zone"),
        ("PROJECTBOT_DEFAULT_LOCALE", "fr-FR", "unsupported locale"),
        ("MICROSOFT_APP_TYPE", "Anonymous", "MICROSOFT_APP_TYPE: Input should be"),
        ("PROJECTBOT_OUTBOX_PER_SECOND", "0", "PROJECTBOT_OUTBOX_PER_SECOND: Input should be greater than 0"),
    ],
)
def test_bad_settings_are_explained_without_a_stack_trace(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["db", "current"]) == 2
    err = capsys.readouterr().err
    assert "invalid configuration" in err and message in err and "Traceback" not in err


def test_serve_without_app_id_refuses_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "MICROSOFT_APP_ID is not set" in err and "--dev" in err
    # `serve` pauses the garbage collector while it starts (bot/heap.py); a refused start must not leave it off.
    assert gc.isenabled()


def test_dev_mode_binds_to_loopback_only() -> None:
    with pytest.raises(CliError, match="loopback"):
        check_can_serve(Settings(dev=True), "0.0.0.0")
    check_can_serve(Settings(dev=True), "127.0.0.1")


def test_single_tenant_needs_password_and_tenant() -> None:
    with pytest.raises(CliError, match="MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID"):
        check_can_serve(Settings(app_id=APP_ID), "0.0.0.0")
    check_can_serve(Settings(app_id=APP_ID, app_password="pw", app_tenant_id=TENANT), "0.0.0.0")


def test_multi_tenant_needs_an_allow_list() -> None:
    with pytest.raises(CliError, match="No tenant is allowed"):
        check_can_serve(Settings(app_id=APP_ID, app_password="pw", app_type=AppType.MULTI_TENANT), "0.0.0.0")


def test_db_upgrade_and_current(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///fresh.db")
    assert main(["db", "current"]) == 0
    assert "empty (no schema)" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_db_unreachable_is_reported(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1:1/none?connect_timeout=1")
    assert main(["db", "current"]) == 2
    assert "database" in capsys.readouterr().err


def test_manifest_needs_an_app_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--out", "out.zip"]) == 2
    assert "MICROSOFT_APP_ID" in capsys.readouterr().err


def test_manifest_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    out = tmp_path / "build" / "projectbot.zip"
    assert main(["manifest", "--out", str(out), "--allow-placeholders"]) == 0  # tests/test_manifest.py: the rest
    assert out.exists()


def test_operator_verbs_are_reachable_from_the_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """admin grant, import projects and people forget through `projectbot` itself, as the README says."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ops.db'}")
    assert main(["admin", "grant", "first.admin@example.test"]) == 0
    csv = tmp_path / "projects.csv"
    csv.write_text(
        "code,name,domain,coordinator_email,manager_email,budget_hours,start,end,governments\n"
        "DT-101,Digitaal loket,Digitale transformatie,an@example.test,,120,2026-01-05,2026-12-18,Gemeente Aalst\n",
        encoding="utf-8",
    )
    assert main(["import", "projects", str(csv), "--dry-run"]) == 1  # Gemeente Aalst is not on the list yet
    assert main(["import", "projects", str(csv), "--create-missing"]) == 0
    assert main(["people", "forget", "an@example.test"]) == 0
    out = capsys.readouterr().out
    assert "unknown local government 'Gemeente Aalst' (--create-missing adds it)" in out
    assert "DT-101 created: added local government 'Gemeente Aalst'" in out
    assert main([]) == 0
    listing = capsys.readouterr().out
    for verb in ("admin", "people", "import", "export", "outbox"):
        assert verb in listing
