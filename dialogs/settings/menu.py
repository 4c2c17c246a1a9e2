"""The help menu, as the person asking may use it (the router builds it from every capability's commands)."""

from __future__ import annotations

from functools import partial

from dialogs.kernel.router import MenuInfo, Router
from dialogs.kernel.turn import Reply, Request, Services
from dialogs.settings.declaration import capability


def show_help(router: Router, request: Request, services: Services, rest: str) -> Reply:
    return Reply.card(router.help_card_for(request, services))


def install_help(router: Router) -> None:
    """The one command that needs the router itself (its menu is every capability's commands). TRANSITIONAL: the
    kernel gives a declared command no way to reach the router, so this one is still installed with it."""
    router.command(
        "help",
        en=("help", "?", "menu"),
        nl=("hulp", "help", "menu"),
        handler=partial(show_help, router),
        menu=MenuInfo("menu.help.title", "menu.help.description", {"en": "help", "nl": "hulp"}, section=None),
    )


capability.install = install_help
