"""Each person's own data (GDPR): what is stored about them, as files, and erasing it after a confirmation."""

from __future__ import annotations

import hashlib

from cards.menu import MenuSection
from cards.people import CancelForget, ConfirmForget, build_forget_card, build_my_data_card
from dialogs.kernel.router import MenuInfo
from dialogs.kernel.turn import OutgoingFile, Reply, Request, Services
from dialogs.people.declaration import capability
from storage.privacy import PrivacyRepository, export_csv, export_json


@capability.command(
    "my data",
    en=("my data",),
    nl=("mijn gegevens",),
    menu=MenuInfo(
        "menu.my_data.title",
        "menu.my_data.description",
        {"en": "my data", "nl": "mijn gegevens"},
        section=MenuSection.YOU,
    ),
)
def my_data(request: Request, services: Services, rest: str) -> Reply:
    t = request.t
    assert request.person.id is not None
    data = PrivacyRepository(services.db).export(request.person.id)
    stem = t("mydata.file_stem")
    files = (f"{stem}.json", f"{stem}.csv")
    sections = [(name, len(rows)) for name, rows in data.items() if name != "bot_state"]
    return Reply(
        cards=[build_my_data_card(sections, t, files=files)],
        files=[
            OutgoingFile(files[0], "application/json", export_json(data).encode(), t("mydata.file.json")),
            # With a byte-order mark, so spreadsheet programs read the accented names as UTF-8.
            OutgoingFile(files[1], "text/csv", export_csv(data).encode("utf-8-sig"), t("mydata.file.csv")),
        ],
    )


def _forget_token(request: Request) -> str:
    """Ties the confirmation card to the person it was shown to, so nobody else's click can use it."""
    return hashlib.sha256(f"forget:{request.person.tenant_id}:{request.person.aad_object_id}".encode()).hexdigest()[:16]


@capability.command(
    "forget me",
    en=("forget me",),
    nl=("vergeet mij", "vergeet me"),
    menu=MenuInfo(
        "menu.forget_me.title",
        "menu.forget_me.description",
        {"en": "forget me", "nl": "vergeet mij"},
        section=MenuSection.YOU,
    ),
)
def forget_me(request: Request, services: Services, rest: str) -> Reply:
    return Reply.card(build_forget_card(request.t, token=_forget_token(request)))


@capability.verb(ConfirmForget)
def confirm_forget(request: Request, services: Services, payload: ConfirmForget) -> Reply:
    t = request.t
    if payload.token != _forget_token(request):
        return Reply.text(t("forget.not_yours"))
    assert request.person.id is not None
    PrivacyRepository(services.db).forget(request.person.id, now=services.clock.now())
    return Reply(texts=[t("forget.done")], replace_card=None)


@capability.verb(CancelForget)
def cancel_forget(request: Request, services: Services, payload: CancelForget) -> Reply:
    return Reply.text(request.t("forget.cancelled"))
